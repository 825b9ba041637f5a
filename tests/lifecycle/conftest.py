"""A store of the real sources for the lifecycle tests, loaded without the SHACL/OWL steps
(those have their own tests): what is tested here is what the compiler mints and the server
serves. Keys and releases go to temporary folders (``KG_KEYS``, ``KG_RELEASES``)."""

from __future__ import annotations

from pathlib import Path

import pytest


def load(path: Path, quads) -> object:
    from kg.store import EmbeddedStore

    store = EmbeddedStore(path)
    with store.writer() as ox_store:
        for graph in list(ox_store.named_graphs()):
            ox_store.remove_graph(graph)
        ox_store.extend(quads)
    return store


@pytest.fixture(scope="session")
def np_store_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from kg import sources

    path = tmp_path_factory.mktemp("np-store") / "store"
    load(path, sources.compile_quads())
    return path


@pytest.fixture(scope="session")
def np_store(np_store_dir: Path):
    from kg.store import EmbeddedStore

    return EmbeddedStore(np_store_dir)


@pytest.fixture()
def np_client(np_store_dir: Path, tmp_path: Path):
    from server import create_app

    app = create_app({"STORE": str(np_store_dir), "TESTING": True, "RELEASES": str(tmp_path)})
    return app.test_client()


@pytest.fixture(scope="session")
def np_server(np_store_dir: Path):
    from tests.servers import start_gunicorn

    process = start_gunicorn({"KG_STORE": str(np_store_dir)})
    yield process.url
    process.stop()
