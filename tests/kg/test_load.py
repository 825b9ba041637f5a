"""``kg load``: every format into the right graphs, atomic replace, exact error positions,
and the parallel chunked path giving the same graph as one plain ``bulk_load``."""

from __future__ import annotations

import gzip
import subprocess
from pathlib import Path

import pyoxigraph as ox
import pytest

from bench.generate import generate
from kg.errors import ParseError
from kg.load import import_graph, load_files
from kg.store import EmbeddedStore
from kg.store.embedded_load import _statements

EX = "http://example.org/"
BASE = "https://w3id.org/sgkg/"
T = [
    ox.Triple(
        ox.NamedNode(EX + "ua"), ox.NamedNode(EX + "name"), ox.Literal("Україна", language="uk")
    ),
    ox.Triple(ox.NamedNode(EX + "ua"), ox.NamedNode(EX + "code"), ox.Literal("UA")),
    ox.Triple(ox.NamedNode(EX + "fr"), ox.NamedNode(EX + "ally"), ox.NamedNode(EX + "ua")),
]
Q = [
    ox.Quad(T[0].subject, T[0].predicate, T[0].object, ox.NamedNode(EX + "g1")),
    ox.Quad(T[1].subject, T[1].predicate, T[1].object, ox.NamedNode(EX + "g2")),
    ox.Quad(T[2].subject, T[2].predicate, T[2].object, ox.NamedNode(EX + "g2")),
]


def quads(store: EmbeddedStore, graph: str | None = None) -> set[tuple[str, str, str, str]]:
    """The store's quads as comparable strings (optionally one graph)."""
    g = ox.NamedNode(graph) if graph else None
    return {
        (str(q.subject), str(q.predicate), str(q.object), str(q.graph_name))
        for q in store.reader().quads_for_pattern(None, None, None, g)
    }


def as_quads(triples: list[ox.Triple], graph: str) -> set[tuple[str, str, str, str]]:
    return {(str(t.subject), str(t.predicate), str(t.object), f"<{graph}>") for t in triples}


def write(path: Path, items: list, fmt: ox.RdfFormat) -> Path:
    data = ox.serialize(items, format=fmt)
    if path.suffix == ".gz":
        path.write_bytes(gzip.compress(data))
    else:
        path.write_bytes(data)
    return path


TRIPLE_FILES = [
    ("states.nt", ox.RdfFormat.N_TRIPLES),
    ("states.ttl", ox.RdfFormat.TURTLE),
    ("states.rdf", ox.RdfFormat.RDF_XML),
    ("states.jsonld", ox.RdfFormat.JSON_LD),
    ("states.nt.gz", ox.RdfFormat.N_TRIPLES),
    ("states.ttl.gz", ox.RdfFormat.TURTLE),
]


@pytest.mark.parametrize(("name", "fmt"), TRIPLE_FILES, ids=[n for n, _ in TRIPLE_FILES])
def test_triple_formats_go_to_the_import_graph(tmp_path: Path, name: str, fmt) -> None:
    path = write(tmp_path / name, T, fmt)
    store = EmbeddedStore(tmp_path / "store")
    report = load_files(store, [path], progress=False, base_iri=BASE)
    graph = f"{BASE}graph/import/states"
    assert import_graph(path, BASE) == graph
    assert report.graphs == [graph]
    assert report.triples == 3
    assert quads(store) == as_quads(T, graph)


QUAD_FILES = [
    ("data.nq", ox.RdfFormat.N_QUADS),
    ("data.trig", ox.RdfFormat.TRIG),
    ("data.nq.gz", ox.RdfFormat.N_QUADS),
    ("data.trig.gz", ox.RdfFormat.TRIG),
]


@pytest.mark.parametrize(("name", "fmt"), QUAD_FILES, ids=[n for n, _ in QUAD_FILES])
def test_quad_formats_keep_their_graphs(tmp_path: Path, name: str, fmt) -> None:
    path = write(tmp_path / name, Q, fmt)
    store = EmbeddedStore(tmp_path / "store")
    report = load_files(store, [path], progress=False)
    assert report.triples == 3
    assert report.graphs == [EX + "g1", EX + "g2"]
    assert quads(store) == {
        (str(q.subject), str(q.predicate), str(q.object), str(q.graph_name)) for q in Q
    }


