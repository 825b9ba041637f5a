"""A full disk on a write is a clear 503 and the old data stays (issue 10): a real gunicorn
server on a store in a small tmpfs, filled up to the last few hundred kB."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests

from tests.servers import require, start_gunicorn

pytestmark = [pytest.mark.server, pytest.mark.slow]
TOKEN = {"Authorization": "Bearer full-disk-token"}


@pytest.fixture()
def small_disk(tmp_path: Path) -> Iterator[Path]:
    disk = tmp_path / "disk"
    disk.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=48m", "tmpfs", str(disk)], capture_output=True
    )
    require(mounted.returncode == 0, f"cannot mount a tmpfs here: {mounted.stderr!r}")
    try:
        yield disk
    finally:
        subprocess.run(["umount", "-l", str(disk)], capture_output=True)


def _fill(disk: Path, leave: int) -> Path:
    filler = disk / "filler"
    stat = os.statvfs(disk)
    with open(filler, "wb") as f:
        f.write(b"\0" * max(0, stat.f_bavail * stat.f_frsize - leave))
    return filler


def test_full_disk_is_503_on_every_write_and_the_data_stays(small_disk: Path) -> None:
    from kg.store import EmbeddedStore

    store = EmbeddedStore(small_disk / "store")
    with store.writer() as writer:
        writer.add(
            ox.Quad(
                ox.NamedNode("http://example.org/s"),
                ox.NamedNode("http://example.org/p"),
                ox.Literal("kept"),
                ox.NamedNode("http://example.org/g"),
            )
        )
    del store
    server = start_gunicorn(
        {"KG_STORE": str(small_disk / "store"), "KG_UPDATE_TOKEN": "full-disk-token"}, workers=1
    )
    try:
        filler = _fill(small_disk, leave=200_000)
        body = "\n".join(
            f'<http://example.org/s{i}> <http://example.org/p> "{"x" * 250} {i}" .'
            for i in range(3000)
        ).encode()[:900_000]
        body = body[: body.rfind(b"\n") + 1]
        writes = [
            requests.put(
                server.url + "/store?graph=http://example.org/new",
                data=body,
                headers={**TOKEN, "Content-Type": "application/n-triples"},
                timeout=60,
            ),
            requests.post(
                server.url + "/store?graph=http://example.org/g",
                data=body,
                headers={**TOKEN, "Content-Type": "application/n-triples"},
                timeout=60,
            ),
            requests.post(
                server.url + "/update",
                data=f"INSERT DATA {{ GRAPH <http://example.org/u> {{ <http://example.org/a> "
                f'<http://example.org/b> "{"y" * 600_000}" }} }}',
                headers={**TOKEN, "Content-Type": "application/sparql-update"},
                timeout=60,
            ),
        ]
        for response in writes:
            assert response.status_code == 503, (response.status_code, response.text[:300])
            assert "disk is full" in response.text
            assert "Traceback" not in response.text
        kept = requests.get(
            server.url + "/store?graph=http://example.org/g",
            headers={"Accept": "application/n-triples"},
            timeout=30,
        )
        assert kept.status_code == 200 and '"kept"' in kept.text and "s1>" not in kept.text
        filler.unlink()  # room again: writes work
        again = requests.put(
            server.url + "/store?graph=http://example.org/new",
            data=b'<http://example.org/s> <http://example.org/p> "new" .\n',
            headers={**TOKEN, "Content-Type": "application/n-triples"},
            timeout=60,
        )
        assert again.status_code == 201, again.text[:300]
    finally:
        server.stop()
