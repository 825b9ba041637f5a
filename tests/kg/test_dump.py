"""``kg dump``: files, checksums, manifest, atomic replacement, and a lossless round trip."""

from __future__ import annotations

import gzip
import hashlib
import json
import shutil
import subprocess
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib.compare import isomorphic

from kg.load import load_files
from kg.publish.dump import NQ_GZ, TRIG, TTL, dump, read_manifest
from kg.rdfio import to_rdflib
from kg.store import EmbeddedStore

EX = "http://example.org/"
SG = "https://w3id.org/sgkg/ontology/"


def n(x: str) -> ox.NamedNode:
    return ox.NamedNode(EX + x)


def fixture_quads() -> list[ox.Quad]:
    sel = ox.BlankNode("sel1")
    g1, g2 = n("graph/one"), n("graph/two")
    return [
        ox.Quad(n("ua"), n("name"), ox.Literal("Україна", language="uk"), g1),
        ox.Quad(n("ua"), n("name"), ox.Literal("Ukraine", language="en"), g1),
        ox.Quad(n("ua"), n("code"), ox.Literal("UA"), g1),
        ox.Quad(n("ua"), n("code"), ox.Literal("UA"), g2),  # the same triple in two graphs
        ox.Quad(n("a1"), n("quote"), sel, g2),
        ox.Quad(sel, n("exact"), ox.Literal('says "we will"\nnot'), g2),
        ox.Quad(n("c1"), n("year"), ox.Literal("2025", datatype=ox.NamedNode(SG + "x")), g2),
    ]


@pytest.fixture()
def store(tmp_path: Path) -> EmbeddedStore:
    s = EmbeddedStore(tmp_path / "store")
    with s.writer() as w:
        w.extend(fixture_quads())
    return s


def datasets_isomorphic(a: list[ox.Quad], b: list[ox.Quad]) -> bool:
    da, db = to_rdflib(a), to_rdflib(b)
    names_a = {g.identifier for g in da.graphs() if len(g)}
    names_b = {g.identifier for g in db.graphs() if len(g)}
    if names_a != names_b:
        return False
    return all(isomorphic(da.graph(g), db.graph(g)) for g in names_a)


def test_dump_writes_files_checksums_and_manifest(store: EmbeddedStore, tmp_path: Path) -> None:
    out = tmp_path / "dumps"
    files = dump(store, out)
    assert [f.path.name for f in files] == [NQ_GZ, TRIG, TTL]
    assert {p.name for p in out.iterdir()} == {NQ_GZ, TRIG, TTL, "SHA256SUMS", "manifest.json"}
    by_name = {f.path.name: f for f in files}
    assert by_name[NQ_GZ].quads == 7 and by_name[TRIG].quads == 7
    assert by_name[TTL].quads == 6  # the union graph: the duplicated triple once

    sums = (out / "SHA256SUMS").read_text().splitlines()
    assert len(sums) == 3
    for line in sums:
        digest, name = line.split("  ")
        assert hashlib.sha256((out / name).read_bytes()).hexdigest() == digest
        assert by_name[name].sha256 == digest
        assert by_name[name].bytes == (out / name).stat().st_size
    if shutil.which("sha256sum"):
        subprocess.run(["sha256sum", "--check", "--quiet", "SHA256SUMS"], cwd=out, check=True)

    manifest = read_manifest(out)
    assert manifest is not None
    assert manifest["store_version"] == store.version()
    entries = {e["name"]: e for e in manifest["files"]}
    assert entries[NQ_GZ]["media_type"] == "application/n-quads"
    assert entries[NQ_GZ]["compress_format"] == "application/gzip"
    assert entries[TRIG]["media_type"] == "application/trig"
    assert entries[TTL]["media_type"] == "text/turtle" and entries[TTL]["triples"] == 6
    assert entries[TRIG]["sha256"] == by_name[TRIG].sha256


def test_every_dump_file_parses_back(store: EmbeddedStore, tmp_path: Path) -> None:
    out = tmp_path / "dumps"
    dump(store, out)
    original = list(store.reader())
    nq = list(ox.parse(gzip.decompress((out / NQ_GZ).read_bytes()), ox.RdfFormat.N_QUADS))
    trig = list(ox.parse(path=str(out / TRIG), format=ox.RdfFormat.TRIG))
    assert datasets_isomorphic(nq, original)
    assert datasets_isomorphic(trig, original)
    union = list(ox.parse(path=str(out / TTL), format=ox.RdfFormat.TURTLE))
    assert len(union) == 6
    assert "@prefix sg: <https://w3id.org/sgkg/ontology/>" in (out / TTL).read_text()


def test_round_trip_through_kg_load(store: EmbeddedStore, tmp_path: Path) -> None:
    out = tmp_path / "dumps"
    dump(store, out)
    fresh = EmbeddedStore(tmp_path / "fresh")
    report = load_files(fresh, [out / NQ_GZ], progress=False)
    assert report.triples == 7
    assert sorted(report.graphs) == [EX + "graph/one", EX + "graph/two"]
    assert len(fresh.reader()) == len(store.reader())
    assert datasets_isomorphic(list(fresh.reader()), list(store.reader()))


def test_a_new_dump_replaces_the_old_one_whole(store: EmbeddedStore, tmp_path: Path) -> None:
    out = tmp_path / "dumps"
    first = {f.path.name: f.sha256 for f in dump(store, out)}
    with store.writer() as w:
        w.add(ox.Quad(n("de"), n("code"), ox.Literal("DE"), n("graph/one")))
    second = {f.path.name: f.sha256 for f in dump(store, out)}
    assert first[NQ_GZ] != second[NQ_GZ]
    manifest = json.loads((out / "manifest.json").read_text())
    assert {e["name"]: e["sha256"] for e in manifest["files"]} == second
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no leftovers


def test_same_store_same_nquads_bytes(store: EmbeddedStore, tmp_path: Path) -> None:
    a = {f.path.name: f.sha256 for f in dump(store, tmp_path / "a")}
    b = {f.path.name: f.sha256 for f in dump(store, tmp_path / "b")}
    assert a[NQ_GZ] == b[NQ_GZ]  # gzip header without a timestamp


def test_cli_dump(store: EmbeddedStore, tmp_path: Path, runner) -> None:
    out = tmp_path / "cli-dumps"
    code, stdout, err = runner(["--store", str(store.root), "dump", str(out)])
    assert code == 0, err
    assert NQ_GZ in stdout and (out / "manifest.json").is_file()


@pytest.mark.server
def test_dump_and_stats_of_a_remote_store(
    store: EmbeddedStore, tmp_path: Path, oxigraph_factory
) -> None:
    """Remote-store mode: the dump goes through SPARQL and still round-trips."""
    from kg.publish.stats import stats
    from kg.store.remote import RemoteStore

    nq = tmp_path / "seed.nq"
    nq.write_bytes(ox.serialize(fixture_quads(), format=ox.RdfFormat.N_QUADS))
    remote = RemoteStore(oxigraph_factory([nq]), checkpoint_dir=tmp_path / "checkpoints")
    files = {f.path.name: f for f in dump(remote, tmp_path / "dumps")}
    assert files[NQ_GZ].quads == 7 and files[TTL].quads == 6
    back = list(
        ox.parse(gzip.decompress((tmp_path / "dumps" / NQ_GZ).read_bytes()), ox.RdfFormat.N_QUADS)
    )
    assert datasets_isomorphic(back, list(store.reader()))
    assert stats(remote)["quads"] == 7
