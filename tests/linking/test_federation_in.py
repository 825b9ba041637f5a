"""Federation in: real clients drive our endpoint — SPARQLWrapper, rdflib's SPARQLStore and
the Comunica engine (Node.js), including a Comunica query federated across our endpoint and
the Wikidata stand-in that joins through owl:sameAs."""

from __future__ import annotations

import json

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.compare import isomorphic
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import JSON, TURTLE, SPARQLWrapper

from kg.useragent import sparqlwrapper_agent
from tests.linking.linking_servers import FIXTURES, node_ready, run_node
from tests.linking.test_federation_out import standin_facts

pytestmark = pytest.mark.server

FRANCE = "https://w3id.org/sgkg/id/country/france"
ENDORSERS = """PREFIX sg: <https://w3id.org/sgkg/ontology/>
SELECT DISTINCT ?backer WHERE { ?guarantee sg:endorsedBy ?backer } ORDER BY ?backer"""
DESCRIBE_FRANCE = f"CONSTRUCT {{ <{FRANCE}> ?p ?o }} WHERE {{ <{FRANCE}> ?p ?o }}"


def local_graph(store, query: str) -> rdflib.Graph:
    """The same CONSTRUCT on the embedded store, through N-Triples like a client would get it
    (so literals are typed the way rdflib parses them)."""
    data = ox.serialize(store.query(query), format=ox.RdfFormat.N_TRIPLES)
    return rdflib.Graph().parse(data=data.decode(), format="nt")


def local_column(store, query: str, var: str) -> list[str]:
    return [row[var].value for row in store.query(query)]


def test_sparqlwrapper_select_and_construct(federation_server: str, store) -> None:
    client = SPARQLWrapper(federation_server + "/sparql", agent=sparqlwrapper_agent())
    client.setQuery(ENDORSERS)
    client.setReturnFormat(JSON)
    rows = client.queryAndConvert()["results"]["bindings"]
    assert [r["backer"]["value"] for r in rows] == local_column(store, ENDORSERS, "backer")
    assert len(rows) >= 4  # the four endorsers the article names

    client.setQuery(DESCRIBE_FRANCE)
    client.setReturnFormat(TURTLE)
    graph = rdflib.Graph().parse(data=client.queryAndConvert(), format="turtle")
    assert len(graph) > 3
    assert isomorphic(graph, local_graph(store, DESCRIBE_FRANCE))


def test_rdflib_sparqlstore(federation_server: str, store) -> None:
    remote = rdflib.Graph(SPARQLStore(federation_server + "/sparql", returnFormat="json"))
    got = [str(row.backer) for row in remote.query(ENDORSERS)]
    assert got == local_column(store, ENDORSERS, "backer")
    france = rdflib.URIRef(FRANCE)
    triples = set(remote.triples((france, None, None)))
    assert triples == set(local_graph(store, DESCRIBE_FRANCE))
    assert (
        france,
        rdflib.OWL.sameAs,
        rdflib.URIRef("http://www.wikidata.org/entity/Q142"),
    ) in triples


def comunica(query: str, *endpoints: str, tmp_path) -> dict:
    path = tmp_path / "query.rq"
    path.write_text(query)
    done = run_node("comunica-query.mjs", str(path), *endpoints)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout)


def test_comunica_queries_our_endpoint(federation_server: str, store, tmp_path) -> None:
    from tests.linking.linking_servers import require

    require(node_ready(), "node and tests/node/node_modules (cd tests/node && npm install)")
    answer = comunica(ENDORSERS, federation_server + "/sparql", tmp_path=tmp_path)
    got = sorted(row["backer"]["value"] for row in answer["rows"])
    assert got == sorted(local_column(store, ENDORSERS, "backer"))


def test_comunica_federates_ours_and_wikidata_through_sameas(
    federation_server: str, wikidata_standin: str, store, tmp_path
) -> None:
    from tests.linking.linking_servers import require

    require(node_ready(), "node and tests/node/node_modules (cd tests/node && npm install)")
    query = (FIXTURES / "sameas-join.rq").read_text()
    answer = comunica(query, federation_server + "/sparql", wikidata_standin, tmp_path=tmp_path)
    got = {(r["backer"]["value"], r["item"]["value"], r["iso"]["value"]) for r in answer["rows"]}
    linked = store.query(
        """PREFIX sg: <https://w3id.org/sgkg/ontology/>
        PREFIX owl: <http://www.w3.org/2002/07/owl#>
        SELECT DISTINCT ?backer ?item WHERE {
          ?g sg:endorsedBy ?backer . ?backer owl:sameAs ?item }"""
    )
    facts = standin_facts()
    expected = {
        (r["backer"].value, r["item"].value, facts[r["item"].value][0])
        for r in linked
        if r["item"].value in facts
    }
    assert got == expected
    assert (
        "https://w3id.org/sgkg/id/country/japan",
        "http://www.wikidata.org/entity/Q17",
        "JP",
    ) in got
