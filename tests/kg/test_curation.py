"""The curator's workflow: `kg source add | check | list` on a throw-away source folder, and
the messages a curator gets (file:line:column) for each kind of mistake.

Every test works in a temporary folder of sources (``kg source --dir``), never on kg/data/.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
import rdflib
from rdflib import URIRef

from kg import paths
from kg.checks.quotes import Quote, verify_quote
from kg.cli import main
from kg.errors import KGError, ParseError, ValidationFailed
from kg.sources import DEFAULT_BASE_IRI, compile_dataset, compile_source, compile_sources

B = DEFAULT_BASE_IRI
SG = rdflib.Namespace(B + "ontology/")
TEXT = """A Tiny Treaty

The Parties shall consult within 24 hours. The United States intends to help.

Share this page

It is the policy of the Parties to meet yearly.
"""
META = """title: "A Tiny Treaty"
type: agreement
parties: [country:united-states, country:ukraine]
language: en
sha256: {sha}
obtained: "Typed for the test."
assertion-prefix: tt
curated: 2026-11-30
"""
CLAIMS = """furniture:
  - "A Tiny Treaty"
  - pattern: "^Share "
claims:
  - quote: "The Parties shall consult within 24 hours"
    kind: obligation
    name: consult
    says: |
      commitment:tiny-consult sg:guarantor country:united-states ;
        sg:beneficiary country:ukraine ; sg:commitmentType sg:Consultation .
  - quote: "The United States intends to help"
    kind: policy
    speaker: country:united-states
    supports: [consult]
    says: |
      commitment:tiny-help sg:guarantor country:united-states ;
        sg:beneficiary country:ukraine ; sg:commitmentType sg:MilitaryAid .
  - quote: "It is the policy of the Parties to meet yearly"
    kind: policy
    says: |
      this:claim a sg:Prescription ; sg:addressee country:ukraine ;
        sg:prescribedAction factor:tiny-yearly-meeting ; sg:modality sg:Should .
"""
ENTITIES = """@prefix sg: <https://w3id.org/sgkg/ontology/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<https://w3id.org/sgkg/id/commitment/tiny-consult> a sg:Commitment ;
    rdfs:label "consultation within 24 hours"@en .
<https://w3id.org/sgkg/id/commitment/tiny-help> a sg:Commitment ; rdfs:label "help"@en .
<https://w3id.org/sgkg/id/factor/tiny-yearly-meeting> a sg:Factor ;
    rdfs:label "meet yearly"@en .
