"""The query operation against a real ``kg serve``: formats, negotiation, dataset, errors.

Every RDF answer is parsed and compared as a graph; results are parsed with pyoxigraph's
own SPARQL results parsers, so a malformed document fails the test.
"""

from __future__ import annotations

import csv
import io
import json

import pyoxigraph as ox
import pytest
import rdflib
import requests
from rdflib.compare import isomorphic

from tests.endpoint.conftest import ARTICLE, BASE, KASEI

pytestmark = pytest.mark.server

XSD_INTEGER = "http://www.w3.org/2001/XMLSchema#integer"
SELECT_LABELS = (
    "SELECT ?s ?label WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?label } "
    "ORDER BY ?s ?label"
)
CONSTRUCT_FRANCE = (
    f"CONSTRUCT {{ <{BASE}id/country/france> ?p ?o }} WHERE {{ <{BASE}id/country/france> ?p ?o }}"
)
RESULT_TYPES = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "text/csv": ox.QueryResultsFormat.CSV,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}
GRAPH_TYPES = {
    "text/turtle": "turtle",
    "application/n-triples": "nt",
    "application/rdf+xml": "xml",
    "application/ld+json": "json-ld",
    "application/trig": "trig",
    "application/n-quads": "nquads",
}


def get(endpoint: str, query: str, accept: str | None = None, **params: str) -> requests.Response:
    headers = {"Accept": accept} if accept else {}
    return requests.get(endpoint, params={"query": query, **params}, headers=headers, timeout=30)


def expected_france() -> rdflib.Graph:
    graph = rdflib.Graph()
    france = rdflib.URIRef(BASE + "id/country/france")
    graph.add((france, rdflib.RDF.type, rdflib.URIRef(BASE + "ontology/Guarantor")))
    graph.add((france, rdflib.RDFS.label, rdflib.Literal("France", lang="en")))
    graph.add(
        (
            france,
            rdflib.URIRef(BASE + "ontology/troops"),
            rdflib.Literal("2000", datatype=rdflib.XSD.integer),
        )
    )
    graph.add((france, rdflib.RDFS.comment, rdflib.Literal('says "yes", maybe\nlater')))
    graph.add(
        (
            france,
            rdflib.URIRef(BASE + "ontology/guarantees"),
            rdflib.URIRef(BASE + "id/country/ukraine"),
        )
    )
    return graph


@pytest.mark.parametrize("media_type", list(RESULT_TYPES))
def test_select_in_every_results_format(endpoint: str, media_type: str) -> None:
    response = get(endpoint, SELECT_LABELS, media_type)
    assert response.status_code == 200
    assert response.headers["Content-Type"].split(";")[0] == media_type
    assert "Accept" in response.headers["Vary"]
    if media_type == "text/csv":  # CSV drops datatypes and languages, by design
        rows = set(map(tuple, csv.reader(io.StringIO(response.text, newline=""))))
        assert rows == {
            ("s", "label"),
            (f"{BASE}id/country/france", "France"),
            (f"{BASE}id/country/ukraine", "Ukraine"),
            (f"{BASE}id/country/ukraine", "Україна"),
        }
        return
    parsed = ox.parse_query_results(response.content, format=RESULT_TYPES[media_type])
    assert {(str(r["s"]), str(r["label"])) for r in parsed} == {
        (f"<{BASE}id/country/france>", '"France"@en'),
        (f"<{BASE}id/country/ukraine>", '"Ukraine"@en'),
        (f"<{BASE}id/country/ukraine>", '"Україна"@uk'),
    }


@pytest.mark.parametrize("media_type", list(RESULT_TYPES))
def test_ask_in_every_results_format(endpoint: str, media_type: str) -> None:
    response = get(endpoint, f"ASK {{ <{BASE}id/country/france> ?p ?o }}", media_type)
    assert response.status_code == 200
    assert response.headers["Content-Type"].split(";")[0] == media_type
    if media_type == "text/csv":
        assert response.text.strip() == "true"
    else:
        assert bool(ox.parse_query_results(response.content, format=RESULT_TYPES[media_type]))


