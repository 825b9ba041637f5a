"""``kg query``: every output format parsed back and compared by value; errors with positions."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.store import EmbeddedStore

EX = "http://example.org/"
SR = "{http://www.w3.org/2005/sparql-results#}"
SELECT = f"SELECT ?s ?name WHERE {{ ?s <{EX}name> ?name }} ORDER BY ?name"
CONSTRUCT = f"CONSTRUCT {{ ?s <{EX}label> ?name }} WHERE {{ ?s <{EX}name> ?name }}"
ROWS = [(EX + "de", "Deutschland", "de"), (EX + "fr", "France", "fr"), (EX + "ua", "Україна", "uk")]


@pytest.fixture()
def store(tmp_path: Path) -> EmbeddedStore:
    s = EmbeddedStore(tmp_path / "store")
    with s.writer() as w:
        for iri, name, lang in ROWS:
            w.add(
                ox.Quad(
                    ox.NamedNode(iri),
                    ox.NamedNode(EX + "name"),
                    ox.Literal(name, language=lang),
                    ox.NamedNode(EX + "g"),
                )
            )
    return s


@pytest.fixture()
def kgq(store: EmbeddedStore, runner):
    def run(*argv: str) -> tuple[int, str, str]:
        return runner(["--store", str(store.root), "query", *argv])

    return run


def test_table_is_aligned(kgq) -> None:
    code, out, err = kgq(SELECT)
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].split() == ["s", "name"]
    assert set(lines[1]) <= {"-", " "}
    assert lines[-1] == "(3 rows)"
    body = lines[2:-1]
    assert [line.split()[1] for line in body] == ["Deutschland@de", "France@fr", "Україна@uk"]
    column = lines[0].index("name")
    assert all(line[column - 2 : column] == "  " for line in body)  # aligned second column


def test_json(kgq) -> None:
    code, out, _ = kgq(SELECT, "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert data["head"]["vars"] == ["s", "name"]
    got = [
        (b["s"]["value"], b["name"]["value"], b["name"]["xml:lang"])
        for b in data["results"]["bindings"]
    ]
    assert got == ROWS


def test_xml(kgq) -> None:
    code, out, _ = kgq(SELECT, "--format", "xml")
    assert code == 0
    root = ET.fromstring(out.encode())  # noqa: S314 (our own output)
    got = []
    for result in root.iter(SR + "result"):
        cells = {b.get("name"): b[0] for b in result.iter(SR + "binding")}
        lang = cells["name"].get("{http://www.w3.org/XML/1998/namespace}lang")
        got.append((cells["s"].text, cells["name"].text, lang))
    assert got == ROWS


@pytest.mark.parametrize(("fmt", "delimiter"), [("csv", ","), ("tsv", "\t")])
def test_csv_and_tsv(kgq, fmt: str, delimiter: str) -> None:
    code, out, _ = kgq(SELECT, "--format", fmt)
    assert code == 0
    quoting = csv.QUOTE_MINIMAL if fmt == "csv" else csv.QUOTE_NONE
    rows = list(csv.reader(io.StringIO(out), delimiter=delimiter, quoting=quoting))
    assert [c.lstrip("?") for c in rows[0]] == ["s", "name"]
    if fmt == "csv":
        assert [tuple(r) for r in rows[1:]] == [(i, n) for i, n, _ in ROWS]
    else:  # TSV keeps the terms' syntax
        assert [tuple(r) for r in rows[1:]] == [(f"<{i}>", f'"{n}"@{lang}') for i, n, lang in ROWS]


def test_ask(kgq) -> None:
    code, out, _ = kgq(f"ASK {{ ?s <{EX}name> ?o }}", "--format", "json")
    assert code == 0 and json.loads(out)["boolean"] is True
    code, out, _ = kgq(f"ASK {{ ?s <{EX}nope> ?o }}")
    assert code == 0 and out.strip() == "no"


GRAPH_FORMATS = [
    ("turtle", ox.RdfFormat.TURTLE),
    ("ntriples", ox.RdfFormat.N_TRIPLES),
    ("nquads", ox.RdfFormat.N_QUADS),
    ("trig", ox.RdfFormat.TRIG),
    ("rdfxml", ox.RdfFormat.RDF_XML),
    ("jsonld", ox.RdfFormat.JSON_LD),
]


@pytest.mark.parametrize(("fmt", "rdf_format"), GRAPH_FORMATS, ids=[f for f, _ in GRAPH_FORMATS])
def test_construct_formats(kgq, fmt: str, rdf_format) -> None:
    code, out, err = kgq(CONSTRUCT, "--format", fmt)
    assert code == 0, err
    got = {(q.subject.value, q.object.value, q.object.language) for q in ox.parse(out, rdf_format)}
    assert got == set(ROWS)


def test_construct_table_and_describe(kgq) -> None:
    code, out, _ = kgq(CONSTRUCT)
    assert code == 0 and out.splitlines()[0].split() == ["subject", "predicate", "object"]
    assert out.splitlines()[-1] == "(3 rows)"
    code, out, _ = kgq(f"DESCRIBE <{EX}ua>", "--format", "ntriples")
    assert code == 0
    assert [t.object.value for t in ox.parse(out, ox.RdfFormat.N_TRIPLES)] == ["Україна"]


def test_query_from_file_and_stdin(kgq, tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "q.rq"
    path.write_text(SELECT)
    code, out, _ = kgq(f"@{path}", "--format", "json")
    assert code == 0 and len(json.loads(out)["results"]["bindings"]) == 3
    monkeypatch.setattr("sys.stdin", io.StringIO(SELECT))
    code, out, _ = kgq("-", "--format", "csv")
    assert code == 0 and len(out.strip().splitlines()) == 4


def test_parse_error_has_line_and_column(kgq) -> None:
    code, out, err = kgq("SELECT ?s WHERE {\n  ?s ?p \n  FILTER( }")
    assert code == 2
    assert "<query>:3:" in err and "Traceback" not in err


def test_bad_format_and_missing_file(kgq, tmp_path: Path) -> None:
    code, _, err = kgq(SELECT, "--format", "turtle")
    assert code == 2 and "SELECT/ASK" in err
    code, _, err = kgq(CONSTRUCT, "--format", "csv")
    assert code == 2 and "CONSTRUCT" in err
    code, _, err = kgq(SELECT, "--format", "yaml")
    assert code == 2 and "unknown format" in err
    code, _, err = kgq(f"@{tmp_path / 'missing.rq'}")
    assert code == 2 and "missing.rq" in err
