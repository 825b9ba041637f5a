"""Content negotiation in one place: formats, media types, short names and suffixes.

``negotiate()`` parses ``Accept`` with q-values and lists (python-mimeparse), honours a
``format=`` override, and raises :class:`NotAcceptable` naming what is supported.
Every negotiated response must carry ``Vary: Accept`` (see :func:`vary_accept`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import mimeparse
import pyoxigraph as ox
from werkzeug.exceptions import NotAcceptable as _WerkzeugNotAcceptable


@dataclass(frozen=True)
class Format:
    name: str  # short name, for format= and the CLI
    media_type: str  # IANA media type we answer with
    suffix: str | None  # file suffix that forces it on resource URLs
    rdf: ox.RdfFormat | None = None
    results: ox.QueryResultsFormat | None = None
    aliases: tuple[str, ...] = ()

    @property
    def content_type(self) -> str:
        if self.media_type.startswith("text/") or self.media_type.endswith(
            ("+json", "+xml", "/json", "/xml", "/ld+json")
        ):
            return f"{self.media_type}; charset=utf-8"
        return self.media_type


TURTLE = Format("turtle", "text/turtle", "ttl", rdf=ox.RdfFormat.TURTLE, aliases=("ttl",))
NTRIPLES = Format(
    "ntriples",
    "application/n-triples",
    "nt",
    rdf=ox.RdfFormat.N_TRIPLES,
    aliases=("nt", "n-triples", "text/plain"),
)
RDFXML = Format(
    "rdfxml", "application/rdf+xml", "rdf", rdf=ox.RdfFormat.RDF_XML, aliases=("rdf", "xml-rdf")
)
JSONLD = Format(
    "jsonld", "application/ld+json", "jsonld", rdf=ox.RdfFormat.JSON_LD, aliases=("json-ld",)
)
TRIG = Format("trig", "application/trig", "trig", rdf=ox.RdfFormat.TRIG)
NQUADS = Format(
    "nquads", "application/n-quads", "nq", rdf=ox.RdfFormat.N_QUADS, aliases=("nq", "n-quads")
)
HTML = Format("html", "text/html", "html")

RESULTS_JSON = Format(
    "json",
    "application/sparql-results+json",
    None,
    results=ox.QueryResultsFormat.JSON,
    aliases=("srj", "application/json"),
)
RESULTS_XML = Format(
    "xml",
    "application/sparql-results+xml",
    None,
    results=ox.QueryResultsFormat.XML,
    aliases=("srx", "application/xml", "text/xml"),
)
RESULTS_CSV = Format("csv", "text/csv", None, results=ox.QueryResultsFormat.CSV)
RESULTS_TSV = Format("tsv", "text/tab-separated-values", None, results=ox.QueryResultsFormat.TSV)

#: graphs (CONSTRUCT, DESCRIBE, resource documents), in order of preference
GRAPH_FORMATS: tuple[Format, ...] = (TURTLE, NTRIPLES, RDFXML, JSONLD, TRIG, NQUADS)
#: SELECT / ASK results, in order of preference
RESULT_FORMATS: tuple[Format, ...] = (RESULTS_JSON, RESULTS_XML, RESULTS_CSV, RESULTS_TSV)
#: what a resource URL can answer with: HTML for people first, then RDF
RESOURCE_FORMATS: tuple[Format, ...] = (HTML, *GRAPH_FORMATS)

BY_SUFFIX: dict[str, Format] = {f.suffix: f for f in RESOURCE_FORMATS if f.suffix}
BY_SUFFIX["nt"] = NTRIPLES


class NotAcceptable(_WerkzeugNotAcceptable):
    """406 naming the media types that are supported."""

    def __init__(self, offered: Sequence[Format]) -> None:
        supported = ", ".join(f.media_type for f in offered)
        super().__init__(f"none of the requested media types can be served; supported: {supported}")
        self.supported = [f.media_type for f in offered]


def by_name(name: str, offered: Sequence[Format]) -> Format | None:
    """A format by short name, alias or media type (for ``format=``)."""
    key = name.strip().lower()
    for fmt in offered:
        if key in (fmt.name, fmt.media_type, fmt.suffix, *fmt.aliases):
            return fmt
    return None


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
