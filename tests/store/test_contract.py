"""The store contract: every backend (embedded pyoxigraph, ``oxigraph serve``, Virtuoso 7)
passes the same tests. Written against :class:`kg.store.Store` only; a test never asks which
backend it has (STYLE.md 5a).
"""

from __future__ import annotations

import csv as csv_module
import gzip
import io
import json
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.errors import NotFound, ParseError, QueryError
from kg.load import load_files
from kg.store import NoAcceptableFormat, QueryJob, ResultTooLarge, Store

pytestmark = [pytest.mark.server, pytest.mark.xdist_group("store-contract")]

EX = "http://example.org/"
G1, G2, G3 = f"{EX}graph/one", f"{EX}graph/two", f"{EX}graph/three"


def nn(name: str) -> ox.NamedNode:
    return ox.NamedNode(EX + name)


def quad(s: str, p: str, o: str | ox.Literal, g: str | None) -> ox.Quad:
    obj = o if isinstance(o, ox.Literal) else nn(o)
    graph = ox.NamedNode(g) if g else ox.DefaultGraph()
    return ox.Quad(nn(s), nn(p), obj, graph)


SAMPLE = [
    quad("a", "knows", "b", G1),
    quad("b", "knows", "c", G1),
    quad("a", "name", ox.Literal("Alice", language="en"), G1),
    quad("c", "knows", "a", G2),
    quad("a", "knows", "b", G2),  # the same triple in two graphs: once in the union
]


def rows(store: Store, sparql: str, **kwargs: object) -> list[tuple[str | None, ...]]:
    solutions = store.query(sparql, **kwargs)
    names = [v.value for v in solutions.variables]
    return [tuple(None if s[n] is None else s[n].value for n in names) for s in solutions]


#: a store's own bookkeeping (a version triple) may show in the union default graph
OURS = 'FILTER(!isIRI(?s) || !STRSTARTS(STR(?s), "urn:x-sgkg:"))'


def count(store: Store, where: str = "?s ?p ?o") -> int:
    """Distinct triples matching ``where`` (the union default graph is a set of triples,
    which some engines answer as a bag), bookkeeping left out."""
    query = (
        f"SELECT (COUNT(*) AS ?n) WHERE {{ SELECT DISTINCT ?s ?p ?o WHERE {{ {where} {OURS} }} }}"
    )
    return int(rows(store, query)[0][0] or 0)


def job(query: str, **changes: object) -> QueryJob:
    fields: dict[str, object] = {
        "query": query,
        "default_graph": None,
        "named_graphs": None,
        "union_default": True,
        "base_iri": None,
        "result_format": "json",
        "graph_format": "ntriples",
        "max_rows": 1000,
    }
    fields.update(changes)
    return QueryJob(**fields)  # type: ignore[arg-type]


# --- state -------------------------------------------------------------------------------


def test_an_empty_store_has_no_graphs_and_no_quads(backend: Store) -> None:
    assert backend.named_graphs() == []
    assert backend.count_quads() == 0
    assert count(backend) == 0


def test_a_written_dataset_is_seen_by_every_reader(backend: Store) -> None:
    backend.write_dataset(SAMPLE)
    assert backend.exists()
    assert backend.named_graphs() == sorted([G1, G2])
    assert backend.count_quads() == 5
    # the default graph of a query is the union of the named graphs (a set of triples)
    assert count(backend) == 4
    assert count(backend, f"GRAPH <{G2}> {{ ?s ?p ?o }}") == 2


def test_the_version_changes_with_every_write_and_only_then(backend: Store) -> None:
    backend.write_dataset(SAMPLE)
    first = backend.version()
    backend.replace_graph(G3, [quad("x", "p", "y", None)])
    second = _settled_version(backend, first)
    assert second != first
    backend.update(f"INSERT DATA {{ GRAPH <{G3}> {{ <{EX}x> <{EX}p> <{EX}z> }} }}")
    third = _settled_version(backend, second)
    assert third not in (first, second)
    assert backend.version() == third  # no write, no change


