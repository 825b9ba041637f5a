"""docs/vocabulary.md lists every term of the ontology: a term added to ontology/ without a line
in the vocabulary fails here (the converse, every ``sg:`` name of the page is declared, is
tests/kg/test_ontology.py)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rdflib import URIRef
from rdflib.namespace import OWL, RDF

from kg.checks.ontology import NAMESPACE, load_ontology

ROOT = Path(__file__).resolve().parent.parent
VOCABULARY = ROOT / "docs" / "vocabulary.md"
DECLARATIONS = (
    OWL.Class,
    OWL.ObjectProperty,
    OWL.DatatypeProperty,
    OWL.AnnotationProperty,
    OWL.NamedIndividual,
)


def declared_terms() -> set[str]:
    """Local names of the ``sg:`` IRIs the ontology types with one of :data:`DECLARATIONS`."""
    onto = load_ontology()
    found = set()
    for kind in DECLARATIONS:
        for subject in onto.subjects(RDF.type, kind):
            if isinstance(subject, URIRef) and str(subject).startswith(NAMESPACE):
                found.add(str(subject)[len(NAMESPACE) :])
    return found


def documented_terms(text: str | None = None) -> set[str]:
    """Local names written as code, ```sg:Name```, in docs/vocabulary.md (or in ``text``)."""
    if text is None:
        text = VOCABULARY.read_text(encoding="utf-8")
    return set(re.findall(r"`sg:([^`\s]+)`", text))


@pytest.fixture(scope="module")
def declared() -> set[str]:
    return declared_terms()


def test_the_ontology_declares_terms(declared: set[str]) -> None:
    # a broken load (no files, wrong namespace) must not pass as "nothing undocumented"
    assert len(declared) > 300
    assert {"Assertion", "kind", "ReportedFact", "CommitmentTypes"} <= declared


def test_every_term_is_documented(declared: set[str]) -> None:
    missing = sorted(declared - documented_terms())
    assert not missing, (
        f"{len(missing)} sg: terms of ontology/ are not listed in docs/vocabulary.md "
        f"(write each as `sg:Name` with its skos:definition): {missing}"
    )


def test_a_term_is_documented_only_as_itself() -> None:
    # `sg:Assertion` does not document sg:AssertionKind, nor `sg:kind` sg:Kind
    text = "| `sg:Assertion` | … |\n`sg:kind` (→ sg:AssertionKind), `sg:Kind …`"
    assert documented_terms(text) == {"Assertion", "kind"}
