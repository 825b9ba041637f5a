"""The one table of formats: short names, media types, file suffixes, pyoxigraph formats.

Content negotiation (``server.negotiation``), the query engine (``kg.store.engine``), the
remote stores' row cap and the CLI all read this table.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox


@dataclass(frozen=True)
class Format:
    name: str  # short name, for format= and the CLI
    media_type: str  # IANA media type we answer with
    suffix: str | None  # file suffix that forces it on resource URLs
    rdf: ox.RdfFormat | None = None
    results: ox.QueryResultsFormat | None = None
    aliases: tuple[str, ...] = ()
    #: results formats: a marker that ends (or separates) rows, and how many rows ``n``
    #: markers can mean at most (``n + extra``): JSON ``},{`` (strings escape no braces),
    #: XML ``<result>`` (``<`` is escaped in text), CSV/TSV line breaks after the header
    row_marker: tuple[bytes, int] | None = None

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
    row_marker=(b"},{", 1),
)
RESULTS_XML = Format(
    "xml",
    "application/sparql-results+xml",
    None,
    results=ox.QueryResultsFormat.XML,
    aliases=("srx", "application/xml", "text/xml"),
    row_marker=(b"<result>", 0),
)
RESULTS_CSV = Format(
    "csv", "text/csv", None, results=ox.QueryResultsFormat.CSV, row_marker=(b"\n", -1)
)
RESULTS_TSV = Format(
    "tsv",
    "text/tab-separated-values",
    None,
    results=ox.QueryResultsFormat.TSV,
    row_marker=(b"\n", -1),
)

#: graphs (CONSTRUCT, DESCRIBE, resource documents), in order of preference
GRAPH_FORMATS: tuple[Format, ...] = (TURTLE, NTRIPLES, RDFXML, JSONLD, TRIG, NQUADS)
#: SELECT / ASK results, in order of preference
RESULT_FORMATS: tuple[Format, ...] = (RESULTS_JSON, RESULTS_XML, RESULTS_CSV, RESULTS_TSV)
#: what a resource URL can answer with: HTML for people first, then RDF
RESOURCE_FORMATS: tuple[Format, ...] = (HTML, *GRAPH_FORMATS)

BY_SUFFIX: dict[str, Format] = {f.suffix: f for f in RESOURCE_FORMATS if f.suffix}
BY_SUFFIX["nt"] = NTRIPLES


#: every format by short name
BY_NAME: dict[str, Format] = {f.name: f for f in (*RESULT_FORMATS, *GRAPH_FORMATS)}
#: results formats by media type and media-type alias (what a remote server answers with)
RESULTS_BY_MEDIA: dict[str, Format] = {
    m: f for f in RESULT_FORMATS for m in (f.media_type, *(a for a in f.aliases if "/" in a))
}
#: graph formats in which every triple ends its own line (a line count is an upper bound)
LINE_MEDIA_TYPES = ("application/n-triples", "application/n-quads", "text/plain")


def by_name(name: str, offered: tuple[Format, ...] | list[Format]) -> Format | None:
    """A format by short name, alias or media type (for ``format=``)."""
    key = name.strip().lower()
    for fmt in offered:
        if key in (fmt.name, fmt.media_type, fmt.suffix, *fmt.aliases):
            return fmt
    return None
