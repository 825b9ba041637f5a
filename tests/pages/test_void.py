"""/void and /.well-known/void: RDF by conneg (Turtle for non-browsers), HTML for people."""

from __future__ import annotations

from pathlib import Path

import pytest
import rdflib
from rdflib import RDF, URIRef

from tests.pages.test_ontology_docs import BASE, HTML, build_small_store

VOID = rdflib.Namespace("http://rdfs.org/ns/void#")
DCAT = rdflib.Namespace("http://www.w3.org/ns/dcat#")
DATASET = URIRef(f"{BASE}void")


@pytest.fixture(scope="module")
def void_app(tmp_path_factory: pytest.TempPathFactory):
    from kg.publish.dump import dump
    from server import create_app

    root = tmp_path_factory.mktemp("voidapp")
    store = build_small_store(root / "store")
    dump(store, root / "dumps")
    return create_app({"STORE": str(root / "store"), "TESTING": True, "DUMPS": str(root / "dumps")})


@pytest.fixture()
def client(void_app):
    return void_app.test_client()


@pytest.mark.parametrize("path", ["/void", "/.well-known/void"])
def test_void_is_turtle_for_non_browsers(client, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert response.mimetype == "text/turtle"
    assert "Accept" in response.headers["Vary"]
    graph = rdflib.Graph().parse(data=response.data, format="turtle")
    assert (DATASET, RDF.type, VOID.Dataset) in graph
    assert graph.value(DATASET, VOID.sparqlEndpoint) == URIRef("http://localhost/sparql")
    assert graph.value(DATASET, VOID.uriSpace) is not None
    dumps = set(graph.objects(DATASET, VOID.dataDump))
    assert URIRef("http://localhost/dumps/sgkg.nq.gz") in dumps
    assert len(list(graph.objects(DATASET, VOID.subset))) >= 3
    assert 'rel="alternate"' in response.headers["Link"]


@pytest.mark.parametrize(
    ("accept", "fmt"),
    [
        ("application/ld+json", "json-ld"),
        ("application/rdf+xml", "xml"),
        ("application/n-triples", "nt"),
    ],
)
def test_void_other_formats(client, accept: str, fmt: str) -> None:
    response = client.get("/void", headers={"Accept": accept})
    assert response.mimetype == accept
    graph = rdflib.Graph().parse(data=response.data, format=fmt)
    assert (DATASET, RDF.type, DCAT.Dataset) in graph


def test_void_html_summary(client) -> None:
    response = client.get("/void", headers=HTML)
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    for text in (
        "Linksets",
        "Wikidata",
        "Class partitions",
        "sgkg.nq.gz",
        "http://localhost/sparql",
    ):
        assert text in html, text
    assert '<link rel="alternate" type="text/turtle" href="/void.ttl">' in html
    assert client.get("/void.ttl").mimetype == "text/turtle"
    assert client.get("/void.jsonld").mimetype == "application/ld+json"


def test_void_cached_dumps_follow_the_directory(void_app, tmp_path: Path) -> None:
    """The statistics are cached per store version; the dumps are read on each request."""
    app = void_app
    original = app.config["DUMPS"]
    try:
        app.config["DUMPS"] = str(tmp_path / "none")
        graph = rdflib.Graph().parse(data=app.test_client().get("/void").data, format="turtle")
        assert not list(graph.objects(DATASET, VOID.dataDump))
    finally:
        app.config["DUMPS"] = original
