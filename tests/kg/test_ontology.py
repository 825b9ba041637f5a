"""The ontology in ontology/: complete against docs/vocabulary.md, documented (lint shapes),
loadable by owlready2, imports resolved locally, version stamped once."""

from __future__ import annotations

import re
from pathlib import Path

import rdflib
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS

from kg import paths
from kg.checks.ontology import (
    NAMESPACE,
    ONTOLOGY_IRI,
    load_lint_shapes,
    load_ontology,
    stamp_version,
    terms,
    version,
)
from kg.checks.validate import validate

ROOT = Path(__file__).resolve().parents[2]
ONTO = rdflib.URIRef(ONTOLOGY_IRI)


def vocabulary_terms() -> set[str]:
    text = (ROOT / "docs" / "vocabulary.md").read_text(encoding="utf-8")
    return set(re.findall(r"\bsg:([A-Za-z][A-Za-z0-9]*)", text))


def test_every_term_of_the_vocabulary_is_declared() -> None:
    declared = terms()
    missing = sorted(vocabulary_terms() - declared.keys())
    assert not missing, f"terms of docs/vocabulary.md missing from ontology/: {missing}"
    assert len(vocabulary_terms()) > 100


def test_lint_shapes_pass_on_the_ontology_and_after_stamping() -> None:
    result = validate(rdflib.Graph(), shapes=load_lint_shapes())
    assert result.conforms, result.text
    stamped = stamp_version(load_ontology(), "0.2.0", "2026-01-02")
    stamp_version(stamped, "0.3.0", "2026-01-03")  # stamping twice keeps one of each
    result = validate(rdflib.Graph(), shapes=load_lint_shapes(), ontology=stamped)
    assert result.conforms, result.text
    assert list(stamped.objects(ONTO, OWL.versionIRI)) == [rdflib.URIRef(NAMESPACE + "0.3.0")]
    assert [str(m) for m in stamped.objects(ONTO, DCTERMS.modified)] == ["2026-01-03"]
    assert version(stamped) == "0.3.0"
    stamped.add((rdflib.URIRef(NAMESPACE + "Widget"), RDF.type, OWL.Class))
    result = validate(rdflib.Graph(), shapes=load_lint_shapes(), ontology=stamped)
    assert {(v.focus, v.path) for v in result.violations} == {
        ("sg:Widget", "rdfs:label"),
        ("sg:Widget", "skos:definition"),
        ("sg:Widget", "rdfs:isDefinedBy"),
    }


def test_header() -> None:
    onto = load_ontology()
    assert version(onto) == "0.1.0"
    assert onto.value(ONTO, OWL.versionIRI) == rdflib.URIRef(NAMESPACE + "0.1.0")
    assert onto.value(ONTO, DCTERMS.license) == rdflib.URIRef(
        "https://creativecommons.org/licenses/by/4.0/"
    )
    assert onto.value(ONTO, OWL.priorVersion) is None


def test_classes_and_main_properties_have_ukrainian_and_french_labels() -> None:
    onto = load_ontology()
    main = {"guarantor", "beneficiary", "commitmentType", "status", "hasCondition", "kind"}
    for name, kind in terms(onto).items():
        if kind == "Class" or name in main:
            langs = {
                lbl.language for lbl in onto.objects(rdflib.URIRef(NAMESPACE + name), RDFS.label)
            }
            assert {"en", "uk", "fr"} <= langs, f"sg:{name} labels: {langs}"


def test_each_property_has_one_kind() -> None:
    """OWL 2 DL: no IRI is both an object and a datatype (or annotation) property."""
    onto = load_ontology()
    kinds = (OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)
    for prop in set(onto.subjects(RDF.type, None)):
        declared = [k for k in kinds if (prop, RDF.type, k) in onto]
        assert len(declared) <= 1, f"{prop} declared as {declared}"


def test_umbrella_imports_resolve_to_local_modules() -> None:
    """Every owl:imports of the umbrella is an ontology declared by one file in ontology/,
    and every module is imported: loading never needs the network."""
    declared: dict[rdflib.URIRef, list[str]] = {}
    for path in paths.ontology_files():
        graph = rdflib.Graph().parse(path, format="turtle")
        for onto in graph.subjects(RDF.type, OWL.Ontology):
            declared.setdefault(onto, []).append(path.name)
    imports = set(load_ontology().objects(ONTO, OWL.imports))
    assert imports, "the umbrella imports nothing"
    for target in imports:
        assert len(declared.get(target, [])) == 1, f"{target} is not declared by one local file"
    modules = set(declared) - {ONTO}
    assert modules == imports, f"modules not imported: {modules - imports}"
    assert declared[ONTO] == ["sgkg.ttl"]


def test_owlready2_loads_the_ontology(tmp_path: Path) -> None:
    import owlready2

    graph = load_ontology()
    graph.remove((None, OWL.imports, None))  # merged already; owlready2 would fetch them
    path = tmp_path / "sgkg.nt"
    graph.serialize(path, format="nt", encoding="utf-8")
    world = owlready2.World()
    onto = world.get_ontology(path.as_uri()).load()
    try:
        state = world[NAMESPACE + "State"]
        assert state is not None and world[NAMESPACE + "Agent"] in state.is_a
        guarantor = world[NAMESPACE + "guarantor"]
        assert isinstance(guarantor, owlready2.ObjectPropertyClass)
        assert owlready2.FunctionalProperty in guarantor.is_a
        assert world[NAMESPACE + "memberOf"].inverse_property == world[NAMESPACE + "hasMember"]
        assert len(list(onto.classes())) >= 35
    finally:
        world.close()
