"""CORS on every read (issue 10): each document family answers GET/HEAD with
``Access-Control-Allow-Origin: *``, the SPARQL protocol answers its preflight, writes are not
opened to other origins."""

from __future__ import annotations

import pytest

ORIGIN = {"Origin": "https://example.org"}


def _some(client, query: str) -> str:
    response = client.get(
        "/sparql", query_string={"query": query}, headers={"Accept": "application/json"}
    )
    bindings = response.get_json()["results"]["bindings"]
    assert bindings, query
    return next(iter(bindings[0].values()))["value"]


def _path(iri: str) -> str:
    return "/" + iri.removeprefix("https://w3id.org/sgkg/")


@pytest.fixture(scope="module")
def paths(app) -> dict[str, str]:
    client = app.test_client()
    entity = _some(
        client,
        'SELECT ?s { ?s ?p ?o FILTER(STRSTARTS(STR(?s), "https://w3id.org/sgkg/id/")) } LIMIT 1',
    )
    graph = _some(
        client,
        "SELECT ?g { GRAPH ?g { ?s ?p ?o } "
        'FILTER(STRSTARTS(STR(?g), "https://w3id.org/sgkg/graph/")) } LIMIT 1',
    )
    return {
        "home": "/",
        "entity": _path(entity),
        "entity-jsonld": _path(entity) + ".jsonld",
        "named-graph": _path(graph),
        "named-graph-jsonld": _path(graph) + ".jsonld",
        "ontology": "/ontology",
        "ontology-ttl": "/ontology.ttl",
        "shapes": "/shapes",
        "void": "/void",
        "well-known-void": "/.well-known/void",
        "dumps": "/dumps/",
        "search": "/search?q=france",
        "sparql": "/sparql?query=ASK%7B%7D",
        "store": "/store?graph=" + graph,
        "missing": "/id/nothing/here",
    }


FAMILIES = [
    "home", "entity", "entity-jsonld", "named-graph", "named-graph-jsonld", "ontology",
    "ontology-ttl", "shapes", "void", "well-known-void", "dumps", "search", "sparql", "store",
    "missing",
]  # fmt: skip


@pytest.mark.parametrize("family", FAMILIES)
def test_every_read_allows_any_origin(client, paths, family: str) -> None:
    accept = {"Accept": "application/ld+json"} if family.startswith("named-graph") else {}
    for method in ("GET", "HEAD"):
        response = client.open(paths[family], method=method, headers={**ORIGIN, **accept})
        assert response.status_code < 500, (family, response.status_code)
        assert response.headers.get("Access-Control-Allow-Origin") == "*", (family, method)
        assert "Access-Control-Allow-Credentials" not in response.headers


def test_sparql_preflight_and_post(client) -> None:
    preflight = client.options(
        "/sparql",
        headers={
            **ORIGIN,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert preflight.status_code in (200, 204)
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]
    assert "content-type" in preflight.headers["Access-Control-Allow-Headers"].lower()
    posted = client.post("/sparql", data={"query": "ASK {}"}, headers=ORIGIN)
    assert posted.headers["Access-Control-Allow-Origin"] == "*"


def test_read_preflight_elsewhere(client, paths) -> None:
    response = client.options(
        paths["named-graph"], headers={**ORIGIN, "Access-Control-Request-Method": "GET"}
    )
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "GET" in response.headers["Access-Control-Allow-Methods"]


def test_writes_are_not_opened_to_other_origins(client) -> None:
    response = client.post("/update", data="CLEAR ALL", content_type="application/sparql-update")
    assert "Access-Control-Allow-Origin" not in response.headers
