"""``kg stats``: every number checked against a small hand-made store."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import pyoxigraph as ox
import pytest

from kg.publish.stats import cli, dataset_of, render, stats
from kg.store import EmbeddedStore

BASE = "https://w3id.org/sgkg/"
SG = BASE + "ontology/"
ID = BASE + "id/"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
SAME_AS = ox.NamedNode("http://www.w3.org/2002/07/owl#sameAs")
LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")


def q(s: str, p: ox.NamedNode, o, g: str) -> ox.Quad:
    return ox.Quad(ox.NamedNode(ID + s), p, o, ox.NamedNode(BASE + "graph/" + g))


def sg(term: str) -> ox.NamedNode:
    return ox.NamedNode(SG + term)


@pytest.fixture()
def store(tmp_path: Path) -> EmbeddedStore:
    quads = [
        # entities: 2 states, 1 organisation; 6 quads
        q("country/france", RDF_TYPE, sg("State"), "entities"),
        q("country/ukraine", RDF_TYPE, sg("State"), "entities"),
        q("organisation/nato", RDF_TYPE, sg("FormalBloc"), "entities"),
        q("country/france", LABEL, ox.Literal("France", language="en"), "entities"),
        q("country/ukraine", LABEL, ox.Literal("Україна", language="uk"), "entities"),
        q("organisation/nato", sg("hasMember"), ox.NamedNode(ID + "country/france"), "entities"),
        # links: 2 Wikidata, 1 GeoNames; 3 quads
        q("country/france", SAME_AS, ox.NamedNode("http://www.wikidata.org/entity/Q142"), "links"),
        q("country/ukraine", SAME_AS, ox.NamedNode("http://www.wikidata.org/entity/Q212"), "links"),
        q("country/ukraine", SAME_AS, ox.NamedNode("https://sws.geonames.org/690791/"), "links"),
        # provenance: kinds 2 × ReportedFact, 1 × Prediction; 3 quads
        q("nanopub/usg-001", sg("kind"), sg("ReportedFact"), "provenance"),
        q("nanopub/usg-002", sg("kind"), sg("ReportedFact"), "provenance"),
        q("nanopub/usg-003", sg("kind"), sg("Prediction"), "provenance"),
        # the same typing triple again in another graph: 1 more quad, no new triple
        q("country/france", RDF_TYPE, sg("State"), "links"),
    ]
    s = EmbeddedStore(tmp_path / "store")
    with s.writer() as w:
        w.extend(quads)
    return s


def test_stats_numbers_match_the_fixture(store: EmbeddedStore) -> None:
    data = stats(store, base_iri=BASE)
    assert data["quads"] == 13
    assert data["triples"] == 12
    assert data["graphs"] == {
        BASE + "graph/entities": 6,
        BASE + "graph/links": 4,
        BASE + "graph/provenance": 3,
    }
    assert data["distinct_subjects"] == 6
    assert data["classes"] == {SG + "State": 2, SG + "FormalBloc": 1}
    assert data["properties"] == {
        RDF_TYPE.value: 4,
        SAME_AS.value: 3,
        SG + "kind": 3,
        LABEL.value: 2,
        SG + "hasMember": 1,
    }
    assert data["same_as"] == {"Wikidata": 2, "GeoNames": 1}
    assert data["assertions_by_kind"] == {"ReportedFact": 2, "Prediction": 1}
    assert data["version"] == store.version()


def test_render_and_json_cli(store: EmbeddedStore, capsys) -> None:
    text = render(stats(store, base_iri=BASE))
    assert "sg:State" in text and "Wikidata" in text and "ReportedFact" in text
    assert "quads" in text and "13" in text
    settings = {"STORE": str(store.root), "BASE_IRI": BASE}
    assert cli(SimpleNamespace(format="json"), settings) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["same_as"]["GeoNames"] == 1


def test_cli_stats(store: EmbeddedStore, runner) -> None:
    code, out, err = runner(["--store", str(store.root), "stats"])
    assert code == 0, err
    lines = [line for line in out.splitlines() if "Wikidata" in line]
    assert lines and lines[0].split()[-1] == "2"


def test_dataset_names() -> None:
    assert dataset_of("http://www.wikidata.org/") == "Wikidata"
    assert dataset_of("https://sws.geonames.org/") == "GeoNames"
    assert dataset_of("http://dbpedia.org/") == "DBpedia"
    assert dataset_of("https://example.net/") == "example.net"


def test_empty_store_has_zero_counts(tmp_path: Path) -> None:
    s = EmbeddedStore(tmp_path / "empty")
    with s.writer():
        pass
    data = stats(s)
    assert data["quads"] == 0 and data["graphs"] == {} and data["same_as"] == {}
