"""Fixture ladder: built store → app → client → runner; real servers on free ports.

Tests that need something this machine may lack (Java, Chromium, Node, the ``oxigraph``
binary) call :func:`tests.servers.require`; it skips with the reason, or fails when
``KG_REQUIRE_ALL=1`` (set by ``.ci/run``), so that CI can never go green by skipping.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.servers import (  # noqa: F401  (require/free_port/wait_http are used by test modules)
    ROOT,
    free_port,
    require,
    start_gunicorn,
    start_oxigraph,
    stop,
    wait_http,
    which,
)

VENV_BIN = Path(sys.executable).parent
# The suite makes thousands of requests a minute from one address: the per-client budgets
# are off unless a test turns them on (tests/hardening/test_rate_limit.py); the servers the
# tests start inherit this environment.
os.environ.setdefault("KG_RATE_LIMIT_REQUESTS", "0")
os.environ.setdefault("KG_RATE_LIMIT_QUERY_SECONDS", "0")
ARTIFACTS = ROOT / "tests" / "artifacts"


def has_java() -> bool:
    return which("java") is not None


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
    process = start_gunicorn({"KG_STORE": str(store_dir), "KG_QUERY_TIMEOUT": "5"})
    yield process.url
    process.stop()


@pytest.fixture(scope="session")
def oxigraph_binary() -> str:
    path = which("oxigraph")
    require(path is not None, "the `oxigraph` server binary (PyPI package oxigraph) is missing")
    return str(path)


@pytest.fixture(scope="session")
def oxigraph_factory(oxigraph_binary: str, tmp_path_factory: pytest.TempPathFactory):
    """Start real ``oxigraph serve`` processes: ``start(data_files=[...]) -> base URL``."""
    processes = []

    def start(data_files: list[Path] | None = None) -> str:
        location = tmp_path_factory.mktemp("oxigraph")
        process = start_oxigraph(oxigraph_binary, location, data_files)
        processes.append(process)
        return process.url

    yield start
    for process in processes:
        process.stop()
