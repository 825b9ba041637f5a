"""Data-driven shape tests (STYLE 14): every file in valid/ conforms; every file in invalid/
fails with a result naming the focus node and path its header declares::

    # expect-focus: <https://w3id.org/sgkg/id/commitment/c>
    # expect-path: sg:guarantor
    # expect-severity: Warning        (optional; default Violation)

Each shape has at least one invalid fixture (checked below).
"""

from __future__ import annotations

from pathlib import Path

import pytest
import rdflib

from kg.checks.ontology import SHAPES_NAMESPACE, load_shapes
from kg.checks.validate import validate
from kg.rdfio import read_dataset

HERE = Path(__file__).resolve().parent
VALID = sorted((HERE / "valid").glob("*.*[gl]"))
INVALID = sorted((HERE / "invalid").glob("*.ttl"))
SH = rdflib.Namespace("http://www.w3.org/ns/shacl#")


def expectations(path: Path) -> dict[str, str]:
    found: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("# expect-"):
            break
        key, _, value = line[len("# expect-") :].partition(":")
        found[key.strip()] = value.strip()
    return found


@pytest.mark.parametrize("path", VALID, ids=lambda p: p.name)
def test_valid_fixture_conforms(path: Path) -> None:
    result = validate(read_dataset([path]))
    assert result.conforms, result.text
    assert result.violations == [], result.text


@pytest.mark.parametrize("path", INVALID, ids=lambda p: p.name)
def test_invalid_fixture_is_reported(path: Path) -> None:
    expect = expectations(path)
    assert {"focus", "path"} <= expect.keys(), f"{path.name}: header lacks expect-focus/path"
    severity = expect.get("severity", "Violation")
    result = validate(read_dataset([path]))
    if severity == "Violation":
        assert not result.conforms, f"{path.name} conforms"
    matches = [
        v
        for v in result.violations
        if v.focus == expect["focus"] and v.path == expect["path"] and v.severity == severity
    ]
    assert matches, f"{path.name}: no {severity} at {expect['focus']} {expect['path']}:\n" + (
        result.text
    )
    assert all(m.message and m.shape != "-" for m in matches)


def _shape_of(violation_shape: str) -> str:
    return violation_shape.split(" / ")[0]


def test_every_shape_has_an_invalid_fixture() -> None:
    """Each named node shape (and named property shape) is hit by some invalid fixture."""
    shapes = load_shapes()
    named = {
        "sgsh:" + str(s)[len(SHAPES_NAMESPACE) :]
        for t in (SH.NodeShape, SH.PropertyShape)
        for s in shapes.subjects(rdflib.RDF.type, t)
        if str(s).startswith(SHAPES_NAMESPACE)
    }
    hit: set[str] = set()
    for path in INVALID:
        for v in validate(read_dataset([path])).violations:
            hit.add(_shape_of(v.shape))
    # property shapes are reported as such, or through their parent node shape
    parents = {
        "sgsh:" + str(parent)[len(SHAPES_NAMESPACE) :]
        for prop in shapes.subjects(rdflib.RDF.type, SH.PropertyShape)
        for parent in shapes.subjects(SH.property, prop)
        if "sgsh:" + str(prop)[len(SHAPES_NAMESPACE) :] in hit
    }
    missing = sorted(named - hit - parents)
    assert not missing, f"shapes without an invalid fixture: {missing}"
