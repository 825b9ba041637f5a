"""The store backends of the contract suite: embedded, a real ``oxigraph serve`` and a real
Virtuoso 7, each started once per session and emptied before every test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from kg.store import Store, open_store
from tests.servers import require, start_oxigraph, start_virtuoso, virtuoso_binaries, which

BACKENDS = ("embedded", "oxigraph", "virtuoso")


@pytest.fixture(scope="session")
def contract_oxigraph_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    binary = which("oxigraph")
    require(binary is not None, "the `oxigraph` server binary (PyPI package oxigraph) is missing")
    assert binary is not None
    process = start_oxigraph(binary, tmp_path_factory.mktemp("contract-oxigraph"))
    yield process.url
    process.stop()


@pytest.fixture(scope="session")
def contract_virtuoso_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    require(
        virtuoso_binaries() is not None,
        "Virtuoso 7 is missing (Debian package virtuoso-opensource: virtuoso-t, isql-vt)",
    )
    process = start_virtuoso(tmp_path_factory.mktemp("contract-virtuoso"))
    yield process.url
    process.stop()


def empty(store: Store) -> Store:
    """Drop every graph the store shows (our bookkeeping stays)."""
    for graph in store.named_graphs():
        store.drop_graph(graph)
    return store


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """An empty store of each kind (the same tests run against every one)."""
    settings = {"QUERY_TIMEOUT": 10.0, "QUERY_WORKERS": 2}
    if request.param == "embedded":
        store = open_store(tmp_path / "store", settings)
        store.write_dataset([])  # a first, empty generation: a built store with no data
    else:
        url = request.getfixturevalue(f"contract_{request.param}_url")
        store = empty(open_store(url, settings))
    yield store
    store.close()
