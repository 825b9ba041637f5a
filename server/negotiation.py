"""Content negotiation in one place: formats, media types, short names and suffixes.

``negotiate()`` parses ``Accept`` with q-values and lists (python-mimeparse), honours a
``format=`` override, and raises :class:`NotAcceptable` naming what is supported.
Every negotiated response must carry ``Vary: Accept`` (see :func:`vary_accept`).
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


def negotiate(
    accept: str | None,
    offered: Sequence[Format],
    *,
    format_param: str | None = None,
) -> Format:
    """Pick the best of ``offered`` for an ``Accept`` header; the first wins ties.

    ``format_param`` (``format=`` short name or media type) overrides ``Accept``.
    Raises :class:`NotAcceptable` when nothing fits.
    """
    if format_param:
        chosen = by_name(format_param, offered)
        if chosen is None:
            raise NotAcceptable(offered)
        return chosen
    if not accept or not accept.strip():
        return offered[0]
    try:
        ranges = [mimeparse.parse_media_range(r) for r in accept.split(",") if r.strip()]
    except (ValueError, mimeparse.MimeTypeParseException):
        ranges = []
    if not ranges:
        return offered[0]
    best: Format | None = None
    best_q = 0.0
    for fmt in offered:
        candidates = (fmt.media_type, *(a for a in fmt.aliases if "/" in a))
        q = max(_quality(c, ranges) for c in candidates)
        if q > best_q:
            best, best_q = fmt, q
    if best is None:
        raise NotAcceptable(offered)
    return best


def _quality(media_type: str, ranges: list[tuple[str, str, dict[str, str]]]) -> float:
    """The q of the most specific range that matches (RFC 9110 §12.5.1)."""
    target_type, target_subtype = media_type.split("/", 1)
    best_fitness = -1
    best_q = 0.0
    for rtype, rsubtype, params in ranges:
        if rtype not in ("*", target_type) or rsubtype not in ("*", target_subtype):
            continue
        fitness = (100 if rtype == target_type else 0) + (10 if rsubtype == target_subtype else 0)
        if fitness > best_fitness:
            best_fitness = fitness
            try:
                best_q = float(params.get("q", "1"))
            except ValueError:
                best_q = 0.0
    return best_q


def prefers_html(accept: str | None) -> bool:
    """True when a browser-like Accept ranks HTML at least as high as any RDF type."""
    if not accept:
        return False
    try:
        return negotiate(accept, RESOURCE_FORMATS) is HTML
    except NotAcceptable:
        return False