"""


SHARED = """@prefix sg: <https://w3id.org/sgkg/ontology/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<https://w3id.org/sgkg/id/country/united-states> a sg:State ; rdfs:label "United States"@en .
<https://w3id.org/sgkg/id/country/ukraine> a sg:State ; rdfs:label "Ukraine"@en .
"""


@pytest.fixture()
def root(tmp_path: Path) -> Path:
    """A data folder of its own: shared entities beside a folder of sources."""
    (tmp_path / "entities.ttl").write_text(SHARED, encoding="utf-8")
    (tmp_path / "sources").mkdir()
    return tmp_path / "sources"


def write_source(root: Path, claims: str = CLAIMS, text: str = TEXT) -> Path:
    folder = root / "tiny-treaty"
    folder.mkdir(parents=True)
    (folder / "text.txt").write_text(text, encoding="utf-8")
    sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
    (folder / "source.yaml").write_text(META.format(sha=sha), encoding="utf-8")
    (folder / "claims.yaml").write_text(claims, encoding="utf-8")
    (folder / "entities.ttl").write_text(ENTITIES, encoding="utf-8")
    return folder


def line_of(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.split("\n"), start=1) if needle in line)


# ---------------------------------------------------------------------------- compile
def test_a_source_compiles_with_computed_offsets_slugs_and_relations(root: Path) -> None:
    write_source(root)
    (compiled,) = compile_sources(root=root)
    assert [c.slug for c in compiled.claims] == ["tt-001", "tt-002", "tt-003"]
    first = compiled.claims[0]
    assert TEXT[first.start : first.end] == first.quote
    assert (first.sentence.paragraph, first.sentence.sentence) == (1, 1)
    assert compiled.uncovered == []
    ds = compile_dataset(root=root)
    # each claim is a nanopub {base}np/RA… (issue 12); its slug is in its pubinfo
    dcterms = rdflib.Namespace("http://purl.org/dc/terms/")
    nanopub = {str(o): str(s) for s, _, o, _g in ds.quads((None, dcterms.identifier, None, None))}
    assert set(nanopub) == {"tt-001", "tt-002", "tt-003"}
    assert all(n.startswith(B + "np/RA") for n in nanopub.values())
    a1, a2 = (URIRef(nanopub[s] + "/assertion") for s in ("tt-001", "tt-002"))
    prov2 = ds.graph(URIRef(nanopub["tt-002"] + "/provenance"))
    assert (a2, SG.supportsClaim, a1) in ds.graph(URIRef(B + "graph/argument"))
    # a provision with a speaker is attributed to that party only; others to both parties
    prov = rdflib.Namespace("http://www.w3.org/ns/prov#")
    assert set(prov2.objects(a2, prov.wasAttributedTo)) == {URIRef(B + "id/country/united-states")}
    prov1 = ds.graph(URIRef(nanopub["tt-001"] + "/provenance"))
    assert set(prov1.objects(a1, prov.wasAttributedTo)) == {
        URIRef(B + "id/country/united-states"),
        URIRef(B + "id/country/ukraine"),
    }
    # this: names a node of the claim's own graph, inside the nanopub's namespace
    a3 = nanopub["tt-003"] + "/assertion"
    content3 = ds.graph(URIRef(a3))
    assert (URIRef(a3 + "#claim"), rdflib.RDF.type, SG.Prescription) in content3


def test_published_selectors_verify_against_the_stored_text() -> None:
    """Every quote of every real source, read back from the compiled graph."""
    oa = rdflib.Namespace("http://www.w3.org/ns/oa#")
    ds = compile_dataset()
    texts = {s: str(o) for s, _, o, _ in ds.quads((None, SG.sourceText, None, None))}
    checked = 0
    for assertion, _, resource, g in ds.quads((None, rdflib.PROV.wasQuotedFrom, None, None)):
        graph = ds.graph(g)
        doc = graph.value(resource, oa.hasSource)
        sel = {graph.value(s, rdflib.RDF.type): s for s in graph.objects(resource, oa.hasSelector)}
        q, p = sel[oa.TextQuoteSelector], sel[oa.TextPositionSelector]
        quote = Quote(
            assertion=str(assertion),
            file="graph",
            exact=str(graph.value(q, oa.exact)),
            prefix=str(graph.value(q, oa.prefix) or ""),
            suffix=str(graph.value(q, oa.suffix) or ""),
            start=int(graph.value(p, oa.start)),
            end=int(graph.value(p, oa.end)),
        )
        verify_quote(quote, texts[doc])
        checked += 1
    assert checked >= 90


def test_no_python_under_kg_data_and_no_authoring_script() -> None:
    assert list(paths.data_dir().rglob("*.py")) == []
    assert not (paths.data_dir() / "tools").exists()


# ---------------------------------------------------------------------------- mistakes
@pytest.mark.parametrize(
    ("old", "new", "needle", "message"),
    [
        (
            "shall consult within 24 hours",
            "shall consult within 42 hours",
            'quote: "The Parties shall',
            "quote not found",
        ),
        ("kind: obligation", "kind: duty", "kind: duty", "is not one of"),
        (
            "    name: consult\n",
            "    name: consult\n    colour: red\n",
            "colour: red",
            "unknown key",
        ),
        ("sg:MilitaryAid .", "sg:MilitaryAidd .", "sg:MilitaryAidd", "not a term of"),
        ("supports: [consult]", "supports: [nobody]", "supports: [nobody]", "no claim is named"),
        (
            "kind: policy\n    says: |\n      this",
            "kind: assessment\n    speaker: country:ukraine\n    says: |\n      this",
            "speaker: country:ukraine",
            "the author's own",
        ),
    ],
)
def test_mistakes_name_the_file_line_and_problem(
    root: Path, old: str, new: str, needle: str, message: str
) -> None:
    claims = CLAIMS.replace(old, new, 1)
    assert claims != CLAIMS
    folder = write_source(root, claims)
    with pytest.raises(KGError) as info:
        compile_source(folder)
    text = str(info.value)
    assert message in text
    assert f"{folder / 'claims.yaml'}:{line_of(claims, needle)}" in text


def test_a_turtle_error_points_into_the_claims_file(root: Path) -> None:
    claims = CLAIMS.replace(
        "sg:beneficiary country:ukraine ; sg:commitmentType sg:Consultation .",
        "sg:beneficiary country:ukraine ; sg:commitmentType .",
    )
    folder = write_source(root, claims)
    with pytest.raises(ParseError) as info:
        compile_source(folder)
    assert info.value.source == str(folder / "claims.yaml")
    assert info.value.line == line_of(claims, "sg:commitmentType .")


def test_a_repeated_quote_needs_its_occurrence(root: Path) -> None:
    text = TEXT.replace(
        "to meet yearly.", "to meet yearly. The Parties shall consult within 24 hours."
    )
    claims = (
        CLAIMS
        + '  - quote: "It is the policy"\n    kind: policy\n    says: |\n'
        + "      commitment:tiny-help sg:status sg:Proposed .\n"
    )
    folder = write_source(root, claims, text)
    with pytest.raises(ParseError, match=r"occurs 2 times .*occurrence: N"):
        compile_source(folder)


def test_rdfs_comment_is_refused_in_a_claim(root: Path) -> None:
    claims = CLAIMS.replace(
        "sg:commitmentType sg:Consultation .",
        'sg:commitmentType sg:Consultation ; rdfs:comment "an opinion"@en .',
    )
    folder = write_source(root, claims)
    with pytest.raises(ValidationFailed, match="paraphrase"):
        compile_source(folder)


def test_a_changed_text_is_refused_by_its_hash(root: Path) -> None:
    folder = write_source(root)
    (folder / "text.txt").write_text(TEXT.replace("yearly", "weekly"), encoding="utf-8")
    with pytest.raises(ValidationFailed, match="sha256"):
        compile_source(folder)


# ---------------------------------------------------------------------------- the CLI
def test_add_then_check_then_list(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    text = tmp_path / "in.txt"
    text.write_text(TEXT, encoding="utf-8")
    root = tmp_path / "sources"
    root.mkdir()
    code = main(
        [
            "source",
            "--dir",
            str(root),
            "add",
            str(text),
            "--slug",
            "tiny-treaty",
            "--type",
            "agreement",
            "--party",
            "country:ukraine",
        ]
    )
    assert code == 0
    folder = root / "tiny-treaty"
    assert (folder / "text.txt").read_bytes() == text.read_bytes()
    assert hashlib.sha256(text.read_bytes()).hexdigest() in (folder / "source.yaml").read_text()
    # a second add of the same slug is refused: slugs are never reused
    assert main(["source", "--dir", str(root), "add", str(text), "--slug", "tiny-treaty"]) == 2
    capsys.readouterr()
    # the skeleton lacks a title: check names the file and the missing key
    assert main(["source", "--dir", str(root), "check", "--no-shapes"]) == 1
    err = capsys.readouterr().err
    assert f"{folder / 'source.yaml'}:" in err and "missing 'title'" in err


def test_check_lists_uncovered_sentences_with_their_place(
    root: Path, capsys: pytest.CaptureFixture
) -> None:
    claims = CLAIMS[: CLAIMS.index('  - quote: "It is the policy')]
    folder = write_source(root, claims)
    assert main(["source", "--dir", str(root), "check", "--no-shapes"]) == 1
    out = capsys.readouterr().out
    line = line_of(TEXT, "It is the policy")
    assert f"{folder / 'text.txt'}:{line}:1: error: ¶2 s1 is quoted by no claim" in out
    assert "2 claims" in out


def test_check_passes_and_list_counts(root: Path, capsys: pytest.CaptureFixture) -> None:
    write_source(root)
    assert main(["source", "--dir", str(root), "check"]) == 0
    out = capsys.readouterr().out
    assert "3 claims (1 obligation, 2 policy); 1 relations; 0 free-text; 3/3 sentences" in out
    assert "shapes: the curated graph conforms" in out
    assert main(["source", "--dir", str(root), "list", "--format", "json"]) == 0
    assert '"claims": 3' in capsys.readouterr().out


def test_verify_quote_catches_a_shifted_or_altered_selector() -> None:
    text = "Alpha beta gamma."
    good = Quote("x", "graph", "beta", "Alpha ", " gamma", 6, 10)
    verify_quote(good, text)
    for bad in (
        Quote("x", "graph", "beta", "Alpha ", " gamma", 7, 11),
        Quote("x", "graph", "betas", "Alpha ", " gamma", 6, 10),
        Quote("x", "graph", "beta", "alpha ", " gamma", 6, 10),
    ):
        with pytest.raises(ValidationFailed, match="assertion x"):
            verify_quote(bad, text)
