"""Dereferencing /id/… and /graph/…: content negotiation, suffixes, headers, 404/406."""

from __future__ import annotations

import json

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.compare import graph_diff, isomorphic

from kg.rdfio import to_rdflib_term
from tests.pages.pages_fixture import BASE

FRANCE = f"{BASE}id/country/france"
VOID_IN = rdflib.URIRef("http://rdfs.org/ns/void#inDataset")

# (Accept, suffix, rdflib parser name)
FORMATS = [
    ("text/turtle", "ttl", "turtle"),
    ("application/n-triples", "nt", "nt"),
    ("application/rdf+xml", "rdf", "xml"),
    ("application/ld+json", "jsonld", "json-ld"),
    ("application/trig", "trig", "trig"),
    ("application/n-quads", "nq", "nquads"),
]


XSD_STRING = rdflib.URIRef("http://www.w3.org/2001/XMLSchema#string")


def term(node):
    """pyoxigraph term → rdflib term, with xsd:string literals plain (as parsers give them)."""
    value = to_rdflib_term(node)
    if isinstance(value, rdflib.Literal) and value.datatype == XSD_STRING:
        return rdflib.Literal(str(value))
    return value


def expected_triples(reader, iri: str) -> set:
    node = ox.NamedNode(iri)
    triples = {
        (term(q.subject), term(q.predicate), term(q.object))
        for q in reader.quads_for_pattern(node, None, None, None)
    }
    triples.add((rdflib.URIRef(iri), VOID_IN, rdflib.URIRef(f"{BASE}void")))
    return triples


def parse(body: bytes, parser: str) -> rdflib.Dataset:
    ds = rdflib.Dataset()
    ds.parse(data=body, format=parser)
    return ds


def triples_of(ds: rdflib.Dataset) -> set:
    return {(s, p, o) for s, p, o, _g in ds.quads((None, None, None, None))}


@pytest.mark.parametrize(("accept", "suffix", "parser"), FORMATS)
def test_conneg_and_suffix_give_the_same_graph(mini_client, mini_reader, accept, suffix, parser):
    expected = expected_triples(mini_reader, FRANCE)
    by_accept = mini_client.get("/id/country/france", headers={"Accept": accept})
    assert by_accept.status_code == 200
    assert by_accept.mimetype == accept
    assert "Accept" in by_accept.headers["Vary"]
    assert by_accept.headers["Content-Location"] == f"/id/country/france.{suffix}"
    assert triples_of(parse(by_accept.data, parser)) == expected
    by_suffix = mini_client.get(f"/id/country/france.{suffix}", headers={"Accept": "text/html"})
    assert by_suffix.status_code == 200
    assert by_suffix.mimetype == accept
    assert triples_of(parse(by_suffix.data, parser)) == expected


def test_quad_formats_keep_graph_names(mini_client):
    ds = parse(mini_client.get("/id/country/france.nq").data, "nquads")
    graphs = {str(g) for _s, _p, _o, g in ds.quads((None, None, None, None)) if g}
    assert f"{BASE}graph/entities" in graphs
    assert f"{BASE}graph/links/wikidata" in graphs


def test_q_values_and_lists(mini_client):
    r = mini_client.get(
        "/id/country/france", headers={"Accept": "text/html;q=0.5, text/turtle;q=0.9, */*;q=0.1"}
    )
    assert r.mimetype == "text/turtle"
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    assert (
        mini_client.get("/id/country/france", headers={"Accept": browser}).mimetype == "text/html"
    )
    # no Accept, or only */* (curl, libraries): the canonical RDF; HTML only when named
    assert mini_client.get("/id/country/france").mimetype == "text/turtle"
    assert mini_client.get("/id/country/france", headers={"Accept": "*/*"}).mimetype == (
        "text/turtle"
    )
    plain_json = mini_client.get("/id/country/france", headers={"Accept": "application/json"})
    assert plain_json.mimetype == "application/ld+json"
    json.loads(plain_json.data)


def test_link_headers_and_alternate_tags(mini_client):
    r = mini_client.get("/id/country/france", headers={"Accept": "text/html"})
    link = r.headers["Link"]
    for media, suffix in [(f[0], f[1]) for f in FORMATS]:
        assert f'</id/country/france.{suffix}>; rel="alternate"; type="{media}"' in link
        assert f'<link rel="alternate" type="{media}" href="/id/country/france.{suffix}"' in r.text
    assert r.headers["Content-Location"] == "/id/country/france.html"
    assert {"Accept", "Accept-Language"} <= set(r.headers["Vary"].replace(" ", "").split(","))


