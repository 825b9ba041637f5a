"""The HTML entity page: labels by language, provenance next to statements, backlinks,
links out, the diagram, embedded JSON-LD, and escaping of hostile labels."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

from tests.pages.pages_fixture import BASE


def jsonld_blocks(html: str) -> list[dict]:
    found = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    return [json.loads(block) for block in found]


def h1(html: str) -> str:
    return re.search(r"<h1[^>]*>(.*?)</h1>", html, re.S).group(1).strip()


def test_label_and_type_in_the_readers_language(mini_client):
    en = mini_client.get(
        "/id/country/france", headers={"Accept": "text/html", "Accept-Language": "en"}
    ).text
    de = mini_client.get(
        "/id/country/france", headers={"Accept": "text/html", "Accept-Language": "de-AT, en;q=0.5"}
    ).text
    fr = mini_client.get(
        "/id/country/france", headers={"Accept": "text/html", "Accept-Language": "fr-CH"}
    ).text
    uk = mini_client.get(
        "/id/country/ukraine", headers={"Accept": "text/html", "Accept-Language": "uk"}
    ).text
    assert h1(en) == "France"
    assert h1(de) == "Frankreich"
    assert 'lang="de"' in de
    assert "État" in fr and "État" not in en  # the class label in French
    assert "dirigée par" in fr  # property labels come from the ontology graph
    assert h1(uk) == "Україна"
    # a language the data lacks falls back to English
    assert h1(
        mini_client.get(
            "/id/country/russia", headers={"Accept": "text/html", "Accept-Language": "ja"}
        ).text
    ) == ("Russia")


def test_types_link_to_class_pages(mini_client):
    html = mini_client.get("/id/country/france", headers={"Accept": "text/html"}).text
    assert 'href="/class/sg:State"' in html
    assert mini_client.get("/class/sg:State").status_code == 200


def test_provenance_badge_and_quote_for_each_assertion(mini_client):
    html = mini_client.get("/id/country/france", headers={"Accept": "text/html"}).text
    # "led by France" is made by two assertions of different kinds: both are shown
    for slug, words in (("usg-002", "Reported fact"), ("usg-004", "Author assessment")):
        assert f'href="/graph/assertion/{slug}"' in html
        assert f'href="/source/ukraine-security-guarantees#{slug}"' in html
        assert words in html
    assert 'class="badge k-fact"' in html and 'class="badge k-assessment"' in html
    assert '<mark class="k-fact">Spearheaded by France</mark>' in html
    assert "…l-scale invasion began in 2022. " in html  # the prefix, in context
    assert 'class="badge k-conditional"' in html  # usg-007, via a backlink


def test_backlinks_and_links_out(mini_client):
    html = mini_client.get("/id/country/france", headers={"Accept": "text/html"}).text
    assert "What links here" in html
    assert 'href="/id/guarantee/postwar-guarantees"' in html
    assert 'href="/id/coalition/coalition-of-26"' in html
    assert 'href="http://www.wikidata.org/entity/Q142"' in html


def test_diagram_is_inline_svg_with_accessible_names(mini_client):
    html = mini_client.get("/id/commitment/us-air-support", headers={"Accept": "text/html"}).text
    svg = re.search(r"<svg.*?</svg>", html, re.S).group(0)
    assert "<title" in svg and 'aria-labelledby="dg-title dg-desc"' in svg
    assert "<title>guarantor: Trump administration</title>" in svg
    assert 'href="/id/country/ukraine"' in svg
    assert "<script" not in svg


def test_embedded_schema_org_and_cite_block(mini_client):
    html = mini_client.get("/id/country/france", headers={"Accept": "text/html"}).text
    (data,) = jsonld_blocks(html)
    assert data["@type"] == "Country"
    assert data["@id"] == f"{BASE}id/country/france"
    assert data["sameAs"] == ["http://www.wikidata.org/entity/Q142"]
    assert "Cite this" in html and f"<code>{BASE}id/country/france</code>" in html
    for suffix in ("ttl", "nt", "rdf", "jsonld", "trig", "nq"):
        assert f'href="/id/country/france.{suffix}"' in html


def test_assertion_graph_page_shows_its_triples_and_provenance(mini_client):
    html = mini_client.get("/graph/assertion/usg-005", headers={"Accept": "text/html"}).text
    assert "What this graph states" in html
    assert 'href="/id/government/trump-administration"' in html
    assert 'class="badge k-fact"' in html
    assert "President Trump’s administration has promised air support" in html


class _Texts(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[str] = []
        self.script_tags = 0
        self._in_script = False
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "script":
            self.script_tags += 1
            self._in_script = True

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        (self.scripts if self._in_script else self.text).append(data)


def test_hostile_labels_are_text_not_markup(hostile_client):
    for lang in ("en", "fr"):
        r = hostile_client.get(
            "/id/country/evil", headers={"Accept": "text/html", "Accept-Language": lang}
        )
        assert r.status_code == 200
        parser = _Texts()
        parser.feed(r.text)
        assert parser.script_tags == 1  # only our JSON-LD block
        assert "<script>alert(" not in r.text
        assert "&lt;script&gt;alert(" in r.text
        (data,) = jsonld_blocks(r.text)
        assert data["name"] in ("<script>alert(1)</script>", "</script><script>alert(2)</script>")
        assert "description" not in data  # an rdfs:comment is no definition (issue 8.4)
        assert "<b>bold</b>" not in r.text
    search = hostile_client.get("/search?q=script").text
    assert "<script>alert(" not in search and "&lt;script&gt;alert(1)" in search
    home = hostile_client.get("/search?q=%3Cscript%3Ealert(1)%3C/script%3E").text
    assert "<script>alert(" not in home
    missing = hostile_client.get("/id/%3Cscript%3E", headers={"Accept": "text/html"})
    assert missing.status_code == 404 and "<script>" not in missing.text
