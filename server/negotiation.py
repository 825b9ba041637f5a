"""Content negotiation in one place: formats, media types, short names and suffixes.

``negotiate()`` parses ``Accept`` with q-values and lists (python-mimeparse), honours a
``format=`` override, and raises :class:`NotAcceptable` naming what is supported.
Every negotiated response must carry ``Vary: Accept`` (see :func:`vary_accept`).

One rule for every resource that has both an HTML page and RDF (``/id/…``, ``/graph/…``,
``/ontology``, ``/shapes/…``, ``/void``, ``/source/…/argument``, ``/np/…``, ``/validate``,
``/release/…``, ``/sparql`` without a query), as Linked Data servers do (LDP answers Turtle
when no ``Accept`` is sent; Trifid and Pubby answer HTML only when it is asked for):

1. a suffix (``.ttl``, ``.html``…) or ``format=`` decides;
2. no ``Accept``, an empty or unparsable one, or only wildcards (``*/*``, what curl, wget,
   rdflib and most libraries send) → the document's canonical RDF: the first offered format
   that is not HTML (Turtle for resources, TriG for nanopubs);
3. HTML only when the client names it (``text/html`` or ``application/xhtml+xml``): a
   wildcard never selects HTML. Otherwise the highest q wins and ties go to the order of
   ``offered`` (HTML first), so a browser (``text/html,…,*/*;q=0.8``) gets the page, and a
   client that names HTML as high as an RDF type gets HTML;
4. nothing acceptable → 406 listing the media types offered.
"""

from __future__ import annotations

from collections.abc import Sequence

import mimeparse
from werkzeug.exceptions import NotAcceptable as _WerkzeugNotAcceptable

from kg.store.formats import (  # noqa: F401  (the table is re-exported for the views)
    BY_NAME,
    BY_SUFFIX,
    GRAPH_FORMATS,
    HTML,
    JSONLD,
    NQUADS,
    NTRIPLES,
    RDFXML,
    RESOURCE_FORMATS,
    RESULT_FORMATS,
    RESULTS_CSV,
    RESULTS_JSON,
    RESULTS_TSV,
    RESULTS_XML,
    TRIG,
    TURTLE,
    Format,
    by_name,
)


class NotAcceptable(_WerkzeugNotAcceptable):
    """406 naming the media types that are supported."""

    def __init__(self, offered: Sequence[Format]) -> None:
        supported = ", ".join(f.media_type for f in offered)
        super().__init__(f"none of the requested media types can be served; supported: {supported}")
        self.supported = [f.media_type for f in offered]


#: the media types that select the HTML page; only a range that names one of them does
PAGE_TYPES = ("text/html", "application/xhtml+xml")


def negotiate(
    accept: str | None,
    offered: Sequence[Format],
    *,
    format_param: str | None = None,
) -> Format:
    """Pick the best of ``offered`` for an ``Accept`` header (the rule in the module doc).

    ``format_param`` (``format=`` short name or media type) overrides ``Accept``.
    Raises :class:`NotAcceptable` when nothing fits.
    """
    if format_param:
        chosen = by_name(format_param, tuple(offered))
        if chosen is None:
            raise NotAcceptable(offered)
        return chosen
    default = next((f for f in offered if f is not HTML), offered[0])
    ranges = _ranges(accept)
    if all(rtype == "*" for rtype, _, _ in ranges):  # none, or only */* (whatever its q)
        if any(_q(params) > 0 for _, _, params in ranges) or not ranges:
            return default
        raise NotAcceptable(offered)
    best: Format | None = None
    best_q = 0.0
    for fmt in offered:
        if fmt is HTML:
            q = max(_quality(c, ranges, wildcards=False) for c in PAGE_TYPES)
        else:
            candidates = (fmt.media_type, *(a for a in fmt.aliases if "/" in a))
            q = max(_quality(c, ranges) for c in candidates)
        if q > best_q:
            best, best_q = fmt, q
    if best is None:
        raise NotAcceptable(offered)
    return best


def _ranges(accept: str | None) -> list[tuple[str, str, dict[str, str]]]:
    """The media ranges of an ``Accept`` header; none when it is missing or unparsable."""
    if not accept or not accept.strip():
        return []
    try:
        ranges = [mimeparse.parse_media_range(r) for r in accept.split(",") if r.strip()]
    except (ValueError, mimeparse.MimeTypeParseException):
        return []
    # type and subtype are case-insensitive (RFC 9110 §8.3.1)
    return [(t.lower(), s.lower(), params) for t, s, params in ranges]


def _q(params: dict[str, str]) -> float:
    try:
        return float(params.get("q", "1"))
    except ValueError:
        return 0.0


def _quality(
    media_type: str, ranges: list[tuple[str, str, dict[str, str]]], *, wildcards: bool = True
) -> float:
    """The q of the most specific range that matches (RFC 9110 §12.5.1); without
    ``wildcards`` only a range naming ``media_type`` itself counts."""
    target_type, target_subtype = media_type.split("/", 1)
    best_fitness = -1
    best_q = 0.0
    for rtype, rsubtype, params in ranges:
        if (rtype, rsubtype) != (target_type, target_subtype) and not wildcards:
            continue
        if rtype not in ("*", target_type) or rsubtype not in ("*", target_subtype):
            continue
        fitness = (100 if rtype == target_type else 0) + (10 if rsubtype == target_subtype else 0)
        if fitness > best_fitness:
            best_fitness = fitness
            best_q = _q(params)
    return best_q


def prefers_html(accept: str | None) -> bool:
    """True when the rule gives a resource's HTML page for this ``Accept`` (a browser)."""
    try:
        return negotiate(accept, RESOURCE_FORMATS) is HTML
    except NotAcceptable:
        return False
