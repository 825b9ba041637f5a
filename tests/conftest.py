"""Fixture ladder: built store → app → client → runner; real servers on free ports.

Tests that need something this machine may lack (Java, Chromium, Node, the ``oxigraph``
binary) call :func:`require`; it skips with the reason, or fails when ``KG_REQUIRE_ALL=1``
(set by ``.ci/run``), so that CI can never go green by skipping.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
REQUIRE_ALL = os.environ.get("KG_REQUIRE_ALL") == "1"
ARTIFACTS = ROOT / "tests" / "artifacts"


def require(condition: bool, reason: str) -> None:
    """Skip (or, under ``KG_REQUIRE_ALL=1``, fail) when ``condition`` is false."""
    if condition:
        return
    if REQUIRE_ALL:
        pytest.fail(f"required in CI: {reason}")
    pytest.skip(reason)


def which(name: str) -> str | None:
    found = VENV_BIN / name
    if found.exists():
        return str(found)
    return shutil.which(name)


def has_java() -> bool:
    return which("java") is not None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_http(url: str, proc: subprocess.Popen | None = None, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            out = proc.stdout.read().decode(errors="replace") if proc.stdout else ""
            raise RuntimeError(f"server exited with {proc.returncode}: {out[-2000:]}")
        with contextlib.suppress(requests.RequestException):
            if requests.get(url, timeout=2).status_code < 500:
                return
        time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer within {timeout}s")


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


# --- the built store -------------------------------------------------------------------


@pytest.fixture(scope="session")
def store_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The article graph built once per session into an embedded store (reasoner off:
    the reasoner has its own tests; the build's strict path is tested in tests/kg/)."""
    from kg.build import build
    from kg.store import EmbeddedStore

    path = tmp_path_factory.mktemp("store") / "store"
    build(EmbeddedStore(path), reasoner=False)
    return path


@pytest.fixture(scope="session")
def store(store_dir: Path):
    from kg.store import EmbeddedStore

    return EmbeddedStore(store_dir)


@pytest.fixture(scope="session")
def remote_store_url(oxigraph_binary: str, tmp_path_factory: pytest.TempPathFactory):
    """A real ``oxigraph serve`` with the article built into it by ``kg.build`` (remote mode):
    ``KG_STORE=<this URL>``."""
    from kg.build import build
    from kg.remote_store import RemoteStore
    from tests.linking.linking_servers import start_oxigraph

    process = start_oxigraph(oxigraph_binary, tmp_path_factory.mktemp("remote-store"))
    try:
        build(RemoteStore(process.url), reasoner=False)
        yield process.url
    finally:
        process.stop()


@pytest.fixture(scope="session", params=["embedded", "remote"])
def app(request: pytest.FixtureRequest, store_dir: Path):
    """The app on the built article, once per store mode: the embedded pyoxigraph store and
    the remote-store mode over a real ``oxigraph serve`` (the same data)."""
    from server import create_app

    if request.param == "remote":
        location = request.getfixturevalue("remote_store_url")
    else:
        location = str(store_dir)
    return create_app({"STORE": location, "TESTING": True})


@pytest.fixture()
def client(app):
    return app.test_client()


@pytest.fixture()
def runner(capsys: pytest.CaptureFixture[str]):
    """Call the ``kg`` CLI in-process: ``runner(["stats"]) -> (exit_code, out, err)``."""
    from kg.cli import main

    def run(argv: list[str]) -> tuple[int, str, str]:
        code = main(argv)
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run


# --- real servers ------------------------------------------------------------------------


@pytest.fixture(scope="session")
def gunicorn_server(store_dir: Path) -> Iterator[str]:
    """``kg serve`` (gunicorn, several workers) on a free port; yields its base URL."""
    port = free_port()
    env = {**os.environ, "KG_STORE": str(store_dir), "KG_QUERY_TIMEOUT": "5"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "kg.cli", "serve", "--port", str(port), "--workers", "2"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        cwd=ROOT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_http(url + "/healthz", proc)
        yield url
    finally:
        stop(proc)


@pytest.fixture(scope="session")
def oxigraph_binary() -> str:
    path = which("oxigraph")
    require(path is not None, "the `oxigraph` server binary (PyPI package oxigraph) is missing")
    return str(path)


@pytest.fixture(scope="session")
def oxigraph_factory(oxigraph_binary: str, tmp_path_factory: pytest.TempPathFactory):
    """Start real ``oxigraph serve`` processes: ``start(data_files=[...]) -> base URL``."""
    procs: list[subprocess.Popen] = []

    def start(data_files: list[Path] | None = None) -> str:
        location = tmp_path_factory.mktemp("oxigraph")
        for data in data_files or []:
            subprocess.run(
                [oxigraph_binary, "load", "--location", str(location), "--file", str(data)],
                check=True,
                capture_output=True,
            )
        port = free_port()
        proc = subprocess.Popen(
            [oxigraph_binary, "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}"],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        procs.append(proc)
        url = f"http://127.0.0.1:{port}"
        wait_http(url + "/query?query=ASK%7B%7D", proc)
        return url

    yield start
    for proc in procs:
        stop(proc)
