"""``/source/{slug}/argument``: the argument map of every source — its claims as linked,
badged nodes, the relations between them as labelled arrows (server-side SVG, deterministic),
the same relations as text, the argument as RDF by content negotiation and suffix, and a 404
naming an unknown slug. Checked against SPARQL over the same store."""

from __future__ import annotations

import re

import pytest
import rdflib

from kg.paths import sources_dir
from kg.sources.source import source_folders
from server.describe.argument import ArgEdge, ArgumentMap
from server.describe.kinds import RELATION_BY_NAME
from server.describe.provenance import Provenance
from server.diagram import argument_svg
from tests.pages.pages_fixture import BASE as FIXTURE_BASE
from tests.pages.pages_fixture import build_store

BASE = "https://w3id.org/sgkg/"
SG = rdflib.Namespace(f"{BASE}ontology/")
SLUGS = [f.name for f in source_folders(sources_dir())]
RELATIONS = (
    "supportsClaim",
    "attacksClaim",
    "qualifiesClaim",
    "answersQuestion",
    "elaboratesClaim",
    "implementsClaim",
)
SLUG_OF = (
    "OPTIONAL { GRAPH ?hh { ?np <http://www.nanopub.org/nschema#hasAssertion> ?a } "
    "GRAPH ?ii { ?np <http://purl.org/dc/terms/identifier> ?id } } "
    'BIND(COALESCE(?id, REPLACE(STR(?a), "^.*/", "")) AS ?slug)'
)


def claims_of(store, slug: str) -> dict[str, tuple[str, str]]:
    """assertion IRI → (slug, kind local name) for every assertion quoting the source."""
    doc = f"{BASE}id/document/{slug}"
    rows = store.query(
        f"SELECT ?a ?slug ?kind WHERE {{ GRAPH ?p {{ ?a <{SG}sourceDocument> <{doc}> ; "
        f"<{SG}kind> ?kind }} {SLUG_OF} }}"
    )
    return {r["a"].value: (r["slug"].value, r["kind"].value.rsplit("/", 1)[-1]) for r in rows}


def relations_of(store, assertions: set[str]) -> set[tuple[str, str, str]]:
    values = " ".join(f"<{SG}{name}>" for name in RELATIONS)
    rows = store.query(
        f"SELECT DISTINCT ?a ?r ?b WHERE {{ VALUES ?r {{ {values} }} GRAPH ?g {{ ?a ?r ?b }} }}"
    )
    return {
        (r["a"].value, r["r"].value.rsplit("/", 1)[-1], r["b"].value)
        for r in rows
        if r["a"].value in assertions
    }


