"""kg/namespaces.py is generated from ontology/ and shapes/ and must not drift from them."""

from __future__ import annotations

import difflib

import pytest

from kg import namespaces, namespaces_gen
from kg.namespaces import NP, OA, SG, SGSH
from kg.ontology import terms


def test_committed_file_matches_a_fresh_generation() -> None:
    fresh = namespaces_gen.render()
    committed = namespaces_gen.TARGET.read_text(encoding="utf-8")
    diff = "".join(
        difflib.unified_diff(
            committed.splitlines(True), fresh.splitlines(True), "committed", "generated"
        )
    )
    assert not diff, f"kg/namespaces.py is stale; run python -m kg.namespaces_gen\n{diff}"


def test_namespaces_are_closed() -> None:
    assert str(SG.State) == "https://w3id.org/sgkg/ontology/State"
    assert str(SGSH.CommitmentShape) == "https://w3id.org/sgkg/shapes/CommitmentShape"
    assert str(NP.hasAssertion) == "http://www.nanopub.org/nschema#hasAssertion"
    assert str(OA.TextQuoteSelector) == "http://www.w3.org/ns/oa#TextQuoteSelector"
    for typo in ("Stat", "guarantr"):
        with pytest.raises(AttributeError):
            getattr(SG, typo)


def test_every_ontology_term_is_in_sg() -> None:
    for name in terms():
        assert str(getattr(SG, name)).endswith("/" + name)
    assert namespaces.__doc__ and "GENERATED" in namespaces.__doc__
