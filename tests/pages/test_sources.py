"""``/source/`` (every source with its metadata, claims by kind and coverage), the annotated
reader for every source (headings, paragraphs, furniture, highlights with kind badges), and
the VoID subset of each source (issue 9.5). On the real built graph, checked against the
store and the source folders, so the numbers cannot drift."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
import rdflib

from kg.paths import sources_dir
from kg.sources.source import load_source, sha256_of, source_folders

BASE = "https://w3id.org/sgkg/"
VOID = rdflib.Namespace("http://rdfs.org/ns/void#")
DCT = rdflib.Namespace("http://purl.org/dc/terms/")
FOLDERS = source_folders(sources_dir())
SLUGS = [f.name for f in FOLDERS]


class Nesting(HTMLParser):
    """Fails on a closing tag that does not close the open element."""

    VOID = {"meta", "link", "input", "br", "img", "hr"}

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if tag in self.VOID:
            return
        assert self.stack and self.stack[-1] == tag, f"</{tag}> closes <{self.stack[-1:]}>"
        self.stack.pop()


def test_there_are_two_sources_or_more() -> None:
    assert "ukraine-security-guarantees" in SLUGS
    assert len(SLUGS) >= 2


def test_sources_list_shows_every_source_with_its_metadata(client) -> None:
    response = client.get("/source/", headers={"Accept": "text/html"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    parser = Nesting()
    parser.feed(html)
    assert parser.stack == []
    for folder in FOLDERS:
        source = load_source(folder)
        meta = source.meta
        assert f'href="/source/{source.slug}"' in html
        assert f'href="/source/{source.slug}/argument"' in html
        assert str(meta["title"]) in html.replace("&#39;", "'")
        assert sha256_of(source.text) in html
        for key in ("licence", "language"):
            if meta.get(key):
                assert str(meta[key]).split()[0] in html
    assert 'class="badge k-fact"' in html and "Reported fact" in html
    assert "body sentences quoted" in html


def test_sources_list_as_json_matches_the_folders(client) -> None:
    response = client.get("/source/", headers={"Accept": "application/json"})
    assert response.status_code == 200
    assert "Accept" in response.headers["Vary"]
    listed = {s["slug"]: s for s in response.get_json()["sources"]}
    assert set(listed) == set(SLUGS)
    for folder in FOLDERS:
        source = load_source(folder)
        entry = listed[source.slug]
        assert entry["sha256"] == sha256_of(source.text)
        assert entry["title"] == source.meta["title"]
        assert entry["iri"] == f"{BASE}id/document/{source.slug}"
        assert entry["claims"] == sum(entry["claims_by_kind"].values()) > 0
        assert entry["sentences"] == len(source.segmented.sentences)
        assert 0 < entry["sentences_quoted"] <= entry["sentences"]
        if source.authors:
            assert entry["authors"] == sorted(source.authors)
        if source.parties:
            assert entry["parties"] == sorted(source.parties)


@pytest.mark.parametrize("slug", SLUGS)
def test_every_source_has_its_annotated_reader(client, slug: str) -> None:
    response = client.get(f"/source/{slug}", headers={"Accept": "text/html"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    parser = Nesting()
    parser.feed(html)
    assert parser.stack == []
    source = load_source(sources_dir() / slug)
    seg = source.segmented
    # every body paragraph, numbered; every heading as a heading; furniture dimmed
    assert html.count('<p class="r-body" id="p') == len(seg.paragraphs)
    assert html.count('<h2 class="r-heading"') == len(seg.headings)
    assert html.count('<p class="r-furniture">') == len(seg.furniture)
    for line in seg.headings[:3]:
        assert re.search(rf'<h2 class="r-heading" id="s\d+">{re.escape(line.text.strip())}', html)
    # highlights, each first piece with an anchor, a kind class and a popup with a badge
    anchors = re.findall(r'<mark class="hl k-(\w+) d\d" id="([a-z0-9-]+)" tabindex="0"', html)
    assert len(anchors) > 10
    assert all(css != "unknown" for css, _ in anchors)
    for _css, anchor in anchors[:5]:
        pop = html[html.index(f'id="pop-{anchor}"') :][:1500]
        assert 'class="badge k-' in pop
    assert f'href="/source/{slug}/argument"' in html


def test_the_agreement_reads_with_its_articles() -> None:
    slug = "us-ukraine-bilateral-security-agreement-2024"
    if slug not in SLUGS:
        pytest.skip("the agreement is not encoded in this checkout")
    headings = [line.text for line in load_source(sources_dir() / slug).segmented.headings]
    assert any(h.startswith("Article II") for h in headings)


def test_an_unknown_source_is_a_404_naming_it(client) -> None:
    for path in ("/source/no-such-source", "/source/no-such-source/argument"):
        response = client.get(path, headers={"Accept": "text/html"})
        assert response.status_code == 404
        assert "no-such-source" in response.get_data(as_text=True)
        assert "Traceback" not in response.get_data(as_text=True)
    assert client.get("/source/..%2Fetc").status_code == 404


def test_void_has_a_subset_per_source(client, store) -> None:
    response = client.get("/void", headers={"Accept": "text/turtle"})
    g = rdflib.Graph().parse(data=response.data, format="turtle")
    dataset = rdflib.URIRef(f"{BASE}void")
    subsets = {
        g.value(s, DCT.source): s
        for s in g.objects(dataset, VOID.subset)
        if g.value(s, DCT.source) is not None
    }
    for slug in SLUGS:
        doc = rdflib.URIRef(f"{BASE}id/document/{slug}")
        assert doc in subsets, slug
        node = subsets[doc]
        assert (node, rdflib.RDF.type, VOID.Dataset) in g
        # its triples: the nanopublication graphs whose provenance names the document
        rows = store.query(
            "PREFIX np: <http://www.nanopub.org/nschema#> "
            "SELECT (COUNT(*) AS ?n) (COUNT(DISTINCT ?a) AS ?nps) WHERE { "
            "{ SELECT DISTINCT ?a ?g WHERE { "
            "GRAPH ?h { ?np np:hasAssertion ?a ; np:hasProvenance ?p ; "
            "np:hasPublicationInfo ?i } "
            f"GRAPH ?p {{ ?a <{BASE}ontology/sourceDocument> <{doc}> }} "
            "VALUES ?which { 1 2 3 4 } "
            "BIND(IF(?which = 1, ?h, IF(?which = 2, ?a, IF(?which = 3, ?p, ?i))) AS ?g) } } "
            "GRAPH ?g { ?s ?pp ?o } }"
        )
        row = next(iter(rows))
        assert int(g.value(node, VOID.triples)) == int(row["n"].value) > 0
        assert int(g.value(node, VOID.documents)) == int(row["nps"].value)


# --- a source with no folder here: headings from the sections its assertions name ----------

OTHER_TEXT = "Article I: Scope\n\nThe Parties shall meet. They may talk.\n\nShare this page\n"
OTHER = f"""
<{BASE}graph/sources> {{
  <{BASE}id/document/elsewhere> a <{BASE}ontology/SourceDocument> ;
      <http://www.w3.org/2000/01/rdf-schema#label> "A <document> from elsewhere"@en ;
      <{BASE}ontology/sourceText> "{OTHER_TEXT.replace(chr(10), chr(92) + "n")}" .
}}
<{BASE}graph/assertion/oth-001> {{ <{BASE}id/country/france> <{BASE}ontology/ledBy>
    <{BASE}id/country/france> . }}
