"""Fixtures for linking, federation and remote-store tests: real ``oxigraph serve`` processes
(an empty remote store, the Wikidata stand-in, the article built into a remote store) and real
gunicorn servers in front of them.

``remote_store_url`` is meant to be reused: it yields the base URL of an ``oxigraph serve``
holding the built article, ready for ``KG_STORE=<url>`` (remote-store mode).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.linking.linking_servers import FIXTURES, Process, start_gunicorn, start_oxigraph


@pytest.fixture()
def oxigraph_process(oxigraph_binary: str, tmp_path: Path) -> Iterator[Process]:
    """An empty ``oxigraph serve`` of this test only (the test may stop it)."""
    process = start_oxigraph(oxigraph_binary, tmp_path / "oxigraph")
    yield process
    process.stop()


@pytest.fixture(scope="session")
def wikidata_standin(
    oxigraph_binary: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """The Wikidata stand-in's SPARQL endpoint URL (``…/query``), real identifiers."""
    location = tmp_path_factory.mktemp("wikidata")
    process = start_oxigraph(oxigraph_binary, location, [FIXTURES / "wikidata-mini.ttl"])
    yield process.url + "/query"
    process.stop()


@pytest.fixture(scope="session")
def federation_server(store_dir: Path, wikidata_standin: str) -> Iterator[str]:
    """Our app under gunicorn (embedded store) allowed to federate with the stand-in only."""
    process = start_gunicorn({"KG_STORE": str(store_dir), "KG_FEDERATION_ALLOW": wikidata_standin})
    yield process.url
    process.stop()