@pytest.mark.parametrize("name", ["data.nq", "data.trig"])
def test_graph_option_puts_quads_into_one_graph(tmp_path: Path, name: str) -> None:
    fmt = ox.RdfFormat.N_QUADS if name.endswith("nq") else ox.RdfFormat.TRIG
    path = write(tmp_path / name, Q, fmt)
    store = EmbeddedStore(tmp_path / "store")
    report = load_files(store, [path], graph=EX + "all", progress=False)
    assert report.graphs == [EX + "all"]
    assert quads(store) == as_quads(T, EX + "all")


def test_graph_option_for_triples_and_progress_bar(tmp_path: Path, capsys) -> None:
    path = write(tmp_path / "states.nt", T, ox.RdfFormat.N_TRIPLES)
    store = EmbeddedStore(tmp_path / "store")
    load_files(store, [path], graph=EX + "mine", progress=True)
    assert quads(store) == as_quads(T, EX + "mine")
    err = capsys.readouterr().err
    assert "states.nt" in err and "100%" in err  # tqdm bar (bytes read) on stderr


def test_replace_swaps_the_graph_atomically(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path / "store")
    old = write(tmp_path / "old.nt", T[:2], ox.RdfFormat.N_TRIPLES)
    other = write(tmp_path / "other.nt", T[2:], ox.RdfFormat.N_TRIPLES)
    load_files(store, [old], graph=EX + "g", progress=False)
    load_files(store, [other], graph=EX + "keep", progress=False)
    reader_before = store.reader()
    version_before = store.version()
    new = ox.Triple(ox.NamedNode(EX + "de"), ox.NamedNode(EX + "ally"), ox.NamedNode(EX + "ua"))
    new_file = write(tmp_path / "new.nt", [new], ox.RdfFormat.N_TRIPLES)

    load_files(store, [new_file], graph=EX + "g", replace=True, progress=False)

    assert store.version() != version_before
    assert quads(store, EX + "g") == as_quads([new], EX + "g")  # old triples gone
    assert quads(store, EX + "keep") == as_quads(T[2:], EX + "keep")  # other graph untouched
    # a reader opened before the swap still sees the complete old graph, never a mix
    old_view = {
        str(q.object)
        for q in reader_before.quads_for_pattern(None, None, None, ox.NamedNode(EX + "g"))
    }
    assert old_view == {str(t.object) for t in T[:2]}


def test_replace_of_a_dataset_file_replaces_the_graphs_it_names(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path / "store")
    write(tmp_path / "v1.nq", Q, ox.RdfFormat.N_QUADS)
    load_files(store, [tmp_path / "v1.nq"], progress=False)
    load_files(store, [write(tmp_path / "x.nt", T[:1], ox.RdfFormat.N_TRIPLES)], progress=False)
    v2 = [
        ox.Quad(
            T[0].subject,
            T[0].predicate,
            ox.Literal("Ukraine", language="en"),
            ox.NamedNode(EX + "g1"),
        )
    ]
    load_files(
        store, [write(tmp_path / "v2.nq", v2, ox.RdfFormat.N_QUADS)], replace=True, progress=False
    )
    assert {q[2] for q in quads(store, EX + "g1")} == {'"Ukraine"@en'}
    assert len(quads(store, EX + "g2")) == 2  # not named in v2.nq: kept
    assert len(quads(store, f"{BASE}graph/import/x")) == 1


