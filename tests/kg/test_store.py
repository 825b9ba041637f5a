"""The embedded store's generations: atomic writes, crash safety, readers follow."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.errors import QueryError, StoreError
from kg.store import EmbeddedStore, open_store

EX = "http://example.org/"


def quad(s: str, o: str, g: str = "g") -> ox.Quad:
    return ox.Quad(
        ox.NamedNode(EX + s), ox.NamedNode(EX + "p"), ox.Literal(o), ox.NamedNode(EX + g)
    )


def count(store: EmbeddedStore) -> int:
    return len(list(store.query("SELECT * WHERE { ?s ?p ?o }")))


def test_empty_store_says_how_to_fix_it(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path / "store")
    assert not store.exists()
    with pytest.raises(StoreError, match="kg build"):
        store.reader()


def test_write_publishes_a_new_generation_and_readers_follow(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path / "store")
    with store.writer() as w:
        w.add(quad("a", "1"))
    first = store.version()
    assert count(store) == 1
    with store.writer() as w:
        w.add(quad("b", "2"))
    assert store.version() != first
    assert count(store) == 2  # the same EmbeddedStore object reopened the new generation


def test_default_graph_is_the_union_of_named_graphs(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path / "store")
    with store.writer() as w:
        w.add(quad("a", "1", "g1"))
        w.add(quad("b", "2", "g2"))
    assert count(store) == 2
    rows = list(store.query("SELECT ?s WHERE { ?s ?p ?o }", default_graph=[EX + "g1"]))
    assert [r["s"].value for r in rows] == [EX + "a"]


def test_failed_write_leaves_the_previous_generation(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path / "store")
    with store.writer() as w:
        w.add(quad("a", "1"))
    before = store.version()
    with pytest.raises(RuntimeError), store.writer() as w:
        w.add(quad("b", "2"))
        raise RuntimeError("boom")
    assert store.version() == before
    assert count(store) == 1
    assert not [p for p in os.listdir(store.root) if p.endswith(".tmp")]


def test_failed_update_changes_nothing(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path / "store")
    with store.writer() as w:
        w.add(quad("a", "1"))
    before = store.version()
    with pytest.raises(QueryError):
        store.update("INSERT DATA { <http://x> <http://y> ")
    assert store.version() == before
    store.update(f"INSERT DATA {{ GRAPH <{EX}g> {{ <{EX}c> <{EX}p> 'x' }} }}")
    assert count(store) == 2


def test_old_generations_are_pruned_but_current_kept(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path / "store")
    for i in range(6):
        with store.writer() as w:
            w.add(quad(f"s{i}", str(i)))
    gens = [p for p in os.listdir(store.root) if p.startswith("gen-")]
    assert store.version() in gens
    assert count(store) == 6


KILLER = textwrap.dedent(
    """
    import sys, pyoxigraph as ox
    from kg.store import EmbeddedStore
    store = EmbeddedStore(sys.argv[1])
    with store.writer() as w:
        for i in range(200000):
            w.add(ox.Quad(ox.NamedNode(f"http://example.org/k{i}"), ox.NamedNode("http://example.org/p"),
                          ox.Literal(str(i)), ox.NamedNode("http://example.org/g")))
            if i == 1000:
                print("writing", flush=True)
    """
)


@pytest.mark.slow
def test_sigkill_mid_write_leaves_the_store_servable(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path / "store")
    with store.writer() as w:
        w.add(quad("a", "1"))
    before = store.version()
    for _ in range(3):
        proc = subprocess.Popen(
            [sys.executable, "-c", KILLER, str(store.root)], stdout=subprocess.PIPE, text=True
        )
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "writing"
        proc.kill()
        proc.wait()
        fresh = open_store(store.root)
        assert fresh.version() == before
        assert count(fresh) == 1  # type: ignore[arg-type]
    # the next writer sweeps what the killed ones left behind
    with store.writer() as w:
        w.add(quad("b", "2"))
    assert count(store) == 2
    assert not [p for p in os.listdir(store.root) if p.endswith(".tmp")]
