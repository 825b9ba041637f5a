"""RemoteStore against a real ``oxigraph serve``: same answers as the embedded store, atomic
chunked loads that survive dropped connections, GSP, versioning, and a clear 'down' error."""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.errors import NotFound, ParseError, QueryError, QueryTimeout, StoreUnavailable
from kg.store import EmbeddedStore
from kg.store.remote import RemoteStore
from kg.store.transport import Endpoints
from tests.linking.linking_proxies import FaultyProxy
from tests.linking.linking_servers import Process

pytestmark = pytest.mark.server

EX = "http://example.org/"
G1, G2 = f"{EX}g1", f"{EX}g2"


def count(store, graph: str | None = None) -> int:
    where = f"GRAPH <{graph}> {{ ?s ?p ?o }}" if graph else "GRAPH ?g { ?s ?p ?o }"
    return int(next(iter(store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ {where} }}")))["n"].value)


def write_nt(path: Path, n: int, *, bnodes: int = 0, start: int = 0) -> Path:
    with path.open("w") as out:
        for i in range(start, start + n):
            out.write(f'<{EX}s{i}> <{EX}p{i % 7}> "v{i}" .\n')
        for i in range(bnodes):  # a chain of blank nodes spanning the file
            out.write(f"_:b{i} <{EX}next> _:b{i + 1} .\n")
    return path


SAMPLE = f"""
<{EX}a> <{EX}p> "x"@en <{G1}> .
<{EX}a> <{EX}q> <{EX}b> <{G1}> .
<{EX}b> <{EX}p> "42"^^<http://www.w3.org/2001/XMLSchema#integer> <{G2}> .
<{EX}c> <{EX}p> "in default" .
"""


@pytest.mark.parametrize(
    ("url", "query", "update", "gsp", "union"),
    [
        ("http://h:7878", "http://h:7878/query", "http://h:7878/update", "http://h:7878/store",
         "param"),
        ("http://h:7878/", "http://h:7878/query", "http://h:7878/update", "http://h:7878/store",
         "param"),
        ("http://h/ox/query", "http://h/ox/query", "http://h/ox/update", "http://h/ox/store",
         "param"),
        ("http://h:3030/ds/sparql", "http://h:3030/ds/sparql", "http://h:3030/ds/update",
         "http://h:3030/ds/data", "server"),
        ("https://h/x#update=https://h/u&store=https://h/s&union=param", "https://h/x",
         "https://h/u", "https://h/s", "param"),
    ],
)  # fmt: skip
def test_endpoint_urls_are_derived_from_kg_store(url, query, update, gsp, union) -> None:
    ends = Endpoints.from_url(url)
    assert (ends.query, ends.update, ends.store, ends.union) == (query, update, gsp, union)


def test_answers_match_the_embedded_store(oxigraph_process: Process, tmp_path: Path) -> None:
    remote = RemoteStore(oxigraph_process.url, checkpoint_dir=tmp_path / "ck")
    remote.write_dataset(ox.parse(SAMPLE, format=ox.RdfFormat.N_QUADS), replace=[])
    embedded = EmbeddedStore(tmp_path / "embedded")
    with embedded.writer() as ox_store:
        ox_store.load(SAMPLE.encode(), format=ox.RdfFormat.N_QUADS)

    queries = [
        f"SELECT ?s ?o WHERE {{ ?s <{EX}p> ?o }} ORDER BY ?s ?o",  # union default graph
        "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g",
        f"ASK {{ <{EX}a> <{EX}q> <{EX}b> }}",
        f"ASK {{ <{EX}a> <{EX}q> <{EX}zzz> }}",
    ]
    for sparql in queries:
        mine, theirs = remote.query(sparql), embedded.query(sparql)
        assert type(mine) is type(theirs)
        if isinstance(theirs, ox.QueryBoolean):
            assert bool(mine) == bool(theirs)
        else:
            rows = [[row[v] for v in theirs.variables] for row in theirs]
            assert [[row[v] for v in mine.variables] for row in mine] == rows
    construct = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{G1}> {{ ?s ?p ?o }} }}"
    mine, theirs = remote.query(construct), embedded.query(construct)
    assert type(mine) is type(theirs)
    mine, theirs = set(mine), set(theirs)
    assert mine == theirs and len(mine) == 2
    # protocol dataset: default-graph-uri narrows the default graph
    only_g2 = remote.query(f"SELECT ?s WHERE {{ ?s <{EX}p> ?o }}", default_graph=[G2])
    assert [row["s"].value for row in only_g2] == [f"{EX}b"]
    assert remote.named_graphs() == [G1, G2]


def test_bad_query_is_a_query_error_with_position(oxigraph_process: Process) -> None:
    remote = RemoteStore(oxigraph_process.url)
    with pytest.raises(QueryError) as info:
        remote.query("SELECT ?s WHERE { ?s ?p }")
    assert info.value.status == 400
    assert "rejected by the remote store" in str(info.value)