def test_broken_file_names_line_and_column_and_leaves_store_unchanged(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path / "store")
    load_files(store, [write(tmp_path / "good.nt", T, ox.RdfFormat.N_TRIPLES)], progress=False)
    version, size = store.version(), len(store.reader())
    bad = tmp_path / "bad.nt"
    bad.write_text(
        '<http://example.org/a> <http://example.org/p> "1" .\n'
        '<http://example.org/a> <http://example.org/p> "2" .\n'
        "<http://example.org/a> <http://example.org/p> 3 .\n"
    )
    with pytest.raises(ParseError) as info:
        load_files(
            store, [write(tmp_path / "more.nt", T, ox.RdfFormat.N_TRIPLES), bad], progress=False
        )
    assert info.value.source == str(bad)
    assert info.value.line == 3
    assert info.value.column == 47
    assert str(info.value).startswith(f"{bad}:3:47: ")
    assert store.version() == version
    assert len(store.reader()) == size
    assert not list(tmp_path.glob("store/*.tmp"))  # the half-written generation is gone


def test_broken_turtle_and_gzip_report_the_file(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path / "store")
    ttl = tmp_path / "bad.ttl"
    ttl.write_text("@prefix ex: <http://example.org/> .\n\nex:a ex:p ex:b ;\n  ex:q .\n")
    with pytest.raises(ParseError) as info:
        load_files(store, [ttl], progress=False)
    assert info.value.line == 4 and str(info.value).startswith(f"{ttl}:4:")
    fake = tmp_path / "fake.nt.gz"
    fake.write_bytes(b"not gzip at all")
    with pytest.raises(ParseError, match="fake.nt.gz"):
        load_files(store, [fake], progress=False)
    with pytest.raises(ParseError, match="no such file"):
        load_files(store, [tmp_path / "missing.nt"], progress=False)
    unknown = tmp_path / "notes.txt"
    unknown.write_text("x")
    with pytest.raises(ParseError, match="suffix"):
        load_files(store, [unknown], progress=False)
    assert not store.exists()


def blank_node_shape(triples) -> tuple[int, int, int]:
    """(triples, distinct blank nodes, blank nodes with exactly one oa:exact) — a split blank
    node would show up as more blank nodes and as selectors without their text."""
    bnodes: set[str] = set()
    exact: dict[str, int] = {}
    n = 0
    for t in triples:
        n += 1
        for term in (t.subject, t.object):
            if isinstance(term, ox.BlankNode):
                bnodes.add(term.value)
        if t.predicate.value == "http://www.w3.org/ns/oa#exact":
            exact[t.subject.value] = exact.get(t.subject.value, 0) + 1
    return n, len(bnodes), sum(1 for v in exact.values() if v == 1)


