"""/search over the words of quotes and claims: an SQLite FTS5 index per store version,
bm25-ranked, the matched words in <mark>, the kind badge beside each assertion hit."""

from __future__ import annotations

import io
from pathlib import Path

import pyoxigraph as ox

from kg.indexes import search as search_index
from kg.store import EmbeddedStore

JSON = {"Accept": "application/json"}
SG = "https://w3id.org/sgkg/"


def text_hits(client, query: str):  # type: ignore[no-untyped-def]
    response = client.get("/search", query_string={"q": query}, headers=JSON)
    assert response.status_code == 200
    return [h for h in response.get_json() if "kind" in h]


def test_newfound_resolve_finds_the_assertion_that_quotes_it(client) -> None:  # type: ignore[no-untyped-def]
    hits = text_hits(client, "newfound resolve")
    assert hits, "no assertion found"
    first = hits[0]
    assert "newfound resolve" in first["quote"]
    assert "<mark>newfound</mark> <mark>resolve</mark>" in first["snippet"]
    assert first["kind"].startswith(f"{SG}ontology/")
    assert first["url"].startswith("/") and first["iri"].startswith(SG)
    assert 0 < first["score"] < 1  # below every name hit
    html = client.get("/search?q=newfound+resolve").text
    assert "<mark>newfound</mark>" in html and 'class="badge k-' in html


def test_ranked_accent_and_case_insensitive_and_prefix(client) -> None:  # type: ignore[no-untyped-def]
    hits = text_hits(client, "NEWFOUND Resol")  # the last word is a prefix
    assert hits and "newfound resolve" in hits[0]["quote"]
    ranked = text_hits(client, "guarantees")
    assert len(ranked) > 3
    scores = [h["score"] for h in ranked]
    assert scores == sorted(scores, reverse=True)
    names_first = client.get("/search?q=france", headers=JSON).get_json()
    kinds = ["kind" in h for h in names_first]
    assert kinds == sorted(kinds)  # name hits, then assertion hits


def test_hostile_queries(client) -> None:  # type: ignore[no-untyped-def]
    for query in ('"', "NEAR(", "a OR", "*", "<script>alert(1)</script>", "'); DROP --"):
        response = client.get("/search", query_string={"q": query})
        assert response.status_code == 200, query
        assert "<script>alert(1)</script>" not in response.text
        assert client.get("/search", query_string={"q": query}, headers=JSON).status_code == 200


def test_type_filter_keeps_assertions_out(client) -> None:  # type: ignore[no-untyped-def]
    hits = client.get("/search?q=ukraine&type=State", headers=JSON).get_json()
    assert hits and all("kind" not in h for h in hits)
    only = client.get("/search?q=newfound&type=Assertion", headers=JSON).get_json()
    assert only and all("kind" in h for h in only)


def _store_with(path: Path, quote: str) -> EmbeddedStore:
    store = EmbeddedStore(path)
    trig = f"""
    @prefix sg: <{SG}ontology/> . @prefix prov: <http://www.w3.org/ns/prov#> .
    @prefix oa: <http://www.w3.org/ns/oa#> .
    <{SG}graph/assertion/t-001/provenance> {{
      <{SG}graph/assertion/t-001> sg:kind sg:Prediction ;
          sg:paraphrase "A paraphrase & <b>words</b>." ;
          prov:wasQuotedFrom <{SG}id/nanopub/t-001#q> .
      <{SG}id/nanopub/t-001#q> oa:hasSelector <{SG}id/nanopub/t-001#s> .
      <{SG}id/nanopub/t-001#s> oa:exact "{quote}" .
    }}"""
    with store.writer() as ox_store:
        ox_store.clear()
        ox_store.extend(ox.parse(io.BytesIO(trig.encode()), format=ox.RdfFormat.TRIG))
    return store


def test_index_per_version_rebuilt_when_stale(tmp_path: Path) -> None:
    store = _store_with(tmp_path / "store", "Fortune favours the bold")
    first = search_index.ensure(store, SG)
    assert first.parent == tmp_path / "store" / "var" and store.version() in first.name
    db = search_index.connect(first)
    hits, total = search_index.search(db, "bold fortune")
    assert total == 1 and hits[0].quote_html == "<mark>Fortune</mark> favours the <mark>bold</mark>"
    para, _ = search_index.search(db, "words")
    assert "&lt;b&gt;<mark>words</mark>&lt;/b&gt;" in para[0].paraphrase_html  # escaped
    # a new generation: the old file is stale, a new one is built for the new version
    _store_with(tmp_path / "store", "Nothing ventured, nothing gained")
    second = search_index.ensure(store, SG)
    assert second != first
    hits, total = search_index.search(search_index.connect(second), "ventured")
    assert total == 1
    assert search_index.search(search_index.connect(second), "fortune")[1] == 0


def test_the_app_rebuilds_a_missing_index(tmp_path: Path) -> None:
    from server import create_app

    store = _store_with(tmp_path / "store", "Alea iacta est")
    client = create_app({"STORE": str(store.root), "TESTING": True}).test_client()
    hits = client.get("/search?q=iacta", headers=JSON).get_json()
    assert [h["iri"] for h in hits] == [f"{SG}graph/assertion/t-001"]
    assert hits[0]["kind_label"] == "Prediction"
