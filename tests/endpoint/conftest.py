"""Endpoint fixtures: a small known store, real ``kg serve`` (gunicorn) servers on free ports.

The store is loaded from the TriG below through ``EmbeddedStore.writer()`` so that every
expected answer is known here: the three W3C protocol-test graphs (``data1.rdf`` …), a
graph of the project's own IRIs, and 400 numbered triples (cartesian products for the
timeout test, more rows than ``KG_MAX_ROWS`` for the cap).
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.servers import (  # noqa: F401
    ROOT,
    free_port,
    listening_port,
    spawn,
    start_oxigraph,
    stop,
    wait_http,
)

KASEI = "http://kasei.us/2009/09/sparql/data/"
BASE = "https://w3id.org/sgkg/"
ARTICLE = BASE + "graph/article"
NUMBERS = BASE + "graph/numbers"
N_NUMBERS = 400
#: base URL → pid of each running ``kg serve`` (tests that inspect its processes)
SERVER_PIDS: dict[str, int] = {}
#: the small server's caps (tests read them)
TIMEOUT_S = 3.0
MAX_ROWS = 250


def trig() -> str:
    parts = [
        "@prefix foaf: <http://xmlns.com/foaf/0.1/> .",
        "@prefix dc: <http://purl.org/dc/elements/1.1/> .",
        "@prefix sg: <https://w3id.org/sgkg/ontology/> .",
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .",
        "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .",
    ]
    for n in (1, 2, 3):
        doc = f"<{KASEI}data{n}.rdf>"
        parts.append(f'{doc} {{ {doc} a foaf:Document ; dc:title "data{n}" . }}')
    parts.append(
        f"<{ARTICLE}> {{\n"
        f'  <{BASE}id/country/ukraine> a sg:Beneficiary ; rdfs:label "Ukraine"@en, "Україна"@uk .\n'
        f'  <{BASE}id/country/france> a sg:Guarantor ; rdfs:label "France"@en ;\n'
        f'      sg:troops "2000"^^xsd:integer ; rdfs:comment "says \\"yes\\", maybe\\nlater" .\n'
        f"  <{BASE}id/country/france> sg:guarantees <{BASE}id/country/ukraine> .\n"
        "}"
    )
    numbers = "\n".join(
        f'  <{BASE}id/n/{i}> <{BASE}ontology/value> "{i}"^^xsd:integer .' for i in range(N_NUMBERS)
    )
    parts.append(f"<{NUMBERS}> {{\n{numbers}\n}}")
    return "\n".join(parts) + "\n"


@pytest.fixture(scope="session")
def store_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Overrides the built article store: the endpoint tests need known answers."""
    import pyoxigraph as ox

    from kg.store import EmbeddedStore

    path = tmp_path_factory.mktemp("endpoint-store") / "store"
    with EmbeddedStore(path).writer(fresh=True) as oxstore:
        oxstore.load(trig().encode(), format=ox.RdfFormat.TRIG)
    return path


@contextlib.contextmanager
def kg_serve(store: Path, workers: int = 1, **env: str) -> Iterator[str]:
    """``python -m kg.cli serve`` with ``KG_*`` overrides; yields the base URL."""
    full_env = {
        **os.environ,
        "KG_STORE": str(store),
        "KG_QUERY_TIMEOUT": str(TIMEOUT_S),
        "KG_MAX_ROWS": str(MAX_ROWS),
        "KG_DUMPS": str(store) + "-dumps",  # kg serve writes its store's dumps there first
        **env,
    }
    full_env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    proc = spawn(
        [sys.executable, "-m", "kg.cli", "serve", "--port", "0", "--workers", str(workers)],
        env=full_env,
        cwd=ROOT,
    )
    url = ""
    try:
        url = f"http://127.0.0.1:{listening_port(proc)}"
        wait_http(url + "/healthz", proc)
        SERVER_PIDS[url] = proc.pid
        yield url
    finally:
        SERVER_PIDS.pop(url, None)
        stop(proc)


@pytest.fixture(scope="session")
def remote_endpoint_store(oxigraph_binary: str, tmp_path_factory: pytest.TempPathFactory):
    """A real ``oxigraph serve`` holding the same TriG: the store of the remote mode."""
    location = tmp_path_factory.mktemp("endpoint-remote")
    data = location.parent / "endpoint-remote.trig"
    data.write_text(trig(), encoding="utf-8")
    process = start_oxigraph(oxigraph_binary, location / "db", [data])
    yield process.url
    process.stop()


@pytest.fixture(scope="session")
def virtuoso_endpoint_store(virtuoso_factory) -> str:
    """A real Virtuoso 7 holding the same TriG."""
    import pyoxigraph as ox

    from kg.store import open_store

    url = virtuoso_factory()
    open_store(url).write_dataset(ox.parse(trig().encode(), format=ox.RdfFormat.TRIG))
    return url


@pytest.fixture(scope="session", params=["embedded", "remote", "virtuoso"])
def store_mode(request: pytest.FixtureRequest) -> str:
    """The protocol suite runs in every store mode: the embedded pyoxigraph store, and a
    real ``oxigraph serve`` or Virtuoso 7 behind the app (``KG_STORE=http://…``)."""
    return request.param


@pytest.fixture(scope="session")
def endpoint(store_mode: str, store_dir: Path, request: pytest.FixtureRequest) -> Iterator[str]:
    """A real ``kg serve`` (2 gunicorn workers × 4 threads) on the test store, in each store
    mode; yields ``http://127.0.0.1:PORT/sparql``."""
    location = {
        "remote": lambda: request.getfixturevalue("remote_endpoint_store"),
        "virtuoso": lambda: request.getfixturevalue("virtuoso_endpoint_store"),
    }.get(store_mode, lambda: store_dir)()
    with kg_serve(location, workers=2) as url:
        yield url + "/sparql"


@pytest.fixture(scope="session")
def base_url(endpoint: str) -> str:
    return endpoint.removesuffix("/sparql")


@pytest.fixture(scope="session")
def endpoint_pid(base_url: str) -> int:
    """The pid of the gunicorn master behind ``endpoint``."""
    return SERVER_PIDS[base_url]