<{BASE}graph/assertion/oth-001/provenance> {{
  <{BASE}graph/assertion/oth-001> a <{BASE}ontology/Assertion> ;
      <{BASE}ontology/kind> <{BASE}ontology/Obligation> ;
      <{BASE}ontology/section> "Article I: Scope"@en ;
      <{BASE}ontology/paragraph> 1 ;
      <http://www.w3.org/ns/prov#wasQuotedFrom> [
          <http://www.w3.org/ns/oa#hasSource> <{BASE}id/document/elsewhere> ;
          <http://www.w3.org/ns/oa#hasSelector> [ <http://www.w3.org/ns/oa#exact>
              "The Parties shall meet." ] ] .
}}
"""


def test_reader_of_a_source_without_a_folder(tmp_path) -> None:
    from server import create_app
    from tests.pages.pages_fixture import build_store

    path = build_store(tmp_path / "store", extra=OTHER)
    client = create_app({"STORE": str(path), "TESTING": True}).test_client()
    html = client.get("/source/elsewhere").get_data(as_text=True)
    assert '<h2 class="r-heading" id="s1">Article I: Scope</h2>' in html
    assert html.count('<p class="r-body" id="p') == 2  # no furniture marks: a paragraph
    assert 'class="hl k-obligation d1" id="oth-001"' in html
    assert "A &lt;document&gt; from elsewhere" in html and "<document>" not in html
    assert "Obligation" in html
    listing = client.get("/source/", headers={"Accept": "application/json"}).get_json()
    entry = {s["slug"]: s for s in listing["sources"]}["elsewhere"]
    assert entry["claims_by_kind"] == {"Obligation": 1}
    assert (entry["sentences"], entry["sentences_quoted"]) == (3, 1)
    amap = client.get("/source/elsewhere/argument", headers={"Accept": "text/html"}).get_data(
        as_text=True
    )
    assert 'id="n-oth-001"' in amap and "Article I: Scope" in amap
