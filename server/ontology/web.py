"""Helpers shared by the documentation surfaces (ontology, shapes, dataset description).

Format choice for documents that are RDF first: a suffix (``.ttl``…) or ``format=`` wins;
HTML only when the client names ``text/html`` and ranks it at least as high as any RDF
type (browsers); everything else (curl's ``*/*``, no Accept, RDF clients) gets RDF, Turtle
by default. Links in HTML point at the serving origin, RDF keeps canonical IRIs.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

import pyoxigraph as ox
from flask import Response, current_app, render_template, request

from kg.publish.void import KNOWN_VOCABULARIES
from server.negotiation import (
    BY_SUFFIX,
    GRAPH_FORMATS,
    HTML,
    JSONLD,
    NTRIPLES,
    RDFXML,
    TURTLE,
    Format,
    negotiate,
)
from server.rdfresponse import rdf_response, serialize

#: suffixes advertised in Link headers (DESIGN: .ttl .nt .rdf .jsonld .html)
ALTERNATES: tuple[Format, ...] = (TURTLE, NTRIPLES, RDFXML, JSONLD)

EXTRA_PREFIXES: dict[str, str] = {
    "wd": "http://www.wikidata.org/entity/",
    "wikidata": "https://www.wikidata.org/wiki/",
    "atop": "http://www.atopdata.org/",
    "odrl": "http://www.w3.org/ns/odrl/2/",
    "vann": "http://purl.org/vocab/vann/",
    "lkif": "http://www.estrellaproject.org/lkif-core/",
    "geonames": "https://sws.geonames.org/",
    "dbr": "http://dbpedia.org/resource/",
    "hycl": "http://purl.org/petapico/o/hycl#",
}


def base_iri() -> str:
    return current_app.config["BASE_IRI"]


def prefixes() -> dict[str, str]:
    """prefix → namespace, ours first (for CURIEs and Turtle output)."""
    base = base_iri()
    table = {
        "sg": f"{base}ontology/",
        "sgs": f"{base}shapes/",
        "sgm": f"{base}ontology/module/",
    }
    for namespace, prefix in KNOWN_VOCABULARIES.items():
        table.setdefault(prefix, namespace)
    for prefix, namespace in EXTRA_PREFIXES.items():
        table.setdefault(prefix, namespace)
    return table


def curie(iri: str) -> str:
    """``sg:Commitment`` for a known namespace, else the IRI itself."""
    best = ""
    best_prefix = ""
    for prefix, namespace in prefixes().items():
        if iri.startswith(namespace) and len(namespace) > len(best):
            local = iri[len(namespace) :]
            if local and "/" not in local and "#" not in local:
                best, best_prefix = namespace, prefix
    if best:
        return f"{best_prefix}:{iri[len(best) :]}"
    return iri


def href(iri: str) -> str:
    """Where a person follows an IRI: our own IRIs on the serving origin, others as they are."""
    base = base_iri()
    if iri.startswith(base):
        return "/" + iri[len(base) :]
    return iri


def is_local(iri: str) -> bool:
    return iri.startswith(base_iri())


def split_suffix(name: str) -> tuple[str, Format | None]:
    """``Commitment.ttl`` → (``Commitment``, Turtle); unknown suffixes stay in the name."""
    if "." in name:
        stem, suffix = name.rsplit(".", 1)
        fmt = BY_SUFFIX.get(suffix.lower())
        if fmt is not None:
            return stem, fmt
    return name, None


def choose_format(forced: Format | None = None) -> Format:
    """HTML for browsers, RDF (Turtle unless asked otherwise) for everyone else: the rule of
    :mod:`server.negotiation` (a suffix, then ``format=``, then ``Accept``)."""
    if forced is not None:
        return forced
    return negotiate(
        request.headers.get("Accept"),
        (HTML, *GRAPH_FORMATS),
        format_param=request.args.get("format"),
    )


def link_header(path: str) -> str:
    """``Link`` alternates of a document at ``path`` (no suffix), one per format."""
    links = [f'<{path}.html>; rel="alternate"; type="text/html"']
    links += [f'<{path}.{f.suffix}>; rel="alternate"; type="{f.media_type}"' for f in ALTERNATES]
    return ", ".join(links)


def alternates(path: str) -> list[tuple[str, str, str]]:
    """(href, media type, label) for ``<link rel=alternate>`` and the format menu."""
    return [(f"{path}.{f.suffix}", f.media_type, f.suffix or f.name) for f in ALTERNATES]


def jsonld_script(triples: Iterable[ox.Triple]) -> str:
    """JSON-LD to embed in ``<script type="application/ld+json">``, safe inside HTML."""
    text = serialize(triples, JSONLD).decode("utf-8")
    try:
        text = json.dumps(json.loads(text), ensure_ascii=False)
    except ValueError:
        return "[]"
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def document_response(
    triples: list[ox.Triple],
    fmt: Format,
    *,
    path: str,
    template: str,
    embed: list[ox.Triple] | None = None,
    **context: object,
) -> Response:
    """The negotiated answer: a template for HTML, the triples otherwise; always with
    ``Vary: Accept`` and ``Link`` alternates. ``embed`` replaces the triples embedded as
    JSON-LD in the HTML (the whole ontology would triple the page's size)."""
    if fmt is HTML:
        body = render_template(
            template,
            alternates=alternates(path),
            jsonld=jsonld_script(triples if embed is None else embed),
            curie=curie,
            href=href,
            is_local=is_local,
            **context,
        )
        response = Response(body, content_type="text/html; charset=utf-8")
        response.vary.add("Accept")
    else:
        response = rdf_response(triples, fmt, prefixes=prefixes())
    response.headers["Link"] = link_header(path)
    return response