def _settled_version(store: Store, old: str) -> str:
    """The version after a write (a remote store may cache it for a second)."""
    import time

    deadline = time.monotonic() + 3
    while time.monotonic() < deadline:
        current = store.version()
        if current != old:
            return current
        time.sleep(0.2)
    return store.version()


# --- reading -----------------------------------------------------------------------------


def test_quads_by_pattern(backend: Store) -> None:
    backend.write_dataset(SAMPLE)
    by_subject = {
        (q.predicate.value, q.graph_name.value) for q in backend.quads_for_pattern(nn("a"))
    }
    assert by_subject == {(EX + "knows", G1), (EX + "name", G1), (EX + "knows", G2)}
    in_g2 = list(backend.quads_for_pattern(None, None, None, ox.NamedNode(G2)))
    assert len(in_g2) == 2
    knows_a = list(backend.quads_for_pattern(None, nn("knows"), nn("a"), None))
    assert [(q.subject.value, q.graph_name.value) for q in knows_a] == [(EX + "c", G2)]
    assert backend.contains_named_graph(G1)
    assert not backend.contains_named_graph(G3)
    patterns = backend.patterns()
    assert patterns.contains_named_graph(ox.NamedNode(G2))
    literal = next(iter(patterns.quads_for_pattern(nn("a"), nn("name"), None, None))).object
    assert (literal.value, literal.language) == ("Alice", "en")


def test_query_gives_pyoxigraph_results(backend: Store) -> None:
    backend.write_dataset(SAMPLE)
    assert bool(backend.query(f"ASK {{ <{EX}a> <{EX}knows> <{EX}b> }}"))
    assert not bool(backend.query(f"ASK {{ <{EX}b> <{EX}knows> <{EX}a> }}"))
    found = rows(backend, f"SELECT DISTINCT ?o WHERE {{ <{EX}a> <{EX}knows> ?o }}")
    assert found == [(EX + "b",)]
    construct = f"CONSTRUCT {{ ?s <{EX}k> ?o }} WHERE {{ ?s <{EX}knows> ?o }}"
    triples = list(backend.query(construct))
    assert {(t.subject.value, t.object.value) for t in triples} == {
        (EX + "a", EX + "b"),
        (EX + "b", EX + "c"),
        (EX + "c", EX + "a"),
    }


def test_query_honours_the_protocol_dataset_and_base(backend: Store) -> None:
    backend.write_dataset(SAMPLE)
    only_g2 = rows(backend, "SELECT ?s ?o WHERE { ?s ?p ?o }", default_graph=[G2])
    assert sorted(only_g2) == [(EX + "a", EX + "b"), (EX + "c", EX + "a")]
    relative = rows(backend, "SELECT DISTINCT ?o WHERE { <a> <knows> ?o }", base_iri=EX)
    assert relative == [(EX + "b",)]


def test_a_malformed_query_is_a_query_error_with_a_position(backend: Store) -> None:
    with pytest.raises(QueryError) as caught:
        backend.query("SELECT * WHERE {\n  ?s ?p \n}")
    assert caught.value.status == 400
    assert caught.value.line is not None


def test_read_graph_and_a_missing_graph(backend: Store) -> None:
    backend.write_dataset(SAMPLE)
    assert len(backend.read_graph(G2)) == 2
    with pytest.raises(NotFound):
        backend.read_graph(G3)


# --- answering (the web's query path) ---------------------------------------------------------


