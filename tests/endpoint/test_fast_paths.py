"""Regression tests for the endpoint's fast paths (profiling work, bench/bench_endpoint.py):
Rust serialization with a counted row cap, the socket protocol of the query processes,
and the cheap pre-checks that replaced tokenizing every query."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests

from kg.errors import KGError, QueryTimeout
from kg.store import QueryJob, results
from kg.store.engine import Executor, execute
from kg.store.formats import BY_NAME
from server.sparql import query as sparql_query

# literals that look like row separators to the cheap counters of every format
TRICKY = 'a},{b\n<result>\r\n"x",y\t}'
FORMATS = ("json", "xml", "csv", "tsv")


def _store(rows: int, value: str = TRICKY) -> ox.Store:
    store = ox.Store()
    graph = ox.NamedNode("http://example.org/g")
    for i in range(rows):
        store.add(
            ox.Quad(
                ox.NamedNode(f"http://example.org/{i}"),
                ox.NamedNode("http://example.org/p"),
                ox.Literal(f"{value}{i}"),
                graph,
            )
        )
    return store


def _select(store: ox.Store, fmt: str, max_rows: int) -> bytes:
    text = "SELECT ?s ?o WHERE { ?s ?p ?o }"

    def run():
        return store.query(text, use_default_graph_as_union=True)

    return results.serialize_solutions(run(), fmt, max_rows, run)


def _rows(body: bytes, fmt: str) -> list[dict[str, str]]:
    if fmt == "csv":
        return list(csv.DictReader(io.StringIO(body.decode(), newline="")))
    parsed = ox.parse_query_results(body, format=BY_NAME[fmt].results)
    names = [v.value for v in parsed.variables]
    return [{n: None if sol[n] is None else sol[n].value for n in names} for sol in parsed]


@pytest.mark.parametrize("fmt", FORMATS)
def test_rows_exactly_at_the_cap_are_answered_whole(fmt: str) -> None:
    """Separator look-alikes inside literals over-count; the exact recount lets it pass."""
    store = _store(40)
    body = _select(store, fmt, 40)
    rows = _rows(body, fmt)
    assert len(rows) == 40
    assert {r["o"] for r in rows} == {f"{TRICKY}{i}" for i in range(40)}


@pytest.mark.parametrize("fmt", FORMATS)
def test_one_row_over_the_cap_is_refused(fmt: str) -> None:
    store = _store(41)
    with pytest.raises(results.ResultTooLarge, match="more than 40 rows"):
        _select(store, fmt, 40)


@pytest.mark.parametrize("fmt", FORMATS)
def test_rust_and_python_writers_agree(fmt: str) -> None:
    """The Rust fast path and the exact Python path give the same solutions."""
    store = _store(25, value='plain "quoted" é ')
    text = "SELECT ?s ?o ?none WHERE { ?s ?p ?o }"
    rust = results.serialize_solutions(
        store.query(text, use_default_graph_as_union=True),
        fmt,
        100,
        lambda: store.query(text, use_default_graph_as_union=True),
    )
    python = results.serialize_solutions(
        store.query(text, use_default_graph_as_union=True), fmt, 100
    )
    key = lambda r: r["s"]  # noqa: E731
    assert sorted(_rows(rust, fmt), key=key) == sorted(_rows(python, fmt), key=key)


def test_large_answers_stop_early_without_a_recount_when_plain() -> None:
    """Plain literals: the bound is exact, so an over-cap result is refused after one
    bounded recount, and the sink never holds more than about the cap."""
    store = _store(5000, value="v")
    with pytest.raises(results.ResultTooLarge):
        _select(store, "json", 100)


@pytest.mark.parametrize("fmt", [ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG, ox.RdfFormat.N_QUADS])
def test_graph_cap_streams_and_refuses(fmt: ox.RdfFormat) -> None:
    store = _store(30)
    text = "CONSTRUCT WHERE { ?s ?p ?o }"
    body = results.serialize_triples(store.query(text, use_default_graph_as_union=True), fmt, 30)
    assert len(list(ox.parse(body, format=fmt))) == 30
    with pytest.raises(results.ResultTooLarge, match="triples"):
        results.serialize_triples(store.query(text, use_default_graph_as_union=True), fmt, 29)


# --- the query processes -----------------------------------------------------------------


@pytest.fixture(scope="module")
def big_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from kg.store import EmbeddedStore

    path = tmp_path_factory.mktemp("fast-paths") / "store"
    lines = "".join(
        f'<http://example.org/{i}> <http://example.org/p> "{"x" * 200} {i}" .\n'
        for i in range(20000)
    )
    with EmbeddedStore(path).writer(fresh=True) as oxstore:
        oxstore.load(lines.encode(), format=ox.RdfFormat.N_TRIPLES)
    return path


def _job(text: str, fmt: str = "json", max_rows: int = 100000) -> QueryJob:
    return QueryJob(text, None, None, True, None, fmt, "turtle", max_rows)


def test_a_large_answer_crosses_the_socket_intact(big_store: Path) -> None:
    """~5 MB: many times the socket buffer; the body arrives byte for byte."""
    from kg.store import EmbeddedStore

    executor = Executor(big_store, size=1)
    try:
        job = _job("SELECT ?s ?o WHERE { ?s ?p ?o } ORDER BY ?s")
        answer = executor.run(job, 30)
        expected = execute(EmbeddedStore(big_store).reader(), job)
        assert len(answer.body) > 4_000_000
        assert answer.body == expected.body
        assert (answer.kind, answer.format) == ("solutions", "json")
        # errors keep their status and message across the socket
        with pytest.raises(KGError, match="more than 10 rows") as refused:
            executor.run(_job("SELECT * WHERE { ?s ?p ?o }", max_rows=10), 30)
        assert refused.value.status == 422
    finally:
        executor.close()


def test_timeout_kills_and_replaces_the_process(big_store: Path) -> None:
    executor = Executor(big_store, size=1)
    try:
        executor.start()
        first = next(iter(executor._all)).process.pid
        cartesian = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
        with pytest.raises(QueryTimeout, match="time limit of 0.5 s"):
            executor.run(_job(cartesian), 0.5)
        assert executor.timeouts == 1
        answer = executor.run(_job("ASK {}"), 10)
        assert answer.body == b'{"head":{},"boolean":true}'
        assert next(iter(executor._all)).process.pid != first
    finally:
        executor.close()


# --- cheap pre-checks ----------------------------------------------------------------------


def test_from_inside_iris_strings_and_comments_is_not_a_dataset_clause() -> None:
    assert not sparql_query.has_dataset_clause("SELECT * { ?s ?p ?o }")
    assert not sparql_query.has_dataset_clause('SELECT * { <http://x/from> ?p "from" } # from here')
    assert sparql_query.has_dataset_clause("SELECT * FROM <http://x/g> { ?s ?p ?o }")
    assert sparql_query.has_dataset_clause("SELECT * from named <http://x/g> { ?s ?p ?o }")


def test_depth_check_is_skipped_only_when_it_cannot_fail() -> None:
    sparql_query.check_depth("ASK " + "{" * 100 + "}" * 100)
    with pytest.raises(Exception, match="300 levels"):
        sparql_query.check_depth("ASK " + "{" * 300 + "}" * 300)


def test_update_sent_with_if_none_match_star_is_still_refused(endpoint: str) -> None:
    response = requests.get(
        endpoint,
        params={"query": "INSERT DATA { <http://x/s> <http://x/p> 1 }"},
        headers={"If-None-Match": "*"},
        timeout=10,
    )
    assert response.status_code == 400
    assert "/update" in response.text
