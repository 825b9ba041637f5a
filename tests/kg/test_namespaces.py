"""kg/namespaces/ is generated from ontology/ and shapes/ and must not drift from them."""

from __future__ import annotations

import difflib

import pytest

from kg import namespaces, namespaces_gen
from kg.checks.ontology import terms
from kg.namespaces import NP, OA, SG, SGSH, SGArgument


def test_committed_files_match_a_fresh_generation() -> None:
    fresh = namespaces_gen.render()
    committed = {p.name for p in namespaces_gen.TARGET.glob("*.py")}
    assert committed == set(fresh), "kg/namespaces/ is stale; run python -m kg.namespaces_gen"
    for name, text in fresh.items():
        current = (namespaces_gen.TARGET / name).read_text(encoding="utf-8")
        diff = "".join(
            difflib.unified_diff(current.splitlines(True), text.splitlines(True), name, "generated")
        )
        assert not diff, f"kg/namespaces/{name} is stale; run python -m kg.namespaces_gen\n{diff}"
    assert not namespaces_gen.stale(fresh)


def test_generated_modules_stay_small() -> None:
    for name, text in namespaces_gen.render().items():
        assert text.count("\n") <= namespaces_gen.MAX_LINES, name


def test_namespaces_are_closed() -> None:
    assert str(SG.State) == "https://w3id.org/sgkg/ontology/State"
    assert str(SGSH.CommitmentShape) == "https://w3id.org/sgkg/shapes/CommitmentShape"
    assert str(NP.hasAssertion) == "http://www.nanopub.org/nschema#hasAssertion"
    assert str(OA.TextQuoteSelector) == "http://www.w3.org/ns/oa#TextQuoteSelector"
    for typo in ("Stat", "guarantr"):
        with pytest.raises(AttributeError):
            getattr(SG, typo)
    # one class per ontology module, each closed too; SG is their union
    assert str(SGArgument.supportsClaim) == str(SG.supportsClaim)
    with pytest.raises(AttributeError):
        SGArgument.State  # noqa: B018 (a term of another module)


def test_every_ontology_term_is_in_sg() -> None:
    for name in terms():
        assert str(getattr(SG, name)).endswith("/" + name)
    assert namespaces.__doc__ and "GENERATED" in namespaces.__doc__