def test_version_changes_after_each_kind_of_write(oxigraph_process: Process) -> None:
    remote = RemoteStore(oxigraph_process.url)
    seen = {remote.version()}
    remote.update(f"INSERT DATA {{ GRAPH <{G1}> {{ <{EX}a> <{EX}p> 1 }} }}")
    seen.add(remote.version())
    remote.gsp_put(G2, f'<{EX}a> <{EX}p> "2" .'.encode(), "application/n-triples")
    seen.add(remote.version())
    remote.gsp_delete(G2)
    seen.add(remote.version())
    assert len(seen) == 4
    assert remote.version() == remote.version()  # stable while nothing changes
    assert "urn:x-sgkg:meta" not in remote.named_graphs()


def test_graph_store_protocol_round_trip(oxigraph_process: Process) -> None:
    remote = RemoteStore(oxigraph_process.url)
    status = remote.gsp_put(G1, f"<{EX}a> <{EX}p> <{EX}b> .".encode(), "application/n-triples")
    assert status in (201, 204)
    remote.gsp_post(G1, f"<{EX}a> <{EX}p> <{EX}c> .".encode(), "text/turtle")
    body, media = remote.gsp_get(G1)
    triples = set(ox.parse(body, format=ox.RdfFormat.from_media_type(media)))
    assert {q.object.value for q in triples} == {f"{EX}b", f"{EX}c"}
    remote.gsp_delete(G1)
    with pytest.raises(NotFound):
        remote.gsp_get(G1)
    with pytest.raises(NotFound):
        remote.gsp_delete(G1)


def test_load_file_in_chunks_with_blank_nodes_and_replace(
    oxigraph_process: Process, tmp_path: Path
) -> None:
    remote = RemoteStore(oxigraph_process.url, chunk_triples=1000, checkpoint_dir=tmp_path)
    data = write_nt(tmp_path / "data.nt", 4500, bnodes=30)
    report = remote.load_file(data, graph=G1)
    assert (report.triples, report.chunks, report.graphs) == (4530, 5, [G1])
    assert count(remote, G1) == 4530
    # the blank-node chain stayed one chain: 30 links over 31 distinct nodes
    chain = remote.query(
        f"SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ {{ ?x <{EX}next> ?y }} UNION "
        f"{{ ?y <{EX}next> ?x }} }}"
    )
    assert int(next(iter(chain))["n"].value) == 31
    # append keeps, replace swaps
    more = write_nt(tmp_path / "more.nt", 100, start=10_000)
    remote.load_file(more, graph=G1)
    assert count(remote, G1) == 4630
    remote.load_file(more, graph=G1, replace=True)
    assert count(remote, G1) == 100
    assert [g for g in remote.named_graphs()] == [G1]  # no staging graph left
    assert not list(tmp_path.glob("*.json"))  # checkpoint removed after success


def test_load_quads_keep_their_graphs(oxigraph_process: Process, tmp_path: Path) -> None:
    remote = RemoteStore(oxigraph_process.url, checkpoint_dir=tmp_path)
    path = tmp_path / "data.nq"
    path.write_text(SAMPLE)
    report = remote.load_file(path)
    assert sorted(report.graphs) == ["DEFAULT", G1, G2]
    assert (count(remote, G1), count(remote, G2)) == (2, 1)


def test_broken_file_leaves_store_unchanged(oxigraph_process: Process, tmp_path: Path) -> None:
    remote = RemoteStore(oxigraph_process.url, chunk_triples=500, checkpoint_dir=tmp_path)
    remote.load_file(write_nt(tmp_path / "good.nt", 50), graph=G1)
    version = remote.version()
    broken = write_nt(tmp_path / "broken.nt", 2000)
    with broken.open("a") as out:
        out.write(f"<{EX}x> <{EX}p> oops .\n")
    with pytest.raises(ParseError) as info:
        remote.load_file(broken, graph=G1, replace=True)
    assert "broken.nt:2001:" in str(info.value)
    assert count(remote, G1) == 50
    assert remote.named_graphs() == [G1]  # the 4 chunks already sent were dropped
    assert count(remote) == 50
    assert remote.version() == version


@pytest.mark.parametrize("how", ["drop-before", "drop-after"])
def test_load_survives_dropped_connections(
    oxigraph_process: Process, tmp_path: Path, how: str
) -> None:
    """Connections dropped before the server saw a chunk, or after it stored it (answer
    lost): the chunk is sent again; RDF set semantics make that neither lose nor duplicate."""
    posts = {"n": 0}

    def plan(number: int, method: str, path: str) -> str:
        if method == "POST" and path.startswith("/store"):
            posts["n"] += 1
            if posts["n"] in (2, 5):
                return how
        return "ok"

    with FaultyProxy(oxigraph_process.url, plan) as proxy:
        remote = RemoteStore(proxy.url, chunk_triples=1000, checkpoint_dir=tmp_path)
        report = remote.load_file(write_nt(tmp_path / "d.nt", 6000, bnodes=5), graph=G1)
        assert report.retries == 2
        assert proxy.actions().count(how) == 2
    direct = RemoteStore(oxigraph_process.url)
    assert count(direct, G1) == 6005
    assert direct.named_graphs() == [G1]


