"""Supersede, never overwrite; releases with dumps, checksums and a diff; a mirror syncs from
the change feed alone. On a throw-away source (tests/kg/test_curation's tiny treaty)."""

from __future__ import annotations

import gzip
import hashlib
import io
import xml.etree.ElementTree as ET
from pathlib import Path

import nanopub_sign
import pyoxigraph as ox
import pytest
from rdflib import Graph, URIRef

from kg import sources
from kg.publish.releases import make_release
from tests.kg.test_curation import CLAIMS, SHARED, write_source
from tests.lifecycle.conftest import load

B = "https://w3id.org/sgkg/"
NPX = "http://purl.org/nanopub/x/"
ATOM = "{http://www.w3.org/2005/Atom}"


def slugs(store) -> dict[str, str]:
    rows = store.query(
        "SELECT ?np ?slug WHERE { GRAPH ?h { ?np a "
        "<http://www.nanopub.org/nschema#Nanopublication> "
        "}"
        " GRAPH ?i { ?np <http://purl.org/dc/terms/identifier> ?slug } }"
    )
    return {r["slug"].value: r["np"].value for r in rows}


@pytest.fixture()
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Release 1 of the tiny treaty; then tt-001 corrected and tt-003 withdrawn; release 2."""
    releases = tmp_path / "releases"
    monkeypatch.setenv("KG_RELEASES", str(releases))
    data = tmp_path / "data"
    (data / "sources").mkdir(parents=True)
    (data / "entities.ttl").write_text(SHARED, encoding="utf-8")
    folder = write_source(data / "sources")
    store = load(tmp_path / "store", sources.compile_quads(root=data / "sources"))
    first = slugs(store)
    make_release(store, "2026-11-01")
    corrected = CLAIMS.replace(
        "sg:commitmentType sg:Consultation", "sg:commitmentType sg:MilitaryAid"
    )
    corrected = "coverage: partial\n" + corrected.split('  - quote: "It is the policy')[0]
    (folder / "claims.yaml").write_text(corrected, encoding="utf-8")
    store = load(tmp_path / "store", sources.compile_quads(root=data / "sources"))
    make_release(store, "2026-11-02")
    from server import create_app

    app = create_app({"STORE": str(tmp_path / "store"), "TESTING": True, "RELEASES": str(releases)})
    return store, first, app.test_client(), releases


def test_a_correction_supersedes_and_a_withdrawal_is_retracted(world) -> None:
    store, first, client, releases = world
    now = slugs(store)
    assert set(first) == {"tt-001", "tt-002", "tt-003"} and set(now) == {"tt-001", "tt-002"}
    assert now["tt-002"] == first["tt-002"]  # unchanged: the released nanopub, kept as it was
    assert now["tt-001"] != first["tt-001"]
    new, old = now["tt-001"], first["tt-001"]
    ask = f"ASK {{ GRAPH <{B}graph/lifecycle> {{ <{new}> <{NPX}supersedes> <{old}> }} }}"
    assert store.query(ask)
    # the old nanopub stays retrievable, intact, and says what replaced it
    old = client.get(first["tt-001"].removeprefix(B[:-1]), headers={"Accept": "application/trig"})
    assert old.status_code == 200
    assert nanopub_sign.Nanopub(old.get_data(as_text=True)).check()
    assert f'<{now["tt-001"]}>; rel="successor-version"' in old.headers["Link"]
    assert "Superseded by" in client.get(first["tt-001"].removeprefix(B[:-1]) + ".html").text
    # the withdrawn claim: its alias leads to its last nanopub; a signed retraction exists
    assert client.get("/id/nanopub/tt-003").headers["Location"] == first["tt-003"].removeprefix(
        B[:-1]
    )
    diff = client.get("/release/2026-11-02", headers={"Accept": "application/json"}).get_json()[
        "diff"
    ]
    assert [e["slug"] for e in diff["nanopubs"]["superseded"]] == ["tt-001"]
    assert diff["nanopubs"]["added"] == []
    (retraction,) = diff["nanopubs"]["retracted"]
    assert retraction["retracts"] == first["tt-003"]
    r = client.get(retraction["np"].removeprefix(B[:-1]), headers={"Accept": "application/trig"})
    assert nanopub_sign.Nanopub(r.get_data(as_text=True)).check()
    assert diff["graphs"][f"{B}graph/lifecycle"]["added"] >= 2


def test_release_pages_files_checksums_and_void(world) -> None:
    _store, _first, client, releases = world
    listing = client.get("/releases/").text
    assert "/release/2026-11-01" in listing and "/release/2026-11-02" in listing
    page = client.get("/release/2026-11-02", headers={"Accept": "text/html"}).text
    assert "Cite this release" in page and f"{B}release/2026-11-02" in page
    # no Accept (or */*): the release in RDF, as every resource with an RDF form answers
    rdf = client.get("/release/2026-11-02")
    assert rdf.mimetype == "text/turtle" and "Accept" in rdf.headers["Vary"]
    assert (URIRef(f"{B}release/2026-11-02"), None, None) in Graph().parse(
        data=rdf.text, format="turtle"
    )
    meta = client.get("/release/2026-11-02", headers={"Accept": "application/json"}).get_json()
    assert meta["previous"] == "2026-11-01" and meta["iri"] == f"{B}release/2026-11-02"
    names = {f["name"]: f["sha256"] for f in meta["files"]}
    assert {"dumps/sgkg.nq.gz", "diff.json", "diff.ttl", "index.json", "nanopubs.nq.gz"} <= set(
        names
    )
    body = client.get("/release/2026-11-02/dumps/sgkg.nq.gz").data
    assert hashlib.sha256(body).hexdigest() == names["dumps/sgkg.nq.gz"]
    assert client.get("/release/2026-11-02/../../etc/passwd").status_code == 404
    void = client.get("/void", headers={"Accept": "application/n-triples"}).text
    assert f'<{B}void> <http://www.w3.org/ns/dcat#version> "2026-11-02"' in void
    assert (
        f"<{B}release/2026-11-02> <http://www.w3.org/ns/dcat#previousVersion> "
        f"<{B}release/2026-11-01>" in void
    )
    diff = list(
        ox.parse(client.get("/release/2026-11-02/diff.ttl").data, format=ox.RdfFormat.TURTLE)
    )
    assert any(
        t.predicate.value == "http://www.w3.org/ns/dcat#previousVersion"
        and t.object.value == f"{B}release/2026-11-01"
        for t in diff
    )
    assert any(t.predicate.value == NPX + "retracts" for t in diff)
    with pytest.raises(Exception, match="never rewritten"):
        make_release(_store, "2026-11-02")


def test_a_mirror_syncs_from_the_feed_alone(world) -> None:
    store, _first, client, _releases = world
    atom = client.get("/changes")
    assert atom.mimetype == "application/atom+xml"
    root = ET.fromstring(atom.data)  # noqa: S314  (our own feed)
    entries = root.findall(f"{ATOM}entry")
    kinds = [e.find(f"{ATOM}category").get("term") for e in entries]
    assert kinds.count("release") == 2 and "superseded" in kinds and "retracted" in kinds
    feed = client.get("/changes", headers={"Accept": "application/json"}).get_json()
    mirror = ox.Store()
    releases = sorted(
        (e for e in feed["entries"] if e["type"] == "release"), key=lambda e: e["sequence"]
    )
    for entry in releases:
        for key, apply in (("removed", mirror.remove), ("added", mirror.add)):
            data = client.get(entry[key].removeprefix("http://localhost")).data
            for quad in ox.parse(io.BytesIO(gzip.decompress(data)), format=ox.RdfFormat.N_QUADS):
                apply(quad)
    assert set(mirror) == set(store.reader().quads_for_pattern(None, None, None, None))
    # incrementally: a mirror at the first release asks only for what came after it
    later = client.get("/changes?after=2026-11-01", headers={"Accept": "application/json"})
    assert {
        e["release"] if e["type"] == "nanopub" else e["version"] for e in later.json["entries"]
    } == {"2026-11-02"}
    assert client.get("/changes?after=1999-01-01").status_code == 400
    assert client.get("/changes").last_modified is not None


def test_history_survives_the_next_build(world, tmp_path: Path) -> None:
    from kg.publish.history import history

    store, first, _client, releases = world
    now = slugs(store)
    data = tmp_path / "data" / "sources"
    store = load(tmp_path / "store", sources.compile_quads(root=data))  # after release 2
    assert slugs(store) == now  # nothing changed: the same nanopubs
    h = history(store, now["tt-001"] + "/assertion", B)
    assert [v.iri for v in h.versions] == [first["tt-001"], now["tt-001"]]
    assert h.versions[0].replaced_by == now["tt-001"] and h.versions[1].current
    gone = history(store, first["tt-003"], B)
    assert gone.versions[0].retracted_by and not gone.versions[0].current
    from server import create_app

    client = create_app(
        {"STORE": str(tmp_path / "store"), "TESTING": True, "RELEASES": str(releases)}
    ).test_client()
    page = client.get(now["tt-001"].removeprefix(B[:-1]), headers={"Accept": "text/html"}).text
    assert "History of tt-001" in page and first["tt-001"].rsplit("/", 1)[1] in page


def test_kg_release_command(tmp_path: Path, monkeypatch, runner) -> None:
    store_copy = tmp_path / "store"
    load(store_copy, sources.compile_quads())
    monkeypatch.setenv("KG_RELEASES", str(tmp_path / "releases"))
    code, out, err = runner(["--store", str(store_copy), "release", "2026-12-01"])
    assert code == 0, err
    assert "release 2026-12-01 <https://w3id.org/sgkg/release/2026-12-01>" in out
    assert "first release" in out
    sums = (tmp_path / "releases" / "2026-12-01" / "SHA256SUMS").read_text().splitlines()
    for line in sums:
        digest, name = line.split("  ", 1)
        data = (tmp_path / "releases" / "2026-12-01" / name).read_bytes()
        assert hashlib.sha256(data).hexdigest() == digest, name
    code, _out, err = runner(["--store", str(store_copy), "release", "2026-12-01"])
    assert code == 2 and "never rewritten" in err


def test_assertion_pages_show_the_history_and_old_graphs_stay(world) -> None:
    store, first, client, _releases = world
    now = slugs(store)
    page = client.get(
        now["tt-001"].removeprefix(B[:-1]) + "/assertion", headers={"Accept": "text/html"}
    )
    assert page.status_code == 200 and "History of tt-001" in page.text
    old = first["tt-001"].removeprefix(B[:-1]) + "/assertion"
    r = client.get(old, headers={"Accept": "application/trig"})
    assert r.status_code == 200 and ox.parse(r.data, format=ox.RdfFormat.TRIG)
    assert now["tt-001"] in r.headers["Link"]
    assert client.get(old, headers={"Accept": "text/html"}).status_code == 303
