"""Hostile input against a real gunicorn server (issue 10): the "billion laughs" RDF/XML is
refused fast without the worker growing; concurrent first validations never break a worker;
a large validation leaves no memory behind in the worker."""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests

from kg.checks.sandbox import rss_bytes
from tests.servers import Process, start_gunicorn
from tests.validation_samples import BAD, GOOD

pytestmark = [pytest.mark.server, pytest.mark.slow]

MB = 1024 * 1024


def billion_laughs(levels: int = 9, references: int = 10) -> bytes:
    entities = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * references}">' for i in range(1, levels + 1)
    ]
    return (
        '<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [\n' + "\n".join(entities) + "\n]>\n"
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
        'xmlns:ex="http://example.org/">\n'
        f'<rdf:Description rdf:about="http://example.org/s"><ex:p>&lol{levels};</ex:p>'
        "</rdf:Description></rdf:RDF>\n"
    ).encode()


def workers(master: int) -> list[int]:
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return [int(pid) for pid in children]


def worker_rss(master: int) -> dict[int, int]:
    return {pid: rss_bytes(pid) for pid in workers(master)}


def _validate(url: str, body: bytes, media: str = "text/turtle") -> requests.Response:
    return requests.post(
        url + "/validate",
        data=body,
        headers={"Content-Type": media, "Accept": "application/json", "Connection": "close"},
        timeout=600,  # queued behind the worker's other validations on a busy machine
    )


@pytest.fixture(scope="module")
def server(store_dir: Path) -> Iterator[Process]:
    process = start_gunicorn({"KG_STORE": str(store_dir), "KG_QUERY_TIMEOUT": "120"}, workers=2)
    yield process
    process.stop()


def test_billion_laughs_is_refused_fast_and_the_worker_does_not_grow(server: Process) -> None:
    before = worker_rss(server.proc.pid)
    started = time.monotonic()
    for media in ("application/rdf+xml", "application/rdf+xml; charset=utf-8"):
        response = _validate(server.url, billion_laughs(), media)
        assert 400 <= response.status_code < 500, response.text[:300]
        assert "DTD" in response.json()["message"]
    elapsed = time.monotonic() - started
    after = worker_rss(server.proc.pid)
    growth = max(after.get(pid, 0) - rss for pid, rss in before.items())
    print(f"bomb refused twice in {elapsed:.3f} s; largest worker growth {growth / MB:.1f} MB")
    assert elapsed < 5
    assert growth < 300 * MB


def test_bomb_as_a_graph_store_upload_is_refused(server: Process) -> None:
    response = requests.put(
        server.url + "/store?graph=urn:x",
        data=billion_laughs(),
        headers={"Content-Type": "application/rdf+xml", "Authorization": "Bearer nope"},
        timeout=30,
    )
    assert 400 <= response.status_code < 500  # 401/403/404 before any parsing: no token set


def test_a_large_validation_leaves_no_memory_in_the_worker(server: Process) -> None:
    rows = "\n".join(
        f"<https://w3id.org/sgkg/id/country/c{i}> a <https://w3id.org/sgkg/ontology/State> ; "
        f'<http://www.w3.org/2000/01/rdf-schema#label> "State {i} {"x" * 20}"@en .'
        for i in range(1500)
    ).encode()
    assert len(rows) < 1_000_000
    _validate(server.url, GOOD)  # the sandbox is started
    before = worker_rss(server.proc.pid)
    response = _validate(server.url, rows)
    assert response.status_code == 200, response.text[:300]
    after = worker_rss(server.proc.pid)
    growth = max(after.get(pid, 0) - rss for pid, rss in before.items())
    print(f"1,500-entity validation: largest worker growth {growth / MB:.1f} MB")
    assert growth < 100 * MB


def test_concurrent_first_validations_never_break_a_worker(store_dir: Path) -> None:
    fresh = start_gunicorn({"KG_STORE": str(store_dir), "KG_QUERY_TIMEOUT": "120"}, workers=2)
    try:
        with ThreadPoolExecutor(8) as pool:
            first = list(pool.map(lambda _: _validate(fresh.url, GOOD), range(8)))
        statuses = [r.status_code for r in first]
        assert statuses == [200] * 8, [r.text[:200] for r in first]
        assert all(r.json()["conforms"] for r in first)
        # afterwards every worker still validates, correctly (new connections: both workers)
        later = [_validate(fresh.url, GOOD if i % 2 else BAD) for i in range(8)]
        assert [r.status_code for r in later] == [200] * 8, [r.text[:200] for r in later]
        assert [r.json()["conforms"] for r in later] == [bool(i % 2) for i in range(8)]
    finally:
        fresh.stop()
