"""Fixtures for the page tests: small stores shaped like the real graph (pages_fixture.py).

``mini_client`` serves the fixture; ``hostile_client`` the same plus labels that try to
break out of HTML and of the embedded JSON-LD; ``big_client`` adds 130 states for paging.
The real built store is the top-level ``client`` fixture.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from tests.pages.pages_fixture import BASE, build_store

HOSTILE = f"""
<{BASE}graph/entities> {{
  <{BASE}id/country/evil> a <{BASE}ontology/State> ;
      <http://www.w3.org/2000/01/rdf-schema#label> "<script>alert(1)</script>"@en ,
          "</script><script>alert(2)</script>"@fr ;
      <http://www.w3.org/2000/01/rdf-schema#comment> "Tom & Jerry <b>bold</b>" .
}}
"""


def _app(path: Path):
    from server import create_app

    return create_app({"STORE": str(path), "TESTING": True})


@pytest.fixture(scope="session")
def mini_store_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_store(tmp_path_factory.mktemp("mini") / "store")


@pytest.fixture(scope="session")
def mini_app(mini_store_dir: Path):
    return _app(mini_store_dir)


@pytest.fixture()
def mini_client(mini_app):
    return mini_app.test_client()


@pytest.fixture(scope="session")
def mini_reader(mini_store_dir: Path):
    from kg.store import EmbeddedStore

    return EmbeddedStore(mini_store_dir).reader()


@pytest.fixture(scope="session")
def hostile_client(tmp_path_factory: pytest.TempPathFactory):
    path = build_store(tmp_path_factory.mktemp("hostile") / "store", extra=HOSTILE)
    return _app(path).test_client()


@pytest.fixture(scope="session")
def big_client(tmp_path_factory: pytest.TempPathFactory):
    state = ox.NamedNode(f"{BASE}ontology/State")
    graph = ox.NamedNode(f"{BASE}graph/entities")
    label = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
    rdf_type = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    quads = []
    for n in range(130):
        node = ox.NamedNode(f"{BASE}id/country/generated-{n:03d}")
        quads.append(ox.Quad(node, rdf_type, state, graph))
        quads.append(
            ox.Quad(node, label, ox.Literal(f"Generated state {n:03d}", language="en"), graph)
        )
    path = build_store(tmp_path_factory.mktemp("big") / "store", extra_quads=quads)
    return _app(path).test_client()
