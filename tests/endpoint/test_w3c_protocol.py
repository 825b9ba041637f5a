"""The query-operation tests of the W3C SPARQL 1.1 Protocol test suite, ported.

Source: w3c/rdf-tests ``sparql/sparql11/protocol/manifest.ttl``. Each test is named after
its manifest entry and sends the same request (the graphs ``data1.rdf``…``data3.rdf`` are
in the test store, see conftest). Expected statuses are the manifest's: 2xx/3xx for
queries, 4xx for the ``bad_*`` tests. Where the suite only checks for a true answer, a
negative twin checks that the protocol dataset really restricts what the query sees.
"""

from __future__ import annotations

import pyoxigraph as ox
import pytest
import requests

from tests.endpoint.conftest import KASEI

pytestmark = pytest.mark.server

D1, D2, D3 = (f"{KASEI}data{n}.rdf" for n in (1, 2, 3))
ASK_D1_D2 = f"ASK {{ <{D1}> a ?type . <{D2}> a ?type . }}"
ASK_NAMED = f"ASK {{ GRAPH ?g1 {{ <{D1}> a ?type }} GRAPH ?g2 {{ <{D2}> a ?type }} }}"
RESULTS = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}
GRAPHS = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/ld+json": ox.RdfFormat.JSON_LD,
}


def boolean(response: requests.Response) -> bool:
    assert 200 <= response.status_code < 400, response.text
    media = response.headers["Content-Type"].split(";")[0]
    return bool(ox.parse_query_results(response.content, format=RESULTS[media]))


def direct(endpoint: str, query: str, params=None, **headers: str) -> requests.Response:
    return requests.post(
        endpoint,
        params=params,
        data=query.encode(),
        headers={"Content-Type": "application/sparql-query", **headers},
        timeout=10,
    )


def test_query_get(endpoint: str) -> None:
    """W3C query_get: GET query with ``query=ASK {}``."""
    assert boolean(requests.get(endpoint, params={"query": "ASK {}"}, timeout=10)) is True


def test_query_post_form(endpoint: str) -> None:
    """W3C query_post_form: query via URL-encoded POST (dataset in the URL)."""
    response = requests.post(
        f"{endpoint}?default-graph-uri={KASEI}data0.rdf",
        data="query=ASK%20%7B%7D",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        timeout=10,
    )
    assert boolean(response) is True


def test_query_post_direct(endpoint: str) -> None:
    """W3C query_post_direct: query via POST directly in the body."""
    assert boolean(direct(endpoint, "ASK {}")) is True


def test_query_dataset_default_graphs_get(endpoint: str) -> None:
    """W3C query_dataset_default_graphs_get: GET with protocol-specified default graphs."""
    params = [("query", ASK_D1_D2), ("default-graph-uri", D1), ("default-graph-uri", D2)]
    assert boolean(requests.get(endpoint, params=params, timeout=10)) is True
    only_d1 = [("query", ASK_D1_D2), ("default-graph-uri", D1)]
    assert boolean(requests.get(endpoint, params=only_d1, timeout=10)) is False


def test_query_dataset_default_graphs_post(endpoint: str) -> None:
    """W3C query_dataset_default_graphs_post: POST with protocol-specified default graphs."""
    params = [("default-graph-uri", D1), ("default-graph-uri", D2)]
    assert boolean(direct(endpoint, ASK_D1_D2, params)) is True
    assert boolean(direct(endpoint, ASK_D1_D2, [("default-graph-uri", D2)])) is False


def test_query_dataset_named_graphs_post(endpoint: str) -> None:
    """W3C query_dataset_named_graphs_post: POST with protocol-specified named graphs."""
    params = [("named-graph-uri", D1), ("named-graph-uri", D2)]
    assert boolean(direct(endpoint, ASK_NAMED, params)) is True
    assert boolean(direct(endpoint, ASK_NAMED, [("named-graph-uri", D1)])) is False


def test_query_dataset_named_graphs_get(endpoint: str) -> None:
    """W3C query_dataset_named_graphs_get: GET with protocol-specified named graphs."""
    params = [("query", ASK_NAMED), ("named-graph-uri", D1), ("named-graph-uri", D2)]
    assert boolean(requests.get(endpoint, params=params, timeout=10)) is True


def test_query_dataset_full(endpoint: str) -> None:
    """W3C query_dataset_full: protocol-specified dataset (both named and default graphs)."""
    query = f"""ASK {{
  <{D3}> a ?type
  GRAPH ?g1 {{ <{D1}> a ?type }}
  GRAPH ?g2 {{ <{D2}> a ?type }}
}}"""
    params = [("default-graph-uri", D3), ("named-graph-uri", D1), ("named-graph-uri", D2)]
    assert boolean(direct(endpoint, query, params)) is True
    wrong_default = [("default-graph-uri", D1), ("named-graph-uri", D1), ("named-graph-uri", D2)]
    assert boolean(direct(endpoint, query, wrong_default)) is False


def test_query_multiple_dataset(endpoint: str) -> None:
    """W3C query_multiple_dataset: query specifying dataset in both query string and
    protocol; the protocol-specified dataset wins."""
    query = f"ASK FROM <{D3}> {{ <{D1}> ?p ?o }}"
    assert boolean(direct(endpoint, query, [("default-graph-uri", D1)])) is True
    assert boolean(direct(endpoint, query)) is False  # without protocol: FROM <data3> holds


