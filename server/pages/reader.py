"""``/source/<slug>``: the article with every encoded assertion highlighted.

The text is the document's ``sg:sourceText`` (the words the quote offsets point into; the
file in ``kg/data/sources/`` when the store has no text). Spans come from each assertion's
``oa:start``/``oa:end``. Spans may nest or cross, so each sentence is cut into segments at
every span boundary and the segments are wrapped in ``<mark>``s with a stack: a span that
crosses another is split into pieces, the first piece of each assertion carries its anchor
(``#usg-NNN``), ``tabindex=0`` and a popup (kind + triples, with links) that hover and focus
show — no script needed. Page furniture (share links, comment box) is de-emphasized and a
body sentence no assertion quotes is flagged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pyoxigraph as ox
from flask import Response, render_template

from kg import quotes
from kg.paths import sources_dir
from kg.store import Store
from server.describe import KINDS, Provenance, Term, Viewer, provenance
from server.labels import OA, PROV, cache_for, patterns
from server.pages import bp
from server.pages.common import base_iri, not_found, viewer
from server.store import get_store

_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,100}$")


@dataclass
class Span:
    prov: Provenance
    start: int
    end: int
    triples: list[tuple[Term, Term, Term]] = field(default_factory=list)

    @property
    def slug(self) -> str:
        return self.prov.slug


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
    role: str  # title | byline | furniture | body | blank
    sentences: list[tuple[bool, list[Token]]]  # (uncovered, tokens)
    paragraph: int | None = None


def source_text(store: Store, doc_iri: str, slug: str) -> str | None:
    reader = patterns(store)
    for q in reader.quads_for_pattern(
        ox.NamedNode(doc_iri), ox.NamedNode(f"{base_iri()}ontology/sourceText"), None, None
    ):
        if isinstance(q.object, ox.Literal):
            return q.object.value
    path = sources_dir() / f"{slug}.txt"
    return path.read_text("utf-8") if path.is_file() else None


def assertion_spans(store: Store, base: str, doc_iri: str, text: str) -> tuple[list, list]:
    """``(placed spans, provenances whose offsets do not fit the text)``."""
    reader = patterns(store)
    graphs: set[str] = set()
    for q in reader.quads_for_pattern(
        None, ox.NamedNode(OA + "hasSource"), ox.NamedNode(doc_iri), None
    ):
        for holder in reader.quads_for_pattern(
            None, ox.NamedNode(PROV + "wasQuotedFrom"), q.subject, q.graph_name
        ):
            if isinstance(holder.subject, ox.NamedNode):
                graphs.add(holder.subject.value)
    placed, unplaced = [], []
    for graph in sorted(graphs):
        prov = provenance(store, graph, base)
        if prov is None:
            continue
        start, end = prov.start, prov.end
        if start is None or end is None or text[start:end] != prov.exact:
            found = text.find(prov.exact) if prov.exact else -1
            if found < 0:
                unplaced.append(prov)
                continue
            start, end = found, found + len(prov.exact)
        placed.append(Span(prov, start, end))
    return placed, unplaced


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


def layout(text: str, spans: list[Span]) -> tuple[list[Block], int]:
    """The text as blocks of sentences of tokens; also the number of uncovered sentences."""
    body_starts = {s for s, _ in quotes.body_paragraphs(text)}
    by_paragraph: dict[int, list[quotes.Sentence]] = {}
    para_of_line: dict[int, int] = {}
    for sentence in quotes.sentences(text):
        by_paragraph.setdefault(sentence.paragraph, []).append(sentence)
    for number, (start, _end) in enumerate(quotes.body_paragraphs(text), start=1):
        para_of_line[start] = number
    blocks: list[Block] = []
    seen: set[str] = set()
    header_left = 2
    uncovered_count = 0
    offset = 0
    for line in text.split("\n"):
        start, end = offset, offset + len(line)
        offset = end + 1
        stripped = line.strip()
        if not stripped:
            continue
        if start in body_starts:
            number = para_of_line[start]
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
        if any(p.match(stripped) for p in quotes.FURNITURE):
            role = "furniture"
        elif header_left:
            role = "title" if header_left == 2 else "byline"
            header_left -= 1
        else:
            role = "furniture"
        blocks.append(Block(role, [(False, _tokens(text, start, end, spans, seen))]))
    return blocks, uncovered_count


def _triples(view: Viewer, graph_iri: str) -> list[tuple[Term, Term, Term]]:
    node = ox.NamedNode(graph_iri)
    return [
        (view.term(q.subject), view.iri_term(q.predicate.value), view.term(q.object))
        for q in view.reader.quads_for_pattern(None, None, None, node)
    ]


@bp.get("/source/<slug>")
def source(slug: str) -> Response:
    if not _SLUG.match(slug):
        return not_found("that source", slug)
    store = get_store()
    base = base_iri()
    doc_iri = f"{base}id/document/{slug}"
    text = source_text(store, doc_iri, slug)
    if text is None:
        return not_found(f"the source <{doc_iri}>", slug.replace("-", " "))

    def compute() -> tuple[list[Span], list[Provenance]]:
        return assertion_spans(store, base, doc_iri, text)

    spans, unplaced = cache_for(store, "reader").get(store, doc_iri, compute)
    view = viewer()
    spans = [Span(s.prov, s.start, s.end, _triples(view, s.prov.assertion)) for s in spans]
    blocks, uncovered = layout(text, spans)
    counts = {name: 0 for name, _, _ in KINDS}
    for s in spans:
        counts[s.prov.kind] = counts.get(s.prov.kind, 0) + 1
    title = view.iri_term(doc_iri).label
    response = Response(
        render_template(
            "pages/source.html",
            title=title,
            doc=view.iri_term(doc_iri),
            blocks=blocks,
            spans=sorted(spans, key=lambda s: (s.start, s.slug)),
            unplaced=unplaced,
            uncovered=uncovered,
            legend=[(name, css, words, counts.get(name, 0)) for name, css, words in KINDS],
        ),
        mimetype="text/html",
    )
    response.vary.add("Accept-Language")
    return response
