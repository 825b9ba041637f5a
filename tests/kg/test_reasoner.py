"""kg.checks.reason: HermiT (bundled with owlready2) on the ontology and on data individuals."""

from __future__ import annotations

import pytest
import rdflib

from kg.checks.ontology import load_ontology
from kg.checks.reason import check, parse_unsatisfiable
from kg.errors import ReasonerUnavailable
from tests.conftest import has_java, require

pytestmark = pytest.mark.java

PREFIXES = """
@prefix sg: <https://w3id.org/sgkg/ontology/> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""


def turtle(text: str) -> rdflib.Graph:
    return rdflib.Graph().parse(data=PREFIXES + text, format="turtle")


def test_the_ontology_is_consistent_with_no_unsatisfiable_class() -> None:
    require(has_java(), "Java is needed for the HermiT reasoner")
    report = check(load_ontology())
    assert report.consistent, report.explanation
    assert report.unsatisfiable == [], report.explanation
    assert report.ok and report.seconds < 30


def test_an_individual_typed_state_and_person_is_inconsistent() -> None:
    require(has_java(), "Java is needed for the HermiT reasoner")
    data = turtle("<https://w3id.org/sgkg/id/country/x> a sg:State , sg:Person .")
    report = check(load_ontology(), data)
    assert not report.consistent
    assert "country/x" in report.explanation
    assert "disjoint" in report.explanation


def test_a_domain_clash_is_inconsistent() -> None:
    """A commitment's guarantor typed as an Event: the range (sg:Agent) meets Agent ⊥ Event."""
    require(has_java(), "Java is needed for the HermiT reasoner")
    data = turtle(
        """
        <https://w3id.org/sgkg/id/commitment/c> sg:guarantor <https://w3id.org/sgkg/id/event/e> .
        <https://w3id.org/sgkg/id/event/e> a sg:Summit .
        """
    )
    report = check(load_ontology(), data)
    assert not report.consistent
    assert "event/e" in report.explanation


def test_functional_guarantor_with_two_different_agents_is_inconsistent() -> None:
    require(has_java(), "Java is needed for the HermiT reasoner")
    data = turtle(
        """
        @prefix id: <https://w3id.org/sgkg/id/> .
        id:c sg:guarantor id:a , id:b .
        id:a owl:differentFrom id:b .
        """
    )
    assert not check(load_ontology(), data).consistent


def test_valid_individuals_and_gyear_literals_are_consistent() -> None:
    require(has_java(), "Java is needed for the HermiT reasoner")
    data = turtle(
        """
        <https://w3id.org/sgkg/id/event/i> a sg:Invasion ; sg:startYear "2022"^^xsd:gYear ;
            sg:aggressor <https://w3id.org/sgkg/id/country/r> .
        <https://w3id.org/sgkg/id/country/r> a sg:State .
        """
    )
    report = check(load_ontology(), data)
    assert report.ok, report.explanation


def test_an_unsatisfiable_class_is_listed() -> None:
    require(has_java(), "Java is needed for the HermiT reasoner")
    onto = load_ontology() + turtle(
        "sg:Centaur a owl:Class ; rdfs:subClassOf sg:State , sg:Person ."
    )
    report = check(onto)
    assert report.consistent
    assert report.unsatisfiable == ["https://w3id.org/sgkg/ontology/Centaur"]


def test_without_java_the_error_is_typed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("kg.checks.reason.java_executable", lambda: None)
    with pytest.raises(ReasonerUnavailable, match="Java not found") as info:
        check(load_ontology())
    assert info.value.status == 503


def test_parse_unsatisfiable() -> None:
    out = "Classes equivalent to 'owl:Nothing':\n\towl:Nothing\n\t<http://x/A>\nType( <a> <b> )\n"
    assert parse_unsatisfiable(out) == ["http://x/A"]
