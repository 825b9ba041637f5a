"""``/search?q=``: label search over every language, and full-text search over the words of
quotes and claims.

Two indexes answer: names (below) and the words of assertions (:mod:`kg.indexes.search`, an
SQLite FTS5 file built by ``kg build``/``kg load`` per store version, ranked by ``bm25``, the
matched words in ``<mark>``). Name hits come first (they name the thing asked for), then the
assertions whose quote or paraphrase holds every word, with their kind badge.

The first search after a build makes an in-memory index of every ``rdfs:label``,
``skos:prefLabel`` and ``skos:altLabel`` of an IRI (normalized text, IRI, language, types);
it lives until the store version changes. All normalized labels are joined into one string,
so finding a query is one C-speed substring scan, not a Python loop over the labels.
Ranking: exact label > label prefix > word prefix > anywhere, then by the importance of the
type (states and coalitions before concepts), then shorter labels first.

HTML for people; ``Accept: application/json`` gets ``[{iri, label, lang, types, score, url}]``
(assertion hits add ``kind``, ``kind_label``, ``quote``, ``paraphrase``, ``snippet`` (escaped
HTML with ``<mark>``) and ``source``; their score is below 1, under every name hit), with
``X-Total-Count`` and ``Link: rel="next"`` for the pages.
"""

from __future__ import annotations

import bisect
import contextlib
import os
import re
import sqlite3
import threading
import time
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlencode

import pyoxigraph as ox
from flask import Response, jsonify, render_template, request

from kg.indexes import search as search_index
from kg.store import Store
from server.describe import KIND_CLASS, KIND_WORDS, TYPE_RANK, local_url
from server.labels import (
    RDF_TYPE,
    SEARCH_PREDICATES,
    cache_for,
    expand,
    label,
    local_name,
    patterns,
)
from server.pages import bp
from server.pages.common import accepted_languages, base_iri, server_timing
from server.store import get_store

PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
MAX_MATCHES = 20_000  # a one-letter query stops collecting here
SCORES = {"exact": 4.0, "prefix": 3.0, "word": 2.0, "contains": 1.0}


