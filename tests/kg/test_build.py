"""`kg build`: the whole pipeline, and its promise that a failed or killed build changes nothing."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import rdflib

from kg.build import build, curated_graph
from kg.errors import ValidationFailed
from kg.store import EmbeddedStore
from tests.conftest import ROOT, has_java, require

BASE = "https://w3id.org/sgkg/"
SG = rdflib.Namespace(BASE + "ontology/")


def count(store: EmbeddedStore) -> int:
    return int(next(iter(store.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")))["n"].value)


def test_build_loads_every_curated_graph(store: EmbeddedStore) -> None:
    graphs = store.named_graphs()
    for name in ("ontology", "shapes", "sources", "entities", "links/wikidata"):
        assert f"{BASE}graph/{name}" in graphs
    assertions = [g for g in graphs if re.fullmatch(rf"{BASE}np/RA[\w-]{{43}}/assertion", g)]
    assert len(assertions) >= 60, "one assertion per atomic claim of the article"
    # the SPARQL default graph is the union of the named graphs
    assert count(store) == sum(
        int(r["n"].value)
        for r in store.query(
            "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
        )
    )


def test_ontology_version_is_stamped_by_the_build(store: EmbeddedStore) -> None:
    rows = list(
        store.query(
            "PREFIX owl: <http://www.w3.org/2002/07/owl#> "
            f"SELECT ?v WHERE {{ GRAPH <{BASE}graph/ontology> {{ ?o owl:versionIRI ?v }} }}"
        )
    )
    assert len(rows) == 1


def test_curated_graphs_exclude_imports() -> None:
    assert curated_graph(f"{BASE}graph/entities", BASE)
    assert not curated_graph(f"{BASE}graph/import/geonames", BASE)
    assert not curated_graph("http://example.org/other", BASE)


def test_a_violating_build_fails_and_leaves_the_store(tmp_path: Path, store_dir: Path) -> None:
    from kg.sources import compile_dataset

    target = tmp_path / "store"
    shutil.copytree(store_dir, target, symlinks=True)
    store = EmbeddedStore(target)
    before, triples = store.version(), count(store)

    bad = compile_dataset(BASE)
    commitment = rdflib.URIRef(BASE + "id/commitment/broken")
    g = bad.graph(rdflib.URIRef(BASE + "graph/entities"))
    g.add((commitment, rdflib.RDF.type, SG.Commitment))  # no guarantor, beneficiary or type
    with pytest.raises(ValidationFailed) as info:
        build(store, dataset=bad, reasoner=False)
    assert "commitment/broken" in info.value.report
    assert store.version() == before and count(store) == triples


def _kg(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kg.cli", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        timeout=300,
    )


@pytest.mark.slow
def test_strict_build_with_reasoner(tmp_path: Path) -> None:
    require(has_java(), "Java is needed for the HermiT reasoner")
    result = _kg("--store", str(tmp_path / "s"), "build", "--strict")
    assert result.returncode == 0, result.stderr
    assert "consistent" in result.stdout


@pytest.mark.slow
def test_without_java_the_reasoner_step_is_skipped_or_strict_fails(tmp_path: Path) -> None:
    bindir = tmp_path / "bin"
    bindir.mkdir()
    os.symlink(sys.executable, bindir / "python")
    env = {"PATH": str(bindir), "JAVA_HOME": str(tmp_path / "nojava")}
    lax = _kg("--store", str(tmp_path / "a"), "build", env=env)
    assert lax.returncode == 0, lax.stderr
    assert "reasoner step is skipped" in lax.stderr
    strict = _kg("--store", str(tmp_path / "b"), "build", "--strict", env=env)
    assert strict.returncode == 2
    assert "Java" in strict.stderr
    assert not (tmp_path / "b" / "current").exists()


@pytest.mark.slow
def test_sigkill_at_any_moment_leaves_the_previous_store(tmp_path: Path, store_dir: Path) -> None:
    target = tmp_path / "store"
    first = _kg("--store", str(target), "build", "--skip-reasoner")
    assert first.returncode == 0, first.stderr
    store = EmbeddedStore(target)
    before, triples = store.version(), count(store)
    for delay in (0.3, 1.0, 1.8, 2.6):
        proc = subprocess.Popen(
            [sys.executable, "-m", "kg.cli", "--store", str(target), "build", "--skip-reasoner"],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        fresh = EmbeddedStore(target)
        if fresh.version() != before:  # the build finished before the kill: a new full store
            before = fresh.version()
        assert count(fresh) == triples


def test_a_malformed_source_file_fails_with_its_position_and_changes_nothing(
    tmp_path: Path, store_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kg import paths
    from kg.errors import ParseError

    data = tmp_path / "data"
    shutil.copytree(paths.data_dir(), data, ignore=shutil.ignore_patterns("tools", "queries"))
    monkeypatch.setattr(paths, "data_dir", lambda: data)
    broken = data / "entities.ttl"
    lines = broken.read_text(encoding="utf-8").splitlines(keepends=True)
    lines.append(
        '<https://w3id.org/sgkg/id/country/x> <http://www.w3.org/2000/01/rdf-schema#label> "open\n'
    )
    broken.write_text("".join(lines), encoding="utf-8")

    target = tmp_path / "store"
    shutil.copytree(store_dir, target, symlinks=True)
    store = EmbeddedStore(target)
    before, triples = store.version(), count(store)
    with pytest.raises(ParseError) as info:
        build(store, reasoner=False)
    assert info.value.source == str(broken)
    assert info.value.line == len(lines)
    assert store.version() == before and count(store) == triples


def test_another_base_iri_moves_data_ontology_and_shapes_together(tmp_path: Path) -> None:
    """Validation runs on canonical IRIs (which the shapes target); the load rebases all."""
    alt = "http://example.org/kg/"
    store = EmbeddedStore(tmp_path / "store")
    report = build(store, reasoner=False, base_iri=alt)
    assert report.assertions >= 60
    assert all(g.startswith((f"{alt}graph/", f"{alt}np/")) for g in store.named_graphs())
    left = store.query(f"ASK {{ ?s ?p ?o FILTER(STRSTARTS(STR(?s), '{BASE}')) }}")
    assert not bool(left)
    commitments = store.query(
        f"SELECT ?c WHERE {{ ?c a <{alt}ontology/Commitment> . "
        f"GRAPH <{alt}graph/ontology> {{ <{alt}ontology/Commitment> ?p ?o }} }}"
    )
    assert len({row["c"].value for row in commitments}) >= 3
