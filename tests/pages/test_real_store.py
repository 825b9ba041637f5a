"""Smoke tests of every surface on the real built article graph (not a fixture store)."""

from __future__ import annotations

import re

import pytest
import rdflib

BASE = "https://w3id.org/sgkg/"


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/id/country/france",
        "/id/country/united-states",
        "/source/ukraine-security-guarantees",
        "/search?q=france",
        "/ontology",
        "/ontology/Commitment",
        "/shapes",
        "/void",
        "/validate",
        "/sparql",
    ],
)
def test_every_surface_renders_html(client, path: str) -> None:
    response = client.get(path, headers={"Accept": "text/html"})
    assert response.status_code == 200, response.data[:500]
    assert response.mimetype == "text/html"
    assert b"Traceback" not in response.data


def test_published_graph_conforms(client) -> None:
    response = client.get("/validate", headers={"Accept": "application/json"})
    assert response.status_code == 200
    assert response.get_json()["conforms"] is True


def test_every_assertion_graph_dereferences_with_its_quote(client, store) -> None:
    graphs = [
        g for g in store.named_graphs() if re.fullmatch(rf"{BASE}np/RA[\w-]{{43}}/assertion", g)
    ]
    assert len(graphs) >= 60
    for iri in graphs[:: max(1, len(graphs) // 12)]:
        path = iri.removeprefix(BASE[:-1])
        response = client.get(path, headers={"Accept": "text/turtle"})
        assert response.status_code == 200, path
        g = rdflib.Graph().parse(data=response.data, format="turtle")
        assert len(g) > 0
        html = client.get(path, headers={"Accept": "text/html"}).get_data(as_text=True)
        assert "in the source" in html or "oa:exact" in html or "<mark" in html


def test_void_counts_match_the_store(app, client) -> None:
    store = app.extensions["kg_store"]  # the store of this mode (embedded or remote)
    response = client.get("/void", headers={"Accept": "text/turtle"})
    g = rdflib.Graph().parse(data=response.data, format="turtle")
    triples = g.value(
        rdflib.URIRef(BASE + "void"), rdflib.URIRef("http://rdfs.org/ns/void#triples")
    )
    total = int(
        next(
            iter(
                store.query(
                    "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o { ?s ?p ?o } }"
                )
            )
        )["n"].value
    )  # void:triples counts distinct triples of the union graph
    assert int(triples) == total
