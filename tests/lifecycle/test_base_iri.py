"""Nanopubs minted under a base IRI other than the default are signed under it: their IRIs are
``{base}np/RA…`` and they pass the nanopub library's ``check()`` (a signed nanopub cannot be
rebased: its Trusty URI and signature cover its IRIs). The signing cache is per base, and
the parallel signer gives the same nanopubs as signing in one process."""

from __future__ import annotations

import re
from pathlib import Path

import nanopub_sign
import pyoxigraph as ox
import pytest

from kg import sources
from kg.publish import mint
from tests.kg.test_curation import SHARED, write_source
from tests.lifecycle.conftest import load
from tests.lifecycle.test_nanopubs import NP, nanopub_iris

DEFAULT = "https://w3id.org/sgkg/"
OTHER = "https://example.org/kgx/"
TRUSTY = re.compile(rf"^{re.escape(OTHER)}np/RA[A-Za-z0-9_-]{{43}}$")


def checked(trig: str) -> str:
    """The IRI of a nanopub that passes ``check()`` (which raises otherwise)."""
    return nanopub_sign.Nanopub(trig).check().info()["uri"]["value"]


def nanopubs_of(quads: list[ox.Quad]) -> dict[str, list[ox.Quad]]:
    heads = {
        q.subject.value
        for q in quads
        if q.predicate.value == NP + "hasAssertion" and isinstance(q.subject, ox.NamedNode)
    }
    out: dict[str, list[ox.Quad]] = {iri: [] for iri in heads}
    for q in quads:
        if isinstance(q.graph_name, ox.NamedNode):
            iri = q.graph_name.value.rsplit("/", 1)[0]
            if iri in out:
                out[iri].append(q)
    return out


def test_a_build_under_another_base_serves_nanopubs_that_pass_check(tmp_path: Path) -> None:
    from kg.build import build
    from kg.store import EmbeddedStore
    from server import create_app

    store = EmbeddedStore(tmp_path / "store")
    build(store, base_iri=OTHER, reasoner=False)
    iris = nanopub_iris(store)
    assert len(iris) >= 90
    client = create_app(
        {
            "STORE": str(tmp_path / "store"),
            "TESTING": True,
            "BASE_IRI": OTHER,
            "RELEASES": str(tmp_path / "releases"),
        }
    ).test_client()
    for iri in iris:
        assert TRUSTY.match(iri), iri
        response = client.get(iri.removeprefix(OTHER[:-1]), headers={"Accept": "application/trig"})
        assert response.status_code == 200, iri
        trig = response.get_data(as_text=True)
        assert checked(trig) == iri
        # signed under the base: nothing inside names the default base
        assert DEFAULT not in trig, iri
    # the argument graph names the minted assertions under the same base
    rows = store.query(f"SELECT ?a WHERE {{ GRAPH <{OTHER}graph/argument> {{ ?a ?p ?b }} }}")
    heads = set(iris)
    assert all(r["a"].value.removesuffix("/assertion") in heads for r in rows)


@pytest.fixture()
def tiny(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The tiny treaty of tests/kg/test_curation with a key and releases of its own."""
    monkeypatch.setenv("KG_KEYS", str(tmp_path / "keys"))
    monkeypatch.setenv("KG_RELEASES", str(tmp_path / "releases"))
    data = tmp_path / "data"
    (data / "sources").mkdir(parents=True)
    (data / "entities.ttl").write_text(SHARED, encoding="utf-8")
    write_source(data / "sources")
    return data / "sources"


def test_the_signing_cache_of_one_base_is_not_used_for_another(tiny: Path) -> None:
    default = nanopubs_of(sources.compile_quads(root=tiny))
    n = mint.LAST["signed"]
    assert n == len(default) >= 3 and mint.LAST["cached"] == 0
    other = nanopubs_of(sources.compile_quads(OTHER, root=tiny))
    assert mint.LAST["signed"] == n and mint.LAST["cached"] == 0  # not the default's cache
    again = nanopubs_of(sources.compile_quads(OTHER, root=tiny))
    assert mint.LAST["signed"] == 0 and mint.LAST["cached"] == n  # its own cache
    assert sorted(again) == sorted(other)
    for iri, quads in other.items():
        assert TRUSTY.match(iri), iri
        assert checked(ox.serialize(quads, format=ox.RdfFormat.TRIG).decode()) == iri
    for iri, quads in default.items():
        assert iri.startswith(DEFAULT + "np/RA")
        assert checked(ox.serialize(quads, format=ox.RdfFormat.TRIG).decode()) == iri


def test_a_release_under_another_base_is_not_this_bases_history(tiny: Path, tmp_path) -> None:
    from kg.publish.releases import make_release

    store = load(tmp_path / "store", sources.compile_quads(root=tiny))
    make_release(store, "2026-11-01")
    quads = sources.compile_quads(OTHER, root=tiny)
    assert mint.LAST["reused"] == 0  # the default base's nanopubs cannot be kept here
    assert not [q for q in quads if DEFAULT + "np/" in str(q)]  # nor superseded from here
    sources.compile_quads(root=tiny)
    assert mint.LAST["signed"] == 0 and mint.LAST["reused"] > 0  # its own base: kept


def test_the_parallel_signer_signs_as_one_process(monkeypatch: pytest.MonkeyPatch) -> None:
    from kg.publish.keys import private_key

    key = private_key()
    # dated: the toolkit adds the time of signing to a nanopub that has no dcterms:created
    trigs = [
        f"""@prefix np: <http://www.nanopub.org/nschema#> .
@prefix : <{OTHER}np/> .
:Head {{ : a np:Nanopublication ; np:hasAssertion :assertion ;
  np:hasProvenance :provenance ; np:hasPublicationInfo :pubinfo . }}
:assertion {{ <{OTHER}id/thing/{i}> <{OTHER}ontology/p> "{i}" . }}
:provenance {{ :assertion <http://www.w3.org/ns/prov#wasAttributedTo> <{OTHER}id/x> . }}
:pubinfo {{ : <http://www.w3.org/ns/prov#wasAttributedTo> <{OTHER}id/x> ;
  <http://purl.org/dc/terms/created> "2026-11-30"^^<http://www.w3.org/2001/XMLSchema#date> . }}
"""
        for i in range(6)
    ]

    def signed(pairs: list[tuple[str, str]]) -> list[tuple[str, set[ox.Quad]]]:
        # the toolkit's TriG lists its prefixes in no fixed order: compare the quads
        return [(iri, set(ox.parse(rdf.encode(), format=ox.RdfFormat.TRIG))) for iri, rdf in pairs]

    here = mint.sign_texts(trigs, key)  # 6 < PER_PROCESS: one process
    monkeypatch.setattr(mint, "PER_PROCESS", 2)
    monkeypatch.setattr(mint, "_cores", lambda: 3)
    assert signed(mint.sign_texts(trigs, key)) == signed(here)  # here and two helpers
    for iri, rdf in here:
        assert TRUSTY.match(iri) and checked(rdf) == iri
    monkeypatch.setattr(mint, "WORKER", Path("/nonexistent/sign_worker.py"))
    with pytest.warns(RuntimeWarning, match="signing helper failed"):
        again = mint.sign_texts(trigs, key)
    assert signed(again) == signed(here)  # a failed helper's share is signed here
