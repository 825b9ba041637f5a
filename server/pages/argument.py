"""``/source/{slug}/argument``: a source's argument map.

The source's claims (every assertion that is not a reported fact, and the facts a relation
uses) as nodes badged by kind, each a link to its quote in the annotated reader; the relations
between them (supports, attacks, qualifies, answers, elaborates, implements) as labelled
arrows. The SVG is laid out here, in Python (:func:`server.diagram.argument_svg`); the page
needs no script, and lists the same relations as text below the picture.

RDF by content negotiation (``Accept``) or suffix (``.ttl .nt .rdf .jsonld .trig .nq``):
the assertions, their kinds, their claim-content nodes and the relations, each quad in its
nanopublication graph. An unknown slug is a 404 naming it.
"""

from __future__ import annotations

import time

from flask import Response, current_app, render_template, request

from kg.errors import TooLarge
from server.describe import KIND_LIST, RELATIONS
from server.describe.argument import ArgumentMap, argument_map, argument_quads
from server.describe.provenance import Provenance
from server.describe.sources import source_info, stored_text
from server.diagram import argument_svg, layers
from server.labels import prefixes
from server.negotiation import HTML, Format, negotiate
from server.pages import bp
from server.pages.common import (
    DOWNLOADS,
    FORMAT_WORDS,
    OFFERED,
    alternates,
    base_iri,
    link_header,
    not_found,
    server_timing,
    viewer,
)
from server.pages.reader import SLUG
from server.pages.resources import split_suffix
from server.rdfresponse import rdf_response
from server.store import get_store


@bp.get("/source/<slug>/argument")
def argument(slug: str) -> Response:
    return serve(slug, None)


@bp.get("/source/<slug>/<name>")
def argument_document(slug: str, name: str) -> Response:
    stem, forced = split_suffix(name)
    if stem != "argument" or forced is None:
        return not_found(f"the page /source/{slug}/{name}", slug.replace("-", " "))
    return serve(slug, forced)


def serve(slug: str, forced: Format | None) -> Response:
    started = time.perf_counter()
    if not SLUG.match(slug):
        return not_found(f"the source “{slug}”", slug.replace("-", " "))
    store = get_store()
    base = base_iri()
    doc_iri = f"{base}id/document/{slug}"
    text = stored_text(store, base, doc_iri)
    if text is None:
        return not_found(f"the source “{slug}” (<{doc_iri}>)", slug.replace("-", " "))
    fmt = forced or negotiate(request.headers.get("Accept"), OFFERED)
    amap = argument_map(store, base, doc_iri)
    local = f"/source/{slug}/argument"
    if fmt is HTML:
        response = Response(render(slug, doc_iri, amap, local), mimetype="text/html")
        response.vary.add("Accept-Language")
    else:
        quads = argument_quads(store, base, amap)
        if len(quads) > current_app.config["MAX_ROWS"]:
            raise TooLarge(
                f"the argument of {slug} holds more than {current_app.config['MAX_ROWS']} "
                "quads: ask the SPARQL endpoint for it, or fetch the dumps at /dumps/"
            )
        response = rdf_response(quads, fmt, prefixes=prefixes(base))
    response.headers["Content-Location"] = f"{local}.{fmt.suffix}"
    response.headers["Link"] = link_header(local)
    if forced:
        response.vary.discard("Accept")
    else:
        response.vary.add("Accept")
    return server_timing(response, started)


def render(slug: str, doc_iri: str, amap: ArgumentMap, local: str) -> str:
    store = get_store()
    view = viewer()
    info = source_info(store, base_iri(), view, doc_iri)

    def url_of(p: Provenance) -> str | None:
        return p.reader_url or p.url

    used_verbs = [r.css for r in RELATIONS if any(e.relation == r for e in amap.edges)]
    svg = (
        argument_svg(amap, f"Argument map of {info.title}", url_of, used_verbs)
        if amap.nodes
        else None
    )
    kinds = [k for k in KIND_LIST if any(p.kind == k.name for p in amap.nodes)]
    return render_template(
        "pages/argument.html",
        info=info,
        amap=amap,
        svg=svg,
        bands=layers(amap),
        kinds=kinds,
        relations=[r for r in RELATIONS if r.css in used_verbs],
        url_of=url_of,
        alternates=alternates(local),
        downloads=[(f"{local}.{f.suffix}", f.media_type, FORMAT_WORDS[f.name]) for f in DOWNLOADS],
    )
