"""RDF documents as HTTP responses, serialized by pyoxigraph (fast, all formats)."""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox
from flask import Response

from kg.rdfio import serialize_bytes
from server.negotiation import Format


def serialize(
    items: Iterable[ox.Quad | ox.Triple], fmt: Format, prefixes: dict[str, str] | None = None
) -> bytes:
    """Serialize triples or quads; triples are fine for dataset formats (default graph),
    quads are flattened to triples for graph formats."""
    assert fmt.rdf is not None, fmt
    items = list(items)
    data: list[ox.Triple] | list[ox.Quad]
    if not fmt.rdf.supports_datasets:
        data = [
            ox.Triple(i.subject, i.predicate, i.object) if isinstance(i, ox.Quad) else i
            for i in items
        ]
    elif items and isinstance(items[0], ox.Triple):
        data = [ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in items]
    else:
        data = [
            i if isinstance(i, ox.Quad) else ox.Quad(i.subject, i.predicate, i.object)
            for i in items
        ]
    keeps_prefixes = fmt.rdf in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG, ox.RdfFormat.RDF_XML)
    return serialize_bytes(data, fmt.rdf, prefixes=prefixes if keeps_prefixes else None)


def rdf_response(
    items: Iterable[ox.Quad | ox.Triple],
    fmt: Format,
    *,
    prefixes: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    """A negotiated RDF response with ``Vary: Accept``."""
    response = Response(
        serialize(items, fmt, prefixes), status=status, content_type=fmt.content_type
    )
    response.vary.add("Accept")
    return response
