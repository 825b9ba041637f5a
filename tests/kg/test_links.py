"""The committed Wikidata / ISO 3166 / COW link set: the identifiers are the checked ones,
typed as the ontology says, attached to entities the article names, and the void:Linkset
description counts what is really there."""

from __future__ import annotations

import re

import pytest
import rdflib
from rdflib import OWL, RDF, Literal, URIRef

from kg.sources import DEFAULT_BASE_IRI, compile_dataset

B = DEFAULT_BASE_IRI
SG = rdflib.Namespace(B + "ontology/")
VOID = rdflib.Namespace("http://rdfs.org/ns/void#")
DCTERMS = rdflib.Namespace("http://purl.org/dc/terms/")
WD = "http://www.wikidata.org/entity/"
LINKSET = URIRef(B + "void#linkset-wikidata-sameAs")

# (Wikidata, ISO alpha-2, alpha-3, COW code, COW abbreviation), checked by hand.
STATES = {
    "france": ("Q142", "FR", "FRA", 220, "FRN"),
    "ukraine": ("Q212", "UA", "UKR", 369, "UKR"),
    "russia": ("Q159", "RU", "RUS", 365, "RUS"),
    "united-states": ("Q30", "US", "USA", 2, "USA"),
    "canada": ("Q16", "CA", "CAN", 20, "CAN"),
    "japan": ("Q17", "JP", "JPN", 740, "JPN"),
    "australia": ("Q408", "AU", "AUS", 900, "AUL"),
    "china": ("Q148", "CN", "CHN", 710, "CHN"),
    "germany": ("Q183", "DE", "DEU", 255, "GMY"),
    "italy": ("Q38", "IT", "ITA", 325, "ITA"),
}
OTHERS = {
    "organisation/nato": "Q7184",
    "organisation/european-union": "Q458",
    "person/donald-trump": "Q22686",
    "person/vladimir-putin": "Q7747",
    "place/europe": "Q46",
    "place/asia": "Q48",
    "place/eastern-europe": "Q27468",
    "place/kyiv": "Q1899",
    "place/moscow": "Q649",
    "place/beijing": "Q956",
    "place/washington": "Q61",
    "person/joseph-r-biden-jr": "Q6279",
    "person/volodymyr-zelenskyy": "Q3881",
    "place/puglia": "Q1447",
    "organisation/united-nations": "Q1065",
    "instrument/un-charter": "Q171328",
    "office/president-of-the-united-states": "Q11696",
}


@pytest.fixture(scope="module")
def ds() -> rdflib.Dataset:
    return compile_dataset()


@pytest.fixture(scope="module")
def links(ds: rdflib.Dataset) -> rdflib.Graph:
    return ds.graph(URIRef(B + "graph/links/wikidata"))


@pytest.fixture(scope="module")
def entities(ds: rdflib.Dataset) -> rdflib.Graph:
    return ds.graph(URIRef(B + "graph/entities"))


@pytest.mark.parametrize("slug", sorted(STATES))
def test_state_identifiers(links: rdflib.Graph, slug: str) -> None:
    qid, alpha2, alpha3, cow, abbrev = STATES[slug]
    state = URIRef(f"{B}id/country/{slug}")
    assert set(links.objects(state, OWL.sameAs)) == {URIRef(WD + qid)}
    assert set(links.objects(state, SG.iso3166Alpha2)) == {
        Literal(alpha2, datatype=rdflib.XSD.string)
    }
    assert set(links.objects(state, SG.iso3166Alpha3)) == {
        Literal(alpha3, datatype=rdflib.XSD.string)
    }
    assert set(links.objects(state, SG.cowStateCode)) == {Literal(cow, datatype=rdflib.XSD.integer)}
    assert set(links.objects(state, SG.cowStateAbbrev)) == {
        Literal(abbrev, datatype=rdflib.XSD.string)
    }


@pytest.mark.parametrize("path", sorted(OTHERS))
def test_other_identifiers(links: rdflib.Graph, path: str) -> None:
    assert set(links.objects(URIRef(f"{B}id/{path}"), OWL.sameAs)) == {URIRef(WD + OTHERS[path])}


def test_every_state_the_article_names_is_linked(
    links: rdflib.Graph, entities: rdflib.Graph
) -> None:
    states = {str(s).rsplit("/", 1)[1] for s in entities.subjects(RDF.type, SG.State)}
    assert states == set(STATES)


def test_links_only_from_described_entities_and_well_formed(
    links: rdflib.Graph, entities: rdflib.Graph
) -> None:
    seen: dict[URIRef, URIRef] = {}
    for s, o in links.subject_objects(OWL.sameAs):
        assert str(s).startswith(B + "id/")
        assert entities.value(s, RDF.type) is not None, f"{s} is not an entity the article names"
        assert re.fullmatch(re.escape(WD) + r"Q[1-9]\d*", str(o)), o
        assert o not in seen, f"{o} linked from both {seen[o]} and {s}"
        seen[o] = s
    for code in links.objects(None, SG.iso3166Alpha2):
        assert re.fullmatch(r"[A-Z]{2}", str(code))
    for code in links.objects(None, SG.iso3166Alpha3):
        assert re.fullmatch(r"[A-Z]{3}", str(code))
    for code in links.objects(None, SG.cowStateAbbrev):
        assert re.fullmatch(r"[A-Z]{3}", str(code))


def test_no_link_for_what_is_not_certain(links: rdflib.Graph) -> None:
    for path in (
        "person/arshad-mahmood-awan",
        "organisation/republic-policy",
        "place/indo-pacific",
        "coalition/26-nation-coalition",
        "group/major-european-powers",
    ):
        assert not list(links.predicate_objects(URIRef(f"{B}id/{path}"))), path


def test_linkset_description_matches_the_links(links: rdflib.Graph) -> None:
    assert (LINKSET, RDF.type, VOID.Linkset) in links
    assert links.value(LINKSET, VOID.linkPredicate) == OWL.sameAs
    assert links.value(LINKSET, VOID.subjectsTarget) == URIRef(B + "void")
    target = links.value(LINKSET, VOID.objectsTarget)
    assert str(links.value(target, VOID.uriSpace)) == WD
    sameas = len(list(links.subject_objects(OWL.sameAs)))
    assert sameas == len(STATES) + len(OTHERS)
    assert int(links.value(LINKSET, VOID.triples)) == sameas
    sources = {str(s) for s in links.objects(LINKSET, DCTERMS.source)}
    assert "https://www.wikidata.org/" in sources
    assert any("iso-3166" in s for s in sources)
    assert any("correlatesofwar.org" in s and "state-system" in s for s in sources)
    assert "v2016" in str(
        links.value(URIRef(next(s for s in sources if "correlatesofwar" in s)), DCTERMS.title)
    )


def test_links_follow_a_changed_base(ds: rdflib.Dataset) -> None:
    other = compile_dataset("http://127.0.0.1:5000/")
    g = other.graph(URIRef("http://127.0.0.1:5000/graph/links/wikidata"))
    assert (
        URIRef("http://127.0.0.1:5000/id/country/france"),
        OWL.sameAs,
        URIRef(WD + "Q142"),
    ) in g
