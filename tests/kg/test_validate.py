"""kg.checks.validate: the API, the natively-run shapes, the real article data, ``kg validate``."""

from __future__ import annotations

from pathlib import Path

import pyshacl
import rdflib

from kg.checks.ontology import load_ontology, load_shapes
from kg.checks.validate import ValidationResult, format_violations, merge, validate
from kg.rdfio import read_dataset

SHAPES = Path(__file__).resolve().parent.parent / "shapes"
VALID = SHAPES / "valid" / "nanopub.trig"
UNDECLARED = SHAPES / "invalid" / "undeclared-property.ttl"
UNDECLARED_CLASS = SHAPES / "invalid" / "undeclared-class.ttl"
SH = rdflib.Namespace("http://www.w3.org/ns/shacl#")


def _results(report: rdflib.Graph) -> set[tuple[str, str, str]]:
    return {
        (
            str(report.value(r, SH.focusNode)),
            str(report.value(r, SH.resultPath)),
            str(report.value(r, SH.value)),
        )
        for r in report.subjects(rdflib.RDF.type, SH.ValidationResult)
        if report.value(r, SH.sourceShape)
        == rdflib.URIRef("https://w3id.org/sgkg/shapes/DeclaredTermsShape")
    }


def test_native_declared_terms_agree_with_the_sparql_shapes() -> None:
    """The Python implementation of sgsh:DeclaredTermsShape reports what pySHACL reports
    when it runs the SPARQL constraints of shapes/terms.ttl itself."""
    for fixture in (UNDECLARED, UNDECLARED_CLASS):
        data = merge(read_dataset([fixture]), load_ontology())
        _c, report, _t = pyshacl.validate(data, shacl_graph=load_shapes(), inference="none")
        expected = _results(report)
        assert expected, fixture.name
        assert _results(validate(read_dataset([fixture])).report_graph) == expected


def test_dataset_graphs_are_merged_before_validation() -> None:
    """A type in one named graph and its properties in another are validated together."""
    ds = read_dataset([VALID])
    assert len(list(ds.graphs())) > 3
    assert validate(ds).conforms
    broken = rdflib.Dataset()
    for s, p, o, g in ds.quads((None, None, None, None)):
        if p == rdflib.URIRef("https://w3id.org/sgkg/ontology/kind"):
            continue  # drop the kind from the provenance graph
        broken.graph(g).add((s, p, o))
    result = validate(broken)
    assert not result.conforms
    assert any(v.path == "sg:kind" for v in result.violations)


def test_violation_fields_and_report_text() -> None:
    result = validate(read_dataset([SHAPES / "invalid" / "commitment-two-guarantors.ttl"]))
    assert isinstance(result, ValidationResult) and not result.conforms
    (v,) = [v for v in result.violations if v.path == "sg:guarantor"]
    assert v.focus == "<https://w3id.org/sgkg/id/commitment/c>"
    assert v.shape == "sgsh:CommitmentShape / sg:guarantor"
    assert v.severity == "Violation"
    assert "exactly one guarantor" in v.message
    text = format_violations(result)
    for part in (v.focus, "path:    sg:guarantor", "exactly one guarantor", v.shape):
        assert part in text
    assert result.text == text
    assert (None, rdflib.RDF.type, SH.ValidationReport) in result.report_graph


def test_blank_node_focus_is_described_by_its_path_from_an_iri() -> None:
    data = rdflib.Graph().parse(
        data="""
        @prefix prov: <http://www.w3.org/ns/prov#> . @prefix oa: <http://www.w3.org/ns/oa#> .
        <https://w3id.org/sgkg/id/x> prov:wasQuotedFrom [ a oa:SpecificResource ;
            oa:hasSelector [ a oa:TextPositionSelector ; oa:start 9 ; oa:end 3 ] ] .
        """,
        format="turtle",
    )
    result = validate(data)
    focus = {v.focus for v in result.violations if v.path == "oa:start"}
    assert focus == {
        "<https://w3id.org/sgkg/id/x> prov:wasQuotedFrom / oa:hasSelector "
        "[ a oa:TextPositionSelector ]"
    }


def test_the_curated_dataset_conforms() -> None:
    from kg.sources import compile_dataset

    result = validate(compile_dataset())
    assert result.conforms, result.text


def test_cli_exit_codes(runner, tmp_path: Path) -> None:
    code, out, _err = runner(["validate", str(VALID)])
    assert code == 0 and "Conforms" in out
    code, out, _err = runner(["validate", str(SHAPES / "invalid" / "guarantor-is-beneficiary.ttl")])
    assert code == 1
    assert "<https://w3id.org/sgkg/id/commitment/c>" in out and "sg:guarantor" in out
    bad = tmp_path / "bad.ttl"
    bad.write_text("@prefix sg: <https://w3id.org/sgkg/ontology/> .\n<a> sg:x \n", "utf-8")
    code, _out, err = runner(["validate", str(bad)])
    assert code == 2
    assert f"{bad}:" in err and "Traceback" not in err


def test_cli_turtle_report_parses(runner) -> None:
    code, out, _err = runner(
        ["validate", "--format", "turtle", str(SHAPES / "invalid" / "source-no-text.ttl")]
    )
    assert code == 1
    report = rdflib.Graph().parse(data=out, format="turtle")
    assert (None, SH.conforms, rdflib.Literal(False)) in report


def test_cli_without_files_validates_the_curated_graph(runner) -> None:
    code, out, _err = runner(["validate"])
    assert code == 0, out