def test_answer_serializes_each_query_form(backend: Store) -> None:
    backend.write_dataset(SAMPLE)
    select = backend.answer(job(f"SELECT DISTINCT ?o WHERE {{ <{EX}a> <{EX}knows> ?o }}"), 10)
    assert (select.kind, select.format) == ("solutions", "json")
    assert json.loads(select.body)["results"]["bindings"][0]["o"]["value"] == EX + "b"
    ask = backend.answer(job("ASK { ?s ?p ?o }"), 10)
    assert ask.kind == "boolean" and json.loads(ask.body)["boolean"] is True
    graph = backend.answer(job(f"CONSTRUCT WHERE {{ ?s <{EX}knows> ?o }}"), 10)
    assert (graph.kind, graph.format) == ("graph", "ntriples")
    assert len(set(ox.parse(graph.body, format=ox.RdfFormat.N_TRIPLES))) == 3
    csv = backend.answer(job("SELECT ?s WHERE { ?s ?p ?o }", result_format="csv"), 10)
    header = next(csv_module.reader(io.StringIO(csv.body.decode(), newline="")))
    assert csv.format == "csv" and header == ["s"]


def test_answer_refuses_above_the_row_cap_and_answers_at_it(backend: Store) -> None:
    backend.write_dataset(SAMPLE)
    query = f"SELECT DISTINCT ?s ?p ?o WHERE {{ ?s ?p ?o {OURS} }}"
    at_cap = backend.answer(job(query, max_rows=4), 10)
    assert len(json.loads(at_cap.body)["results"]["bindings"]) == 4
    with pytest.raises(ResultTooLarge) as caught:
        backend.answer(job(query, max_rows=3), 10)
    assert caught.value.status == 422 and "3" in str(caught.value)
    with pytest.raises(ResultTooLarge):
        backend.answer(job(f"CONSTRUCT WHERE {{ ?s <{EX}knows> ?o }}", max_rows=2), 10)


def test_answer_without_an_acceptable_format_names_the_kind(backend: Store) -> None:
    backend.write_dataset(SAMPLE)
    with pytest.raises(NoAcceptableFormat) as caught:
        backend.answer(job("SELECT * WHERE { ?s ?p ?o }", result_format=None), 10)
    assert caught.value.kind == "solutions"


def test_answer_keeps_a_query_s_own_from(backend: Store) -> None:
    backend.write_dataset(SAMPLE)
    query = f"SELECT ?s WHERE {{ ?s <{EX}knows> <{EX}a> }}"
    union = backend.answer(job(query), 10)
    assert len(json.loads(union.body)["results"]["bindings"]) == 1
    own = backend.answer(
        job(f"SELECT ?s FROM <{G1}> WHERE {{ ?s ?p ?o }}", union_default=False), 10
    )
    assert {b["s"]["value"] for b in json.loads(own.body)["results"]["bindings"]} == {
        EX + "a",
        EX + "b",
    }


# --- writing -----------------------------------------------------------------------------


def test_replace_add_and_drop_a_graph(backend: Store) -> None:
    assert backend.replace_graph(G1, [quad("a", "p", "b", None)]) is True
    assert backend.replace_graph(G1, [quad("a", "p", "c", None)]) is False
    assert [t.object.value for t in backend.read_graph(G1)] == [EX + "c"]
    assert backend.add_to_graph(G1, [quad("a", "p", "d", None)]) is False
    assert backend.add_to_graph(G2, [quad("a", "p", "e", None)]) is True
    assert sorted(t.object.value for t in backend.read_graph(G1)) == [EX + "c", EX + "d"]
    backend.drop_graph(G1)
    assert backend.named_graphs() == [G2]
    with pytest.raises(NotFound):
        backend.drop_graph(G1)


def test_blank_nodes_are_kept_apart(backend: Store) -> None:
    doc = [ox.Quad(ox.BlankNode(), nn("p"), ox.Literal("x"), ox.DefaultGraph()) for _ in "ab"]
    backend.add_to_graph(G1, doc)
    assert count(backend, f"GRAPH <{G1}> {{ ?s ?p ?o FILTER(isBlank(?s)) }}") == 2