@pytest.mark.parametrize("suffix", [".nt", ".nt.gz"])
def test_parallel_chunks_keep_blank_nodes_whole(
    tmp_path: Path, suffix: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("kg.store.embedded_load.PARALLEL_LINES", True)
    plain = tmp_path / "geo.nt"
    generate(6000, plain, seed=7)
    path = plain
    if suffix == ".nt.gz":
        path = tmp_path / "geo.nt.gz"
        path.write_bytes(gzip.compress(plain.read_bytes()))
    expected = blank_node_shape(ox.parse(path=str(plain), format=ox.RdfFormat.N_TRIPLES))
    assert expected[1] > 100  # the data has blank nodes (quote selectors)

    store = EmbeddedStore(tmp_path / "store")
    report = load_files(store, [path], progress=False, workers=2, chunk_bytes=32 * 1024)
    assert report.triples == 6000
    got = blank_node_shape(store.reader().quads_for_pattern(None, None, None, None))
    assert got == expected


def test_error_line_is_counted_across_chunks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("kg.store.embedded_load.PARALLEL_LINES", True)
    path = tmp_path / "geo.nt"
    generate(5000, path, seed=3)
    lines = path.read_bytes().splitlines(keepends=True)
    lines[4199] = b"<http://example.org/broken> <http://example.org/p> .\n"
    path.write_bytes(b"".join(lines))
    store = EmbeddedStore(tmp_path / "store")
    with pytest.raises(ParseError) as info:
        load_files(store, [path], progress=False, workers=2, chunk_bytes=64 * 1024)
    assert info.value.line == 4200
    assert not store.exists()


def test_statement_count_skips_blank_and_comment_lines() -> None:
    assert _statements(b"<a> <b> <c> .\n# comment\n\n<a> <b> <d> .") == 2
    assert _statements(b"# only\n") == 0
    assert _statements(b"<a> <b> <c> .\n") == 1


def test_cli_load(tmp_path: Path, runner) -> None:
    path = write(tmp_path / "states.ttl", T, ox.RdfFormat.TURTLE)
    code, out, err = runner(
        ["--store", str(tmp_path / "store"), "load", str(path), "--no-progress"]
    )
    assert code == 0, err
    assert "loaded 3 triples" in out
    bad = tmp_path / "bad.nt"
    bad.write_text("<http://example.org/a> <http://example.org/p> .\n")
    code, out, err = runner(["--store", str(tmp_path / "store"), "load", str(bad), "--no-progress"])
    assert code == 2
    assert f"{bad}:1:" in err and "Traceback" not in err


@pytest.mark.server
def test_remote_store_mode_delegates_to_the_remote_loader(tmp_path: Path, oxigraph_factory) -> None:
    """``KG_STORE=http://…``: kg load hands each file to RemoteStore.load_file (a real
    ``oxigraph serve``), and the triples land in the same graphs as in embedded mode."""
    from kg.store.remote import RemoteStore

    url = oxigraph_factory()
    remote = RemoteStore(url, checkpoint_dir=tmp_path / "checkpoints", base_iri=BASE)
    path = write(tmp_path / "states.ttl", T, ox.RdfFormat.TURTLE)
    report = load_files(remote, [path], progress=False, base_iri=BASE)
    assert report.triples == 3
    assert report.graphs == [f"{BASE}graph/import/states"]
    rows = remote.query(f"SELECT ?o WHERE {{ GRAPH <{BASE}graph/import/states> {{ ?s ?p ?o }} }}")
    assert {row["o"].value for row in rows} == {"Україна", "UA", EX + "ua"}


def test_generator_is_deterministic_and_valid(tmp_path: Path) -> None:
    """bench/generate.py: same seed → same bytes; exactly N valid triples in sg: terms."""
    a, b, c = tmp_path / "a.nt", tmp_path / "b.nt", tmp_path / "c.nt"
    generate(3000, a, seed=1)
    generate(3000, b, seed=1)
    generate(3000, c, seed=2)
    assert a.read_bytes() == b.read_bytes()
    assert a.read_bytes() != c.read_bytes()
    triples = list(ox.parse(path=str(a), format=ox.RdfFormat.N_TRIPLES))
    assert len(triples) == 3000 == a.read_bytes().count(b"\n")
    types = {t.object.value for t in triples if t.predicate.value.endswith("#type")}
    sg = "https://w3id.org/sgkg/ontology/"
    assert {sg + "State", sg + "Commitment", sg + "Assertion", sg + "FormalBloc"} <= types
    langs = {t.object.language for t in triples if isinstance(t.object, ox.Literal)}
    assert {"en", "fr", "de", "uk"} <= langs


def _size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def test_a_loaded_store_is_as_compact_as_oxigraph_load(tmp_path: Path) -> None:
    """Issue 10: `kg load` used to leave a store 2-4x the size of `oxigraph load`'s (parallel
    chunks, one sorted run each). Compared as the tools leave them, same named-graph layout."""
    from tests.servers import require, which

    binary = which("oxigraph")
    require(binary is not None, "needs the oxigraph CLI (PyPI oxigraph, in the test extras)")
    data = tmp_path / "geo.nt"
    generate(60_000, data, seed=3)
    store = EmbeddedStore(tmp_path / "ours")
    load_files(store, [data], graph=EX + "g", progress=False)
    theirs = tmp_path / "theirs"
    subprocess.run(
        [binary, "load", "--location", str(theirs), "--file", str(data), "--graph", EX + "g"],
        check=True,
        capture_output=True,
    )
    ours = store.generations.current()
    assert ours is not None
    assert _size(ours) <= 1.3 * _size(theirs), (_size(ours), _size(theirs))