@pytest.mark.parametrize("slug", SLUGS)
def test_map_draws_every_claim_and_relation(client, store, slug: str) -> None:
    response = client.get(f"/source/{slug}/argument", headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    assert "Accept" in response.headers["Vary"]
    assert f"</source/{slug}/argument.ttl>" in response.headers["Link"]
    html = response.get_data(as_text=True)
    claims = claims_of(store, slug)
    edges = relations_of(store, set(claims))
    svg = re.search(r'<svg[^>]*class="argument-map".*?</svg>', html, re.S).group(0)
    assert 'role="group" aria-labelledby="am-title am-desc"' in svg
    assert "<script" not in svg
    nodes = dict(re.findall(r'<a href="([^"]+)" class="am-node k-\w+" id="n-([^"]+)"', svg))
    expected = {s for s, kind in claims.values() if kind != "ReportedFact"}
    ends = {a for a, _, _ in edges} | {b for _, _, b in edges}
    expected |= {claims[a][0] for a in ends if a in claims}
    assert set(nodes.values()) == expected
    for href, node in nodes.items():
        assert href == f"/source/{slug}#{node}"
    # every node has an accessible name with its kind; every relation is an arrow and a line
    names = re.findall(r'class="am-node k-\w+" id="n-[^"]+"><title>([^<]+)</title>', svg)
    assert len(names) == len(nodes)
    for name in names:
        assert re.match(r"[a-z0-9-]+, [a-z ]+: “", name), name
    drawn = set(re.findall(r'class="am-edge r-(\w+)" marker-end="[^"]+" data-s="([^"]+)"', svg))
    assert len(re.findall(r'<path [^>]*class="am-edge ', svg)) == len(edges)
    assert {verb for verb, _ in drawn} == {RELATION_BY_NAME[r].css for _, r, _ in edges}
    listed = re.search(r'<ul class="am-relations">(.*?)</ul>', html, re.S)
    if edges:
        assert listed.group(1).count("<li>") == len(edges)
    # the same page twice is the same picture (a deterministic layout)
    again = client.get(f"/source/{slug}/argument", headers={"Accept": "text/html"}).get_data(
        as_text=True
    )
    assert re.search(r'<svg[^>]*class="argument-map".*?</svg>', again, re.S).group(0) == svg


def test_the_article_has_an_argument(client, store) -> None:
    claims = claims_of(store, "ukraine-security-guarantees")
    assert relations_of(store, set(claims)), "the article's claims are related"
    html = client.get(
        "/source/ukraine-security-guarantees/argument", headers={"Accept": "text/html"}
    ).get_data(as_text=True)
    assert "Rhetorical question" in html or "Author assessment" in html


@pytest.mark.parametrize("slug", SLUGS)
def test_argument_as_rdf(client, store, slug: str) -> None:
    claims = claims_of(store, slug)
    edges = relations_of(store, set(claims))
    response = client.get(f"/source/{slug}/argument", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    assert response.mimetype == "text/turtle"
    assert response.headers["Content-Location"] == f"/source/{slug}/argument.ttl"
    g = rdflib.Graph().parse(data=response.data, format="turtle")
    assertions = set(g.subjects(rdflib.RDF.type, SG.Assertion))
    assert assertions, slug
    for a in assertions:
        assert g.value(a, SG.kind) is not None
        assert str(a) in claims
    stated = {
        (str(a), str(p).rsplit("/", 1)[-1], str(b))
        for a, p, b in g
        if str(p).rsplit("/", 1)[-1] in RELATIONS
    }
    assert stated == edges
    # each claim's content node comes with it
    contents = [s for s in g.subjects(rdflib.RDF.type, None) if str(s).endswith("#claim")]
    if any(kind != "ReportedFact" for _, kind in claims.values()):
        assert contents
    # suffixes force a format; TriG keeps each quad in its graph
    jsonld = client.get(f"/source/{slug}/argument.jsonld", headers={"Accept": "text/html"})
    assert jsonld.status_code == 200 and jsonld.mimetype == "application/ld+json"
    assert "Accept" not in (jsonld.headers.get("Vary") or "")
    from_jsonld = rdflib.Dataset()
    from_jsonld.parse(data=jsonld.data, format="json-ld")
    assert {t[:3] for t in from_jsonld.quads()} == set(g)
    trig = client.get(f"/source/{slug}/argument.trig")
    ds = rdflib.Dataset()
    ds.parse(data=trig.data, format="trig")
    assert len({c.identifier for c in ds.graphs()}) > 2


def test_unknown_source_and_unsupported_format(client) -> None:
    r = client.get("/source/no-such-source/argument", headers={"Accept": "text/html"})
    assert r.status_code == 404
    assert "no-such-source" in r.get_data(as_text=True)
    r = client.get("/source/no-such-source/argument", headers={"Accept": "text/turtle"})
    assert r.status_code == 404
    assert "no-such-source" in r.get_data(as_text=True)
    assert client.get("/source/no-such-source/argument.ttl").status_code == 404
    slug = SLUGS[0]
    assert client.get(f"/source/{slug}/argument.exe").status_code == 404
    r = client.get(f"/source/{slug}/argument", headers={"Accept": "image/png"})
    assert r.status_code == 406
    assert "Traceback" not in r.get_data(as_text=True)


# --- the fixture store: relations in the provenance graphs (graphs built before minting) ----

RELATED = f"""
<{FIXTURE_BASE}graph/assertion/usg-001/provenance> {{
  <{FIXTURE_BASE}graph/assertion/usg-001>
      <{FIXTURE_BASE}ontology/supportsClaim> <{FIXTURE_BASE}graph/assertion/usg-004> .
}}
<{FIXTURE_BASE}graph/assertion/usg-007/provenance> {{
  <{FIXTURE_BASE}graph/assertion/usg-007>
      <{FIXTURE_BASE}ontology/qualifiesClaim> <{FIXTURE_BASE}graph/assertion/usg-006> .
}}
"""


def test_relations_in_provenance_graphs_are_drawn(tmp_path) -> None:
    from server import create_app

    path = build_store(tmp_path / "store", extra=RELATED)
    client = create_app({"STORE": str(path), "TESTING": True}).test_client()
    html = client.get(
        "/source/ukraine-security-guarantees/argument", headers={"Accept": "text/html"}
    ).get_data(as_text=True)
    svg = re.search(r'<svg[^>]*class="argument-map".*?</svg>', html, re.S).group(0)
    # the fact usg-001 is drawn because it supports a claim; usg-002 (a fact) is not
    assert 'id="n-usg-001"' in svg and 'id="n-usg-002"' not in svg
    assert 'data-s="usg-001" data-t="usg-004"' in svg
    assert 'data-s="usg-007" data-t="usg-006"' in svg
    assert ">supports</text>" in svg and ">qualifies</text>" in svg
    assert "Reported fact" in svg and "Conditional" in svg


def test_svg_escapes_what_the_data_says() -> None:
    def prov(slug: str, exact: str, kind: str = "AuthorAssessment") -> Provenance:
        return Provenance(
            assertion=f"{BASE}graph/assertion/{slug}",
            slug=slug,
            url=f"/graph/assertion/{slug}",
            kind=kind,
            kind_words="Author <b>assessment</b>",
            kind_class="assessment",
            exact=exact,
            paragraph=1,
            source=f"{BASE}id/document/x",
        )

    a = prov("x-1", '<script>alert("a")</script> & more')
    b = prov("x-2", "</svg><img src=x onerror=alert(1)>")
    amap = ArgumentMap(
        f"{BASE}id/document/x", [a, b], [ArgEdge(a, b, RELATION_BY_NAME["supportsClaim"])]
    )
    svg = str(argument_svg(amap, "Map of <x>", lambda p: '/source/x#"><script>', ["supports"]))
    assert "<script" not in svg and "<img" not in svg and "<b>" not in svg
    assert "&lt;script&gt;" in svg and "&#34;&gt;&lt;script&gt;" in svg
    assert svg.count("</svg>") == 1