@pytest.mark.parametrize("media_type", list(GRAPH_TYPES))
def test_construct_in_every_graph_format(endpoint: str, media_type: str) -> None:
    response = get(endpoint, CONSTRUCT_FRANCE, media_type)
    assert response.status_code == 200
    assert response.headers["Content-Type"].split(";")[0] == media_type
    graph = (
        rdflib.Dataset()
        if media_type in ("application/trig", "application/n-quads")
        else rdflib.Graph()
    )
    graph.parse(data=response.content, format=GRAPH_TYPES[media_type])
    if isinstance(graph, rdflib.Dataset):
        graph = rdflib.Graph() + graph.default_graph
    assert isomorphic(graph, expected_france())


def test_describe_returns_the_entity(endpoint: str) -> None:
    response = get(endpoint, f"DESCRIBE <{BASE}id/country/france>", "text/turtle")
    assert response.status_code == 200
    graph = rdflib.Graph().parse(data=response.text, format="turtle")
    assert isomorphic(graph, expected_france())


@pytest.mark.parametrize(
    ("fmt", "media_type"),
    [
        ("json", "application/sparql-results+json"),
        ("tsv", "text/tab-separated-values"),
        ("csv", "text/csv"),
    ],
)
def test_format_parameter_overrides_accept(endpoint: str, fmt: str, media_type: str) -> None:
    response = get(endpoint, "ASK {}", "application/sparql-results+xml", format=fmt)
    assert response.headers["Content-Type"].split(";")[0] == media_type


def test_format_parameter_for_graphs(endpoint: str) -> None:
    response = get(endpoint, CONSTRUCT_FRANCE, "application/sparql-results+json", format="nt")
    assert response.headers["Content-Type"].split(";")[0] == "application/n-triples"


def test_accept_q_values_are_honoured(endpoint: str) -> None:
    accept = "application/sparql-results+json;q=0.5, text/csv;q=0.9, */*;q=0.1"
    assert get(endpoint, "ASK {}", accept).headers["Content-Type"].startswith("text/csv")


def test_406_names_supported_types(endpoint: str) -> None:
    response = get(endpoint, SELECT_LABELS, "image/png")
    assert response.status_code == 406
    assert "application/sparql-results+json" in response.text
    assert "Accept" in response.headers["Vary"]


def test_accept_of_the_other_family_gets_the_default_format(endpoint: str) -> None:
    """Accept fits only graphs but the query is a SELECT (and vice versa): the default
    format of the query's form, not a 406 (rdflib's SPARQLStore relies on this)."""
    select = get(endpoint, SELECT_LABELS, "text/turtle")
    assert select.status_code == 200
    assert select.headers["Content-Type"].startswith("application/sparql-results+json")
    construct = get(endpoint, CONSTRUCT_FRANCE, "application/sparql-results+json")
    assert construct.status_code == 200
    assert construct.headers["Content-Type"].startswith("text/turtle")


def test_default_graph_is_the_union(endpoint: str) -> None:
    query = f"ASK {{ <{KASEI}data1.rdf> ?p ?o . <{BASE}id/country/france> ?q ?r }}"
    assert get(endpoint, query, "application/sparql-results+json").json()["boolean"] is True


def test_from_in_the_query_is_respected(endpoint: str) -> None:
    base = f"SELECT (COUNT(*) AS ?n) FROM <{KASEI}data1.rdf> WHERE {{ ?s ?p ?o }}"
    document = get(endpoint, base, "application/sparql-results+json").json()
    assert document["results"]["bindings"][0]["n"]["value"] == "2"


def test_from_named_without_from_has_an_empty_default_graph(endpoint: str) -> None:
    query = f"ASK FROM NAMED <{KASEI}data1.rdf> {{ ?s ?p ?o }}"
    assert get(endpoint, query, "application/sparql-results+json").json()["boolean"] is False


def test_head_has_headers_and_no_body(endpoint: str) -> None:
    response = requests.head(endpoint, params={"query": "ASK {}"}, timeout=10)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/sparql-results+json")
    assert response.content == b""


def test_options_preflight_allows_cors_reads(endpoint: str) -> None:
    response = requests.options(
        endpoint,
        headers={"Origin": "https://example.org", "Access-Control-Request-Method": "POST"},
        timeout=10,
    )
    assert response.status_code == 204
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" in response.headers["Access-Control-Allow-Methods"]
    assert "Access-Control-Allow-Credentials" not in response.headers