def test_forced_suffix_does_not_vary_on_accept(mini_client):
    r = mini_client.get("/id/country/france.ttl", headers={"Accept": "application/rdf+xml"})
    assert r.mimetype == "text/turtle"
    assert "Accept" not in (r.headers.get("Vary") or "")


def test_graph_document_holds_the_graph_and_its_description(mini_client, mini_reader):
    iri = f"{BASE}graph/assertion/usg-002"
    r = mini_client.get("/graph/assertion/usg-002", headers={"Accept": "application/trig"})
    assert r.status_code == 200
    got = parse(r.data, "trig")
    expected = rdflib.Dataset()
    node = ox.NamedNode(iri)
    quads = list(mini_reader.quads_for_pattern(node, None, None, None))
    quads += list(mini_reader.quads_for_pattern(None, None, None, node))
    frontier = [q.object for q in quads if isinstance(q.object, ox.BlankNode)]
    while frontier:  # the blank-node closure (quote selectors)
        bnode = frontier.pop()
        for q in mini_reader.quads_for_pattern(bnode, None, None, None):
            quads.append(q)
            if isinstance(q.object, ox.BlankNode):
                frontier.append(q.object)
    for q in quads:
        expected.graph(to_rdflib_term(q.graph_name)).add(
            (term(q.subject), term(q.predicate), term(q.object))
        )
    expected.add((rdflib.URIRef(iri), VOID_IN, rdflib.URIRef(f"{BASE}void")))
    as_graph = rdflib.Graph()
    for t in triples_of(got):
        as_graph.add(t)
    exp_graph = rdflib.Graph()
    for t in triples_of(expected):
        exp_graph.add(t)
    assert len(as_graph) == len(exp_graph)
    assert isomorphic(as_graph, exp_graph), (
        sorted(map(str, graph_diff(as_graph, exp_graph)[1])),
        sorted(map(str, graph_diff(as_graph, exp_graph)[2])),
    )
    ledby = (
        rdflib.URIRef(f"{BASE}id/guarantee/postwar-guarantees"),
        rdflib.URIRef(f"{BASE}ontology/ledBy"),
        rdflib.URIRef(FRANCE),
    )
    assert (*ledby, rdflib.URIRef(iri)) in set(got.quads((None, None, None, None)))


def test_unknown_iri_is_404_that_offers_search(mini_client):
    html = mini_client.get("/id/country/atlantis", headers={"Accept": "text/html"})
    assert html.status_code == 404
    assert html.mimetype == "text/html"
    assert 'action="/search"' in html.text and 'value="atlantis"' in html.text
    as_json = mini_client.get("/id/country/atlantis", headers={"Accept": "application/json"})
    assert as_json.status_code == 404
    assert as_json.json["search"] == "/search?q=atlantis"
    text = mini_client.get("/id/country/atlantis", headers={"Accept": "text/turtle"})
    assert text.status_code == 404 and text.mimetype == "text/plain"
    assert "Accept" in html.headers["Vary"]


def test_406_lists_supported_types(mini_client):
    r = mini_client.get("/id/country/france", headers={"Accept": "image/png"})
    assert r.status_code == 406
    for media in ("text/html", "text/turtle", "application/ld+json", "application/n-quads"):
        assert media in r.text


@pytest.mark.parametrize(
    "path",
    [
        "/id/../../etc/passwd",
        "/id/%2e%2e/%2e%2e/etc/passwd",
        "/id/country/..%2f..%2fetc%2fpasswd",
        "/id/country/%2E%2E%5C%2E%2E%5Cwin.ini",
        "/graph/../id/country/france",
        "/id/country//france",
        "/id/country/fr ance",
        "/id/country/%00",
    ],
)
def test_traversal_and_odd_paths_are_404(mini_client, path):
    r = mini_client.get(path, headers={"Accept": "application/json"})
    assert r.status_code == 404
    assert "root:" not in r.text


def test_void_in_dataset(mini_client):
    g = rdflib.Graph().parse(data=mini_client.get("/id/country/canada.ttl").data, format="turtle")
    assert (rdflib.URIRef(f"{BASE}id/country/canada"), VOID_IN, rdflib.URIRef(f"{BASE}void")) in g
