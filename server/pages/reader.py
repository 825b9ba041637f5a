"""``/source/<slug>``: any source document with every encoded assertion highlighted.

The text is the document's ``sg:sourceText`` (the words the quote offsets point into). It is
shown as the curator divided it (:func:`server.describe.sources.segmentation`): section
headings, body paragraphs cut into sentences, and page furniture de-emphasized. Spans come
from each assertion's ``oa:start``/``oa:end``. Spans may nest or cross, so each sentence is
cut into segments at every span boundary and the segments are wrapped in ``<mark>``s with a
stack: a span that crosses another is split into pieces, the first piece of each assertion
carries its anchor (``#usg-NNN``), ``tabindex=0`` and a popup (kind badge, paraphrase and
triples, with links) that hover and focus show — no script needed. A body sentence that no
assertion quotes is flagged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pyoxigraph as ox
from flask import Response, render_template

from kg.sources.text import Segmented
from server.describe import KIND_LIST, Term, Viewer
from server.describe.sources import Span, placed, segmentation, source_info, stored_text
from server.pages import bp
from server.pages.common import base_iri, not_found, viewer
from server.store import get_store

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,100}$")


@dataclass
class Token:
    """``open`` (a mark for ``span``; ``first`` for its anchor piece), ``text`` or ``close``."""

    kind: str
    text: str = ""
    span: Span | None = None
    first: bool = False
    depth: int = 0


@dataclass
class Block:
    role: str  # heading | furniture | body
    sentences: list[tuple[bool, list[Token]]]  # (uncovered, tokens)
    paragraph: int | None = None
    section: int | None = None  # the heading's number (its anchor: #s{n})


def _tokens(text: str, start: int, end: int, spans: list[Span], seen: set[str]) -> list[Token]:
    """Marks for ``text[start:end]``: segments at span boundaries, nested with a stack."""
    inside = [s for s in spans if s.start < end and s.end > start]
    cuts = sorted(
        {start, end, *(max(start, min(end, p)) for s in inside for p in (s.start, s.end))}
    )
    tokens: list[Token] = []
    stack: list[Span] = []
    for a, b in zip(cuts, cuts[1:], strict=False):
        active = sorted(
            (s for s in inside if s.start <= a and s.end >= b),
            key=lambda s: (s.start, -s.end, s.slug),
        )
        keep = 0
        while keep < min(len(stack), len(active)) and stack[keep] is active[keep]:
            keep += 1
        while len(stack) > keep:
            stack.pop()
            tokens.append(Token("close"))
        for span in active[keep:]:
            first = span.slug not in seen
            seen.add(span.slug)
            stack.append(span)
            tokens.append(Token("open", span=span, first=first, depth=len(stack)))
        tokens.append(Token("text", text[a:b]))
    tokens.extend(Token("close") for _ in stack)
    return tokens


def layout(text: str, seg: Segmented, spans: list[Span]) -> tuple[list[Block], int]:
    """The text as blocks of sentences of tokens; also the number of uncovered sentences."""
    furniture = {line.start for line in seg.furniture}
    headings = {line.start for line in seg.headings}
    number_of = {line.start: n for n, line in enumerate(seg.paragraphs, start=1)}
    by_paragraph: dict[int, list] = {}
    for sentence in seg.sentences:
        by_paragraph.setdefault(sentence.paragraph, []).append(sentence)
    blocks: list[Block] = []
    seen: set[str] = set()
    uncovered_count = 0
    offset = 0
    for line in text.split("\n"):
        start, end = offset, offset + len(line)
        offset = end + 1
        if not line.strip():
            continue
        if start in number_of:
            number = number_of[start]
            sentences = []
            cursor = start
            for s in by_paragraph.get(number, []):
                if s.start > cursor:  # the space between sentences
                    sentences.append((False, [Token("text", text[cursor : s.start])]))
                covered = any(sp.start < s.end and sp.end > s.start for sp in spans)
                uncovered_count += not covered
                sentences.append((not covered, _tokens(text, s.start, s.end, spans, seen)))
                cursor = s.end
            if cursor < end:
                sentences.append((False, _tokens(text, cursor, end, spans, seen)))
            blocks.append(Block("body", sentences, number))
            continue
        role = "heading" if start in headings and start not in furniture else "furniture"
        block = Block(role, [(False, _tokens(text, start, end, spans, seen))])
        if role == "heading":
            block.section = sum(1 for b in blocks if b.role == "heading") + 1
        blocks.append(block)
    return blocks, uncovered_count


def _triples(view: Viewer, graph_iri: str) -> list[tuple[Term, Term, Term]]:
    node = ox.NamedNode(graph_iri)
    return [
        (view.term(q.subject), view.iri_term(q.predicate.value), view.term(q.object))
        for q in view.reader.quads_for_pattern(None, None, None, node)
    ]


@bp.get("/source/<slug>")
def source(slug: str) -> Response:
    if not SLUG.match(slug):
        return not_found("that source", slug)
    store = get_store()
    base = base_iri()
    doc_iri = f"{base}id/document/{slug}"
    text = stored_text(store, base, doc_iri)
    if text is None:
        return not_found(f"the source “{slug}” (<{doc_iri}>)", slug.replace("-", " "))
    found = placed(store, base, doc_iri, text)
    view = viewer()
    spans = [Span(s.prov, s.start, s.end, _triples(view, s.prov.assertion)) for s in found.spans]
    blocks, uncovered = layout(text, segmentation(store, base, doc_iri, text), spans)
    counts: dict[str, int] = {}
    for s in spans:
        counts[s.prov.kind] = counts.get(s.prov.kind, 0) + 1
    info = source_info(store, base, view, doc_iri)
    response = Response(
        render_template(
            "pages/source.html",
            title=info.title,
            info=info,
            doc=view.iri_term(doc_iri),
            blocks=blocks,
            spans=spans,
            unplaced=found.unplaced,
            uncovered=uncovered,
            legend=[
                (k.name, k.css, k.words, counts[k.name]) for k in KIND_LIST if k.name in counts
            ],
        ),
        mimetype="text/html",
    )
    response.vary.add("Accept-Language")
    return response
