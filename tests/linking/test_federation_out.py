"""Federation out: SERVICE from our /sparql to an allow-listed endpoint (the Wikidata
stand-in), through a real gunicorn server started with ``KG_FEDERATION_ALLOW``."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
import requests

from kg import paths
from tests.linking.linking_servers import FIXTURES, free_port

CATALOGUE_EXAMPLE = paths.data_dir() / "queries" / "22-backers-wikidata-federated.rq"

pytestmark = pytest.mark.server

WDQS = "https://query.wikidata.org/sparql"
JSON = {"Accept": "application/sparql-results+json"}


def standin_facts() -> dict[str, tuple[str, str, bool]]:
    """item IRI → (ISO alpha-2, Ukrainian label, NATO member) read from the fixture file."""
    store = ox.Store()
    store.load(path=str(FIXTURES / "wikidata-mini.ttl"))
    rows = store.query(
        """PREFIX wdt: <http://www.wikidata.org/prop/direct/> PREFIX wd: <http://www.wikidata.org/entity/>
        PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        SELECT ?item ?iso ?uk (EXISTS { ?item wdt:P463 wd:Q7184 } AS ?nato) WHERE {
          ?item wdt:P297 ?iso ; rdfs:label ?uk FILTER(LANG(?uk) = "uk") }"""
    )
    return {
        r["item"].value: (r["iso"].value, r["uk"].value, r["nato"].value == "true") for r in rows
    }


def test_service_joins_backers_with_wikidata_facts(
    federation_server: str, wikidata_standin: str, store
) -> None:
    # the example of the query UI catalogue itself, pointed at the local Wikidata stand-in
    query = CATALOGUE_EXAMPLE.read_text().replace(WDQS, wikidata_standin)
    response = requests.post(
        federation_server + "/sparql", data={"query": query}, headers=JSON, timeout=30
    )
    assert response.status_code == 200, response.text
    got = {
        (b["backer"]["value"], b["iso"]["value"], b["labelUk"]["value"], b["nato"]["value"])
        for b in response.json()["results"]["bindings"]
    }
    # expected: our side computed locally, their side from the fixture file
    local = store.query(
        """PREFIX sg: <https://w3id.org/sgkg/ontology/> PREFIX owl: <http://www.w3.org/2002/07/owl#>
        SELECT DISTINCT ?backer ?item WHERE {
          VALUES ?role { sg:guarantor sg:ledBy sg:extendedBy sg:endorsedBy sg:supportedBy }
          ?g ?role ?backer . ?backer owl:sameAs ?item }"""
    )
    facts = standin_facts()
    expected = set()
    for row in local:
        if row["item"].value in facts:
            iso, uk, nato = facts[row["item"].value]
            expected.add((row["backer"].value, iso, uk, "true" if nato else "false"))
    assert got == expected
    assert len(got) >= 5  # France leads; Canada, Japan, Australia endorse; the US guarantees
    assert ("https://w3id.org/sgkg/id/country/france", "FR", "Франція", "true") in got


def test_service_to_an_endpoint_not_allow_listed_is_refused_before_connecting(
    federation_server: str,
) -> None:
    other = f"http://127.0.0.1:{free_port()}/query"  # nothing listens: a connection would fail
    query = f"SELECT * WHERE {{ SERVICE <{other}> {{ ?s ?p ?o }} }}"
    response = requests.post(
        federation_server + "/sparql", data={"query": query}, headers=JSON, timeout=30
    )
    assert response.status_code == 403
    assert "allow" in response.text.lower()