def normalize(text: str) -> str:
    """Case- and accent-insensitive form: "Україна" stays Cyrillic, "État" → "etat"."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    stripped = stripped.replace("’", "'").replace("‘", "'")
    return re.sub(r"\s+", " ", stripped.casefold()).strip()


@dataclass(frozen=True)
class Entry:
    norm: str
    label: str
    iri: str
    lang: str
    types: tuple[str, ...]
    rank: int  # type importance, lower first


class LabelIndex:
    """Every label of the store, searchable by substring in one scan."""

    def __init__(self, entries: list[Entry]) -> None:
        self.entries = entries
        self.offsets: list[int] = []
        pieces = []
        position = 0
        for entry in entries:
            self.offsets.append(position)
            pieces.append(entry.norm)
            position += len(entry.norm) + 1
        self.text = "\x00".join(pieces) + "\x00"

    @classmethod
    def build(cls, store: Store) -> LabelIndex:
        reader = patterns(store)
        types_of: dict[str, tuple[str, ...]] = {}
        entries = []
        for predicate in SEARCH_PREDICATES:
            for quad in reader.quads_for_pattern(None, predicate, None, None):
                subject, obj = quad.subject, quad.object
                if not isinstance(subject, ox.NamedNode) or not isinstance(obj, ox.Literal):
                    continue
                iri = subject.value
                types = types_of.get(iri)
                if types is None:
                    found = {
                        q.object.value
                        for q in reader.quads_for_pattern(subject, RDF_TYPE, None, None)
                        if isinstance(q.object, ox.NamedNode)
                    }
                    types = types_of[iri] = tuple(
                        sorted(found, key=lambda t: (TYPE_RANK.get(local_name(t), 99), t))
                    )
                rank = min((TYPE_RANK.get(local_name(t), 99) for t in types), default=100)
                norm = normalize(obj.value).replace("\x00", " ")
                if norm:
                    entries.append(Entry(norm, obj.value, iri, obj.language or "", types, rank))
        return cls(entries)

    def search(self, query: str, type_iri: str | None = None) -> list[tuple[float, Entry]]:
        """Best entry per IRI with its score, best first."""
        needle = normalize(query)
        if not needle:
            return []
        best: dict[str, tuple[float, Entry]] = {}
        start = 0
        found = 0
        text, offsets, entries = self.text, self.offsets, self.entries
        while found < MAX_MATCHES:
            pos = text.find(needle, start)
            if pos < 0:
                break
            index = bisect.bisect_right(offsets, pos) - 1
            entry = entries[index]
            at = pos - offsets[index]
            # next search from the following entry: one hit per label is enough
            start = offsets[index] + len(entry.norm) + 1
            found += 1
            if type_iri is not None and type_iri not in entry.types:
                continue
            if at == 0:
                kind = "exact" if len(entry.norm) == len(needle) else "prefix"
            elif not entry.norm[at - 1].isalnum():
                kind = "word"
            else:
                kind = "contains"
            score = SCORES[kind]
            current = best.get(entry.iri)
            if current is None or _key(score, entry) < _key(*current):
                best[entry.iri] = (score, entry)
        return sorted(best.values(), key=lambda item: _key(*item))


def _key(score: float, entry: Entry) -> tuple[float, int, int, str]:
    return (-score, entry.rank, len(entry.norm), entry.norm)


def index_for(store: Store) -> LabelIndex:
    # right after a write, the previous version's index answers while the new one is built
    return cache_for(store, "search").get(
        store, "index", lambda: LabelIndex.build(store), stale_ok=True
    )


_warming = threading.Lock()
_warmed: set[tuple[int, int]] = set()


@bp.before_app_request
def _warm_index() -> None:
    """Build the label index, open the full-text index and count /browse's facets in the
    background on a process's first request (gunicorn workers fork after import, so this
    runs once per worker), so no search or first visit to /browse pays for it."""
    store = get_store()
    key = (os.getpid(), id(store))
    if key in _warmed:
        return
    with _warming:
        if key in _warmed:
            return
        _warmed.add(key)

    base = base_iri()

    def build() -> None:
        with contextlib.suppress(Exception):  # a missing store is reported by the request
            index_for(store)
        with contextlib.suppress(Exception):
            text_index(store, base)
        with contextlib.suppress(Exception):
            from server.pages.facets import warm  # noqa: PLC0415

            warm(store, base)  # /browse's first page and counts

    threading.Thread(target=build, name="search-index", daemon=True).start()


_local = threading.local()


def text_index(store: Store, base: str) -> sqlite3.Connection:
    """This thread's connection to the FTS5 file of the store's current version (the file
    is built first when a build did not make it)."""
    path = cache_for(store, "fts").get(
        store, base, lambda: search_index.ensure(store, base), stale_ok=True
    )
    if not path.exists():  # a stale index whose file was pruned meanwhile
        path = search_index.ensure(store, base)
    cached = getattr(_local, "fts", None)
    if cached is not None and cached[0] == path:
        return cached[1]
    db = search_index.connect(path)
    if cached is not None:
        with contextlib.suppress(Exception):
            cached[1].close()
    _local.fts = (path, db)
    return db


def kind_badge(kind_iri: str) -> tuple[str, str]:
    """``(css class, words)`` of an assertion kind (``k-unknown`` for a kind the stylesheet
    does not colour yet)."""
    name = local_name(kind_iri)
    words = KIND_WORDS.get(name) or re.sub(r"(?<=[a-z])(?=[A-Z])", " ", name).capitalize()
    return KIND_CLASS.get(name, "unknown"), words


@dataclass
class Hit:
    iri: str
    label: str
    lang: str
    matched: str
    types: list[str]
    type_label: str
    score: float
    url: str
    # assertion hits only
    kind: str = ""
    kind_class: str = ""
    kind_words: str = ""
    quote: str = ""
    paraphrase: str = ""
    quote_html: str = ""
    paraphrase_html: str = ""
    source: str = ""
    slug: str = ""  # the assertion's readable name (usg-027)
    reader_url: str = ""  # the quote in the annotated source

    def to_json(self) -> dict[str, object]:
        data: dict[str, object] = {
            "iri": self.iri,
            "label": self.label,
            "lang": self.lang,
            "types": self.types,
            "score": self.score,
            "url": self.url,
        }
        if self.kind:
            data.update(
                kind=self.kind,
                kind_label=self.kind_words,
                quote=self.quote,
                paraphrase=self.paraphrase,
                snippet=self.quote_html or self.paraphrase_html,
                source=self.source,
            )
        return data


def search_text(
    store: Store, base: str, query: str, *, offset: int = 0, limit: int = PAGE_SIZE
) -> tuple[list[Hit], int]:
    """One page of assertion hits from the full-text index, and their total."""
    found, total = search_index.search(text_index(store, base), query, limit=limit, offset=offset)
    hits = []
    assertion_type = f"{base}ontology/Assertion"
    from server.describe import provenance  # noqa: PLC0415

    for h in found:
        css, words = kind_badge(h.kind)
        prov = provenance(store, h.iri, base)
        hits.append(
            Hit(
                iri=h.iri,
                label=h.paraphrase or h.quote or local_name(h.iri),
                lang="",
                matched=h.quote,
                types=[assertion_type],
                type_label="Assertion",
                score=round(-h.rank / (1.0 - h.rank), 6) if h.rank < 0 else 0.0,
                url=(prov.url if prov is not None else None) or local_url(h.iri, base) or h.iri,
                slug=prov.slug if prov is not None else local_name(h.iri),
                reader_url=(prov.reader_url or "") if prov is not None else "",
                kind=h.kind,
                kind_class=css,
                kind_words=words,
                quote=h.quote,
                paraphrase=h.paraphrase,
                quote_html=h.quote_html,
                paraphrase_html=h.paraphrase_html if OPEN_MARK in h.paraphrase_html else "",
                source=h.source,
            )
        )
    return hits, total


OPEN_MARK = "<mark>"


def search_labels(
    store: Store,
    base: str,
    query: str,
    accepted: Sequence[str],
    *,
    type_iri: str | None = None,
    offset: int = 0,
    limit: int = PAGE_SIZE,
) -> tuple[list[Hit], int]:
    """One page of hits and the total number of matching resources."""
    ranked = index_for(store).search(query, type_iri)
    hits = []
    for score, entry in ranked[offset : offset + limit]:
        shown, lang = label(store, entry.iri, accepted)
        type_label = label(store, entry.types[0], accepted)[0] if entry.types else ""
        hits.append(
            Hit(
                iri=entry.iri,
                label=shown,
                lang=lang,
                matched=entry.label,
                types=list(entry.types),
                type_label=type_label,
                score=score,
                url=local_url(entry.iri, base) or entry.iri,
            )
        )
    return hits, len(ranked)


def _int_arg(name: str, default: int, low: int, high: int) -> int:
    try:
        value = int(request.args.get(name, default))
    except ValueError:
        return default
    return max(low, min(high, value))


@bp.get("/search")
def search() -> Response:
    started = time.perf_counter()
    store = get_store()
    base = base_iri()
    query = request.args.get("q", "")[:200]
    type_arg = request.args.get("type", "").strip()
    type_iri = expand(type_arg, base) if type_arg else None
    size = _int_arg("size", PAGE_SIZE, 1, MAX_PAGE_SIZE)
    page = _int_arg("page", 1, 1, 10_000)
    accepted = accepted_languages()
    offset = (page - 1) * size
    hits, names = search_labels(
        store, base, query, accepted, type_iri=type_iri, offset=offset, limit=size
    )
    # then the assertions whose words match, after every name hit
    texts_wanted = type_iri is None or type_iri == f"{base}ontology/Assertion"
    text_hits: list[Hit] = []
    texts = 0
    if texts_wanted and query.strip():
        text_hits, texts = search_text(
            store,
            base,
            query,
            offset=max(0, offset - names),
            limit=max(0, size - len(hits)) or 1,
        )
        if len(hits) < size:
            hits += text_hits[: size - len(hits)]
    total = names + texts
    pages = max(1, -(-total // size))

    def page_url(number: int) -> str:
        params = {"q": query, "page": number}
        if type_arg:
            params["type"] = type_arg
        if size != PAGE_SIZE:
            params["size"] = size
        return "/search?" + urlencode(params)

    wants = request.accept_mimetypes.best_match(["text/html", "application/json"])
    if wants == "application/json":
        response = jsonify([h.to_json() for h in hits])
        response.headers["X-Total-Count"] = str(total)
        if page < pages:
            response.headers["Link"] = f'<{page_url(page + 1)}>; rel="next"'
    else:
        facets = _type_facets(store, accepted)
        response = Response(
            render_template(
                "pages/search.html",
                query=query,
                hits=hits,
                total=total,
                names=names,
                texts=texts,
                page=page,
                pages=pages,
                page_url=page_url,
                type_arg=type_arg,
                facets=facets,
                offset=(page - 1) * size,
            ),
            mimetype="text/html",
        )
    response.vary.add("Accept")
    response.vary.add("Accept-Language")
    return server_timing(response, started)


def _type_facets(store: Store, accepted: Sequence[str]) -> list[tuple[str, str]]:
    """``(value for type=, label)`` of the main sg: classes, for the filter menu."""
    base = base_iri()
    names = [n for n in TYPE_RANK if n not in ("Agent", "Assertion")][:14]
    return [(n, label(store, f"{base}ontology/{n}", accepted)[0]) for n in names]