def test_query_content_type_select(endpoint: str) -> None:
    """W3C query_content_type_select: SELECT answers with a SPARQL results media type."""
    response = requests.get(endpoint, params={"query": "SELECT (1 AS ?value) {}"}, timeout=10)
    assert response.status_code == 200
    media = response.headers["Content-Type"].split(";")[0]
    assert media in RESULTS or media == "text/csv"
    rows = list(ox.parse_query_results(response.content, format=RESULTS[media]))
    assert str(rows[0]["value"]) == '"1"^^<http://www.w3.org/2001/XMLSchema#integer>'


def test_query_content_type_ask(endpoint: str) -> None:
    """W3C query_content_type_ask: ASK answers with a boolean results media type."""
    response = requests.get(endpoint, params={"query": "ASK {}"}, timeout=10)
    assert response.headers["Content-Type"].split(";")[0] in RESULTS
    assert boolean(response) is True


@pytest.mark.parametrize("accept", [None, *GRAPHS])
def test_query_content_type_describe(endpoint: str, accept: str | None) -> None:
    """W3C query_content_type_describe: DESCRIBE answers with an RDF media type."""
    headers = {"Accept": accept} if accept else {}
    response = requests.get(
        endpoint, params={"query": f"DESCRIBE <{D1}>"}, headers=headers, timeout=10
    )
    assert response.status_code == 200
    media = response.headers["Content-Type"].split(";")[0]
    triples = list(ox.parse(response.content, format=GRAPHS[media]))
    assert len(triples) == 2


@pytest.mark.parametrize("accept", [None, *GRAPHS])
def test_query_content_type_construct(endpoint: str, accept: str | None) -> None:
    """W3C query_content_type_construct: CONSTRUCT answers with an RDF media type."""
    headers = {"Accept": accept} if accept else {}
    query = "CONSTRUCT { <http://example/s> <http://example/p> 1 } WHERE {}"
    response = requests.get(endpoint, params={"query": query}, headers=headers, timeout=10)
    media = response.headers["Content-Type"].split(";")[0]
    assert media in GRAPHS
    (triple,) = ox.parse(response.content, format=GRAPHS[media])
    assert triple.subject == ox.NamedNode("http://example/s")


def test_bad_query_method(endpoint: str) -> None:
    """W3C bad_query_method: a method other than GET or POST (PUT) is refused."""
    response = requests.put(endpoint, params={"query": "ASK {}"}, timeout=10)
    assert 400 <= response.status_code < 500
    assert "GET" in response.headers.get("Allow", "")


def test_bad_multiple_queries(endpoint: str) -> None:
    """W3C bad_multiple_queries: two query= parameters."""
    params = [("query", "ASK {}"), ("query", "SELECT * {}")]
    response = requests.get(endpoint, params=params, timeout=10)
    assert response.status_code == 400
    assert "2 queries" in response.text


def test_bad_multiple_queries_url_and_body(endpoint: str) -> None:
    """W3C bad_multiple_queries (variant): query= in the URL and a direct POST body."""
    response = direct(endpoint, "ASK {}", {"query": "ASK {}"})
    assert response.status_code == 400


def test_bad_query_wrong_media_type(endpoint: str) -> None:
    """W3C bad_query_wrong_media_type: POST with Content-Type text/plain."""
    response = requests.post(
        endpoint, data=b"ASK {}", headers={"Content-Type": "text/plain"}, timeout=10
    )
    assert response.status_code == 415
    assert "application/sparql-query" in response.text


def test_bad_query_missing_form_type(endpoint: str) -> None:
    """W3C bad_query_missing_form_type: form-encoded body without a Content-Type."""
    response = requests.post(endpoint, data=b"query=ASK%20%7B%7D", timeout=10)
    assert 400 <= response.status_code < 500


def test_bad_query_missing_direct_type(endpoint: str) -> None:
    """W3C bad_query_missing_direct_type: query body without a Content-Type."""
    response = requests.post(endpoint, data=b"ASK {}", timeout=10)
    assert 400 <= response.status_code < 500


def test_bad_query_non_utf8(endpoint: str) -> None:
    """W3C bad_query_non_utf8: a query in a non-UTF-8 encoding (ISO-8859-1)."""
    query = 'ASK { ?s ?p "caf\u00e9" }'.encode("iso-8859-1")
    latin = requests.post(
        endpoint,
        data=query,
        headers={"Content-Type": "application/sparql-query; charset=ISO-8859-1"},
        timeout=10,
    )
    assert latin.status_code == 400
    undeclared = requests.post(
        endpoint, data=query, headers={"Content-Type": "application/sparql-query"}, timeout=10
    )
    assert undeclared.status_code == 400
    assert "UTF-8" in undeclared.text
    in_url = requests.get(f"{endpoint}?query=ASK%20%7B%3Fs%20%3Fp%20%22caf%E9%22%7D", timeout=10)
    assert in_url.status_code == 400


def test_bad_query_syntax(endpoint: str) -> None:
    """W3C bad_query_syntax: ``ASK {`` is a syntax error → 400 with its position."""
    response = requests.get(endpoint, params={"query": "ASK {"}, timeout=10)
    assert response.status_code == 400
    assert "1:" in response.text


def test_bad_update_get(endpoint: str) -> None:
    """W3C bad_update_get: an update via GET (``update=CLEAR ALL``) is refused."""
    response = requests.get(endpoint, params={"update": "CLEAR ALL"}, timeout=10)
    assert response.status_code == 400
    assert "/update" in response.text