def test_load_resumes_from_checkpoint_after_the_server_went_away(
    oxigraph_process: Process, tmp_path: Path
) -> None:
    state = {"down": False, "posts": 0}

    def plan(number: int, method: str, path: str) -> str:
        if method == "POST" and path.startswith("/store"):
            state["posts"] += 1
            if state["posts"] == 4:
                state["down"] = True
        return "drop-before" if state["down"] else "ok"

    data = write_nt(tmp_path / "d.nt", 8000)
    with FaultyProxy(oxigraph_process.url, plan) as proxy:
        remote = RemoteStore(proxy.url, chunk_triples=1000, retries=1, checkpoint_dir=tmp_path)
        with pytest.raises(StoreUnavailable, match="resume"):
            remote.load_file(data, graph=G1)
        [checkpoint] = tmp_path.glob("*.json")
        # two uploads are in flight: the 4th fails while the 3rd may or may not have been
        # acknowledged; chunks are acknowledged in order, so the checkpoint says 2 or 3
        acked = json.loads(checkpoint.read_text())["acked"]
        assert acked in (2, 3)
        state["down"] = False
        report = remote.load_file(data, graph=G1)
        assert report.resumed_from == acked
        assert not checkpoint.exists()
    direct = RemoteStore(oxigraph_process.url)
    assert count(direct, G1) == 8000
    assert direct.named_graphs() == [G1]


def test_write_dataset_swaps_graphs_in_one_update(
    oxigraph_process: Process, tmp_path: Path
) -> None:
    remote = RemoteStore(oxigraph_process.url, chunk_triples=2)
    remote.gsp_put(G1, f'<{EX}old> <{EX}p> "1" .'.encode(), "application/n-triples")
    remote.gsp_put(G2, f'<{EX}keep> <{EX}p> "1" .'.encode(), "application/n-triples")
    stale = f"{EX}stale"
    remote.gsp_put(stale, f'<{EX}x> <{EX}p> "1" .'.encode(), "application/n-triples")
    quads = [
        ox.Quad(
            ox.NamedNode(f"{EX}new{i}"), ox.NamedNode(f"{EX}p"), ox.Literal(i), ox.NamedNode(G1)
        )
        for i in range(5)
    ]
    report = remote.write_dataset(quads, replace=[G1], owned=lambda g: g == stale)
    assert report.triples == 5 and report.chunks == 3
    subjects = {
        row["s"].value for row in remote.query(f"SELECT ?s {{ GRAPH <{G1}> {{ ?s ?p ?o }} }}")
    }
    assert subjects == {f"{EX}new{i}" for i in range(5)}
    assert remote.named_graphs() == [G1, G2]  # stale dropped, G2 untouched, no staging


def test_down_store_is_store_unavailable(oxigraph_process: Process) -> None:
    remote = RemoteStore(oxigraph_process.url, timeout=2)
    assert remote.exists() is False  # empty but up
    oxigraph_process.stop()
    with pytest.raises(StoreUnavailable, match="is down") as info:
        remote.query("ASK {}")
    assert info.value.status == 503
    assert oxigraph_process.url in str(info.value)


def test_slow_store_times_out_as_unavailable(oxigraph_process: Process) -> None:
    with FaultyProxy(oxigraph_process.url, lambda n, m, p: "stall") as proxy:
        remote = RemoteStore(proxy.url, timeout=0.5)
        # a stalled answer is the query running out of time: 503, naming the limit
        with pytest.raises(QueryTimeout, match="time limit of 0.5 s"):
            remote.query("ASK {}")


def test_broken_file_into_a_new_graph_leaves_no_graph(
    oxigraph_process: Process, tmp_path: Path
) -> None:
    """The fast path (a new graph filled in place) cleans up after itself too."""
    remote = RemoteStore(oxigraph_process.url, chunk_triples=500, checkpoint_dir=tmp_path)
    broken = write_nt(tmp_path / "broken.nt", 1600)
    with broken.open("a") as out:
        out.write(f"<{EX}x> <{EX}p> oops .\n")
    with pytest.raises(ParseError, match="broken.nt:1601:"):
        remote.load_file(broken, graph=G2)
    assert remote.named_graphs() == []
    assert count(remote) == 0


def test_replace_into_an_empty_graph_keeps_the_data(
    oxigraph_process: Process, tmp_path: Path
) -> None:
    """Regression: the fast path must not drop the graph it has just filled."""
    remote = RemoteStore(oxigraph_process.url, chunk_triples=700, checkpoint_dir=tmp_path)
    report = remote.load_file(write_nt(tmp_path / "d.nt", 2000, bnodes=3), graph=G1, replace=True)
    assert report.triples == 2003
    assert count(remote, G1) == 2003