def test_cors_on_answers_and_errors(endpoint: str) -> None:
    ok = get(endpoint, "ASK {}")
    bad = get(endpoint, "ASK {")
    assert ok.headers["Access-Control-Allow-Origin"] == "*"
    assert bad.headers["Access-Control-Allow-Origin"] == "*"


def test_etag_and_304(endpoint: str) -> None:
    first = get(endpoint, SELECT_LABELS, "application/sparql-results+json")
    etag = first.headers["ETag"]
    again = requests.get(
        endpoint,
        params={"query": SELECT_LABELS},
        headers={"Accept": "application/sparql-results+json", "If-None-Match": etag},
        timeout=10,
    )
    assert again.status_code == 304
    assert again.content == b""
    other_format = get(endpoint, SELECT_LABELS, "text/csv")
    assert other_format.headers["ETag"] != etag


def test_repeated_query_is_identical(endpoint: str) -> None:
    bodies = {
        get(endpoint, SELECT_LABELS, "application/sparql-results+xml").content for _ in range(3)
    }
    assert len(bodies) == 1


def test_syntax_error_names_line_and_column(endpoint: str) -> None:
    response = get(endpoint, "SELECT * WHERE {\n  ?s ?p }", "application/json")
    assert response.status_code == 400
    message = response.json()["message"]
    assert "2:" in message and "Traceback" not in message


@pytest.mark.parametrize(
    "update",
    ["INSERT DATA { <http://a> <http://b> <http://c> }", "PREFIX x: <http://x/> CLEAR ALL"],
)
def test_update_in_query_is_refused_naming_update_route(endpoint: str, update: str) -> None:
    response = requests.post(endpoint, data={"query": update}, timeout=10)
    assert response.status_code == 400
    assert "/update" in response.text


def test_update_media_type_is_refused(endpoint: str) -> None:
    response = requests.post(
        endpoint,
        data=b"CLEAR ALL",
        headers={"Content-Type": "application/sparql-update"},
        timeout=10,
    )
    assert response.status_code == 400
    assert "/update" in response.text


def test_relative_iris_resolve_against_the_base_iri(endpoint: str) -> None:
    assert get(endpoint, "ASK { <id/country/france> ?p ?o }").json()["boolean"] is True


def test_errors_are_json_for_json_clients(endpoint: str) -> None:
    response = get(endpoint, "SELEKT", "application/sparql-results+json")
    assert response.status_code == 400
    assert json.loads(response.text)["status"] == 400


# --- the service description ---------------------------------------------------------------

SD = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")


@pytest.mark.parametrize("media_type", list(GRAPH_TYPES))
def test_service_description_in_every_graph_format(endpoint: str, media_type: str) -> None:
    response = requests.get(endpoint, headers={"Accept": media_type}, timeout=10)
    assert response.status_code == 200
    graph = (
        rdflib.Dataset()
        if media_type in ("application/trig", "application/n-quads")
        else rdflib.Graph()
    )
    graph.parse(data=response.content, format=GRAPH_TYPES[media_type])
    assert (None, SD.endpoint, rdflib.URIRef(endpoint)) in graph
    assert (None, SD.feature, SD.UnionDefaultGraph) in graph
    assert (None, SD.feature, SD.BasicFederatedQuery) in graph
    assert (None, SD.supportedLanguage, SD.SPARQL11Query) in graph
    formats = set(graph.objects(None, SD.resultFormat))
    assert rdflib.URIRef("http://www.w3.org/ns/formats/SPARQL_Results_CSV") in formats
    names = set(graph.objects(None, SD.name))
    assert rdflib.URIRef(ARTICLE) in names and rdflib.URIRef(KASEI + "data1.rdf") in names
    assert (
        None,
        rdflib.RDFS.seeAlso,
        rdflib.URIRef(endpoint.removesuffix("/sparql") + "/void"),
    ) in graph


def test_browser_gets_html_without_query(endpoint: str) -> None:
    response = requests.get(
        endpoint, headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}, timeout=10
    )
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/html")
