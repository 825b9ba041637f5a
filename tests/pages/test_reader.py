"""The annotated source reader: every assertion highlighted, overlaps nested correctly,
popups with kind and triples, furniture de-emphasized, unencoded sentences flagged."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from tests.pages.pages_fixture import ASSERTIONS, TEXT

URL = "/source/ukraine-security-guarantees"
#: elements inside the text that are not the source's words (popups, ¶ numbers, notes)
SKIP = {"pop", "pnum", "visually-hidden"}


class Marks(HTMLParser):
    """Checks that tags nest and collects the text inside each assertion's marks."""

    VOID = {"meta", "link", "input", "br", "img", "hr"}

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[tuple[str, dict]] = []
        self.text_by_slug: dict[str, str] = {}
        self.first_ids: list[str] = []
        self.in_pop = 0
        self.in_reader = False
        self.reader_text: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in self.VOID:
            return
        self.stack.append((tag, attrs))
        if tag == "mark" and "hl" in attrs.get("class", "") and "tabindex" in attrs:
            self.first_ids.append(attrs["id"])
        if SKIP & set((attrs.get("class") or "").split()):
            self.in_pop += 1
        if "reader-text" in (attrs.get("class") or ""):
            self.in_reader = True

    def handle_endtag(self, tag):
        if tag in self.VOID:
            return
        open_tag, attrs = self.stack.pop()
        assert open_tag == tag, f"</{tag}> closes <{open_tag}>"
        if SKIP & set((attrs.get("class") or "").split()):
            self.in_pop -= 1
        if "reader-text" in (attrs.get("class") or ""):
            self.in_reader = False

    def handle_data(self, data):
        if self.in_pop or not self.in_reader:
            return
        self.reader_text.append(data)
        for tag, attrs in self.stack:
            if tag == "mark" and "data-a" in attrs:
                slug = attrs["data-a"]
                self.text_by_slug[slug] = self.text_by_slug.get(slug, "") + data


def test_every_assertion_is_highlighted_once_with_its_exact_words(mini_client):
    r = mini_client.get(URL)
    assert r.status_code == 200
    parser = Marks()
    parser.feed(r.text)
    assert parser.stack == []
    assert sorted(parser.first_ids) == sorted(slug for slug, *_ in ASSERTIONS)
    for slug, _kind, exact, _body in ASSERTIONS:
        assert parser.text_by_slug[slug] == exact, slug


def test_overlapping_spans_nest_and_cross(mini_client):
    html = mini_client.get(URL).text
    # usg-002 nests inside usg-003 (same start); usg-004 crosses usg-002 and is split
    assert re.search(r'id="usg-003"[^>]*>.*?id="usg-002"', html, re.S)
    assert html.count('data-a="usg-004"') == 2
    assert 'class="hl k-assessment d2 cont" data-a="usg-004"' in html


def test_reader_keeps_the_whole_text(mini_client):
    parser = Marks()
    parser.feed(mini_client.get(URL).text)
    shown = "".join(parser.reader_text)
    # blocks are separate paragraphs, so compare the words without the white space
    assert re.sub(r"\s+", "", shown) == re.sub(r"\s+", "", TEXT)


def test_popup_has_kind_triples_and_links(mini_client):
    html = mini_client.get(URL).text
    pop = re.search(r'<span class="pop" id="pop-usg-005">(.*?)</span>\s*(?=</?[a-z])', html, re.S)
    block = html[html.index('id="pop-usg-005"') : html.index('id="pop-usg-005"') + 3000]
    assert pop is not None
    assert "Reported fact" in block
    assert 'href="/graph/assertion/usg-005"' in block
    assert 'href="/id/government/trump-administration"' in block
    assert "guarantor" in block and "air support" in block
    assert 'aria-describedby="pop-usg-005"' in html


def test_legend_furniture_and_uncovered_sentences(mini_client):
    html = mini_client.get(URL).text
    for words in (
        "Reported fact",
        "Author assessment",
        "Prediction",
        "Conditional",
        "Recommendation",
    ):
        assert words in html
    assert '<p class="r-furniture">Republic Policy YouTube</p>' in html
    # the fixture encodes 8 claims only, so many body sentences are flagged
    assert 'class="uncovered"' in html
    assert re.search(r"\d+ sentences not encoded", html)


def test_unknown_source_is_404(mini_client):
    assert mini_client.get("/source/no-such-article").status_code == 404
    assert mini_client.get("/source/..%2F..%2Fetc%2Fpasswd").status_code == 404