def test_write_dataset_replaces_and_drops_owned_graphs(backend: Store) -> None:
    backend.write_dataset(SAMPLE)
    backend.replace_graph(G3, [quad("old", "p", "x", None)])
    fresh = [quad("new", "p", "x", G1)]
    backend.write_dataset(fresh, owned=lambda g: g == G3)
    assert backend.named_graphs() == sorted([G1, G2])
    assert [
        q.subject.value for q in backend.quads_for_pattern(None, None, None, ox.NamedNode(G1))
    ] == [EX + "new"]
    backend.write_dataset([quad("more", "p", "x", G2)], replace=[])
    assert count(backend, f"GRAPH <{G2}> {{ ?s ?p ?o }}") == 3


def test_update_is_applied_whole_or_not_at_all(backend: Store) -> None:
    backend.update(f"INSERT DATA {{ GRAPH <{G1}> {{ <{EX}a> <{EX}p> 1 }} }}")
    assert count(backend, f"GRAPH <{G1}> {{ ?s ?p ?o }}") == 1
    with pytest.raises(QueryError) as caught:
        backend.update(
            f"INSERT DATA {{ GRAPH <{G1}> {{ <{EX}b> <{EX}p> 2 }} }} ;\nCREAT GRAPH <{G2}>"
        )
    assert caught.value.status == 400
    assert count(backend, f"GRAPH <{G1}> {{ ?s ?p ?o }}") == 1


# --- bulk loading ------------------------------------------------------------------------


def _write(path: Path, text: str) -> Path:
    if path.suffix == ".gz":
        path.write_bytes(gzip.compress(text.encode()))
    else:
        path.write_text(text, encoding="utf-8")
    return path


def test_bulk_load_files_into_graphs(backend: Store, tmp_path: Path) -> None:
    nt = "".join(f'<{EX}s{i}> <{EX}p> "{i}" .\n' for i in range(200))
    ttl = f"@prefix ex: <{EX}> .\nex:a ex:p [ ex:q 1 ] .\n"
    nq = f"<{EX}x> <{EX}p> <{EX}y> <{G3}> .\n"
    files = [
        _write(tmp_path / "numbers.nt.gz", nt),
        _write(tmp_path / "small.ttl", ttl),
        _write(tmp_path / "quads.nq", nq),
    ]
    report = load_files(backend, files, base_iri=EX, progress=False)
    assert report.triples == 203
    assert count(backend, f"GRAPH <{EX}graph/import/numbers> {{ ?s ?p ?o }}") == 200
    assert count(backend, f"GRAPH <{EX}graph/import/small> {{ ?s ?p ?o }}") == 2
    assert count(backend, f"GRAPH <{G3}> {{ ?s ?p ?o }}") == 1
    # replace swaps the target graph
    two_lines = "".join(nt.splitlines(keepends=True)[:2])
    load_files(backend, [_write(tmp_path / "numbers.nt", two_lines)], graph=G1, progress=False)
    again = _write(tmp_path / "other.nt", f"<{EX}z> <{EX}p> <{EX}z> .\n")
    load_files(backend, [again], graph=G1, replace=True, progress=False)
    assert count(backend, f"GRAPH <{G1}> {{ ?s ?p ?o }}") == 1


def test_a_bad_file_leaves_the_store_as_it_was(backend: Store, tmp_path: Path) -> None:
    backend.replace_graph(G1, [quad("a", "p", "b", None)])
    bad = _write(tmp_path / "bad.nt", f"<{EX}a> <{EX}p> <{EX}c> .\n<{EX}a> <{EX}p> .\n")
    with pytest.raises(ParseError) as caught:
        load_files(backend, [bad], graph=G1, replace=True, progress=False)
    assert caught.value.line == 2
    assert [t.object.value for t in backend.read_graph(G1)] == [EX + "b"]


def test_dump_writes_every_quad(backend: Store, tmp_path: Path) -> None:
    backend.write_dataset(SAMPLE)
    out = tmp_path / "all.nq"
    with open(out, "wb") as fh:
        written = backend.dump(fh, ox.RdfFormat.N_QUADS)
    assert written == 5
    assert len(list(ox.parse(out.read_bytes(), format=ox.RdfFormat.N_QUADS))) == 5
