"""Real clients against a real ``kg serve``: SPARQLWrapper in every return format and
rdflib's SPARQLStore."""

from __future__ import annotations

import csv
import io

import pytest
import rdflib
from rdflib.compare import isomorphic
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import CSV, JSON, JSONLD, N3, RDFXML, TSV, TURTLE, XML, SPARQLWrapper

from tests.endpoint.conftest import BASE

pytestmark = pytest.mark.server

SELECT = (
    "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
    f"SELECT ?label WHERE {{ <{BASE}id/country/ukraine> rdfs:label ?label }} ORDER BY ?label"
)
CONSTRUCT = (
    f"CONSTRUCT {{ <{BASE}id/country/france> ?p ?o }} "
    f"WHERE {{ <{BASE}id/country/france> ?p ?o FILTER(isIRI(?o)) }}"
)


def wrapper(endpoint: str, query: str, fmt: str) -> SPARQLWrapper:
    client = SPARQLWrapper(endpoint, agent="sgkg-tests")
    client.setQuery(query)
    client.setReturnFormat(fmt)
    return client


def expected_construct() -> rdflib.Graph:
    graph = rdflib.Graph()
    france = rdflib.URIRef(BASE + "id/country/france")
    graph.add((france, rdflib.RDF.type, rdflib.URIRef(BASE + "ontology/Guarantor")))
    graph.add(
        (
            france,
            rdflib.URIRef(BASE + "ontology/guarantees"),
            rdflib.URIRef(BASE + "id/country/ukraine"),
        )
    )
    return graph


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_sparqlwrapper_json(endpoint: str, method: str) -> None:
    client = wrapper(endpoint, SELECT, JSON)
    client.setMethod(method)
    bindings = client.queryAndConvert()["results"]["bindings"]
    assert [(b["label"]["value"], b["label"]["xml:lang"]) for b in bindings] == [
        ("Ukraine", "en"),
        ("Україна", "uk"),
    ]


def test_sparqlwrapper_xml(endpoint: str) -> None:
    document = wrapper(endpoint, SELECT, XML).queryAndConvert()
    literals = document.getElementsByTagName("literal")
    assert [(n.firstChild.data, n.getAttribute("xml:lang")) for n in literals] == [
        ("Ukraine", "en"),
        ("Україна", "uk"),
    ]


def test_sparqlwrapper_csv(endpoint: str) -> None:
    text = wrapper(endpoint, SELECT, CSV).queryAndConvert().decode()
    assert list(csv.reader(io.StringIO(text, newline=""))) == [["label"], ["Ukraine"], ["Україна"]]


def test_sparqlwrapper_tsv(endpoint: str) -> None:
    text = wrapper(endpoint, SELECT, TSV).queryAndConvert().decode()
    assert text.splitlines() == ["?label", '"Ukraine"@en', '"Україна"@uk']


def test_sparqlwrapper_ask(endpoint: str) -> None:
    assert wrapper(endpoint, "ASK {}", JSON).queryAndConvert()["boolean"] is True


@pytest.mark.parametrize("fmt", [TURTLE, N3, RDFXML, JSONLD, XML])
def test_sparqlwrapper_construct(endpoint: str, fmt: str) -> None:
    result = wrapper(endpoint, CONSTRUCT, fmt).queryAndConvert()
    if isinstance(result, bytes):  # Turtle / N3: SPARQLWrapper returns the document
        result = rdflib.Graph().parse(data=result, format="turtle")
    assert isinstance(result, rdflib.Graph)
    assert isomorphic(result, expected_construct())


def test_sparqlwrapper_errors_are_exceptions_with_the_message(endpoint: str) -> None:
    from SPARQLWrapper.SPARQLExceptions import QueryBadFormed

    with pytest.raises(QueryBadFormed, match="1:"):
        wrapper(endpoint, "SELECT * WHERE {", JSON).queryAndConvert()


def test_rdflib_sparqlstore(endpoint: str) -> None:
    store = SPARQLStore(endpoint, returnFormat="json")
    graph = rdflib.Graph(store=store)
    labels = {
        (str(row.label), row.label.language)
        for row in graph.query(SELECT)  # type: ignore[union-attr]
    }
    assert labels == {("Ukraine", "en"), ("Україна", "uk")}
    france = rdflib.URIRef(BASE + "id/country/france")
    assert (france, rdflib.RDF.type, rdflib.URIRef(BASE + "ontology/Guarantor")) in graph
    constructed = graph.query(CONSTRUCT).graph  # type: ignore[union-attr]
    assert isomorphic(rdflib.Graph() + constructed, expected_construct())
