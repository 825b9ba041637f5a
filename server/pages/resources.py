"""Every IRI under the base dereferences: ``/id/…`` and ``/graph/…``.

The Cool-URI rule, applied to every resource the same way (see docs/linked-data.md):

* ``GET /id/country/france`` answers **200** on the same URL, by content negotiation:
  HTML for browsers, Turtle, N-Triples, RDF/XML, JSON-LD, TriG or N-Quads for machines
  (``Accept`` with q-values). The response carries ``Vary: Accept`` (HTML also varies on
  ``Accept-Language``, which picks the labels) and ``Content-Location`` naming the document
  it sent, e.g. ``/id/country/france.ttl``. No 303: one request, and the canonical IRI
  ``{BASE_IRI}id/country/france`` stays the subject of every triple.
* ``GET /id/country/france.ttl`` (``.nt .rdf .jsonld .trig .nq .html``) returns that
  document whatever ``Accept`` says.
* Every response lists the other documents in ``Link: <…>; rel="alternate"; type="…"``.
* An unknown IRI is a 404 that offers search (HTML form, or JSON/text by ``Accept``); a path
  with ``.``/``..`` segments or characters no IRI path holds is an unknown IRI;
  an ``Accept`` no format satisfies is a 406 listing the supported media types.

The RDF document holds every quad with the IRI as subject (in its graph; triple formats
flatten), the blank nodes it reaches, the whole named graph when the IRI names one, and
``<iri> void:inDataset <{BASE_IRI}void>``.
"""

from __future__ import annotations

import re
import time

from flask import Response, current_app, render_template, request

from server.describe import EntityView, Statement, exists, resource_quads, schema_jsonld
from server.diagram import ACTOR_PROPERTIES, Edge, neighbourhood_svg
from server.labels import local_name, prefixes
from server.negotiation import BY_SUFFIX, HTML, Format, negotiate
from server.pages import bp
from server.pages.common import (
    DOWNLOADS,
    FORMAT_WORDS,
    JSONLD_ANY,
    OFFERED,
    alternates,
    base_iri,
    jsonld_script,
    link_header,
    not_found,
    server_timing,
    viewer,
)
from server.rdfresponse import rdf_response
from server.store import get_store

#: characters an IRI path segment may hold here (RFC 3987 iunreserved minus non-ASCII, and
#: sub-delims); anything else cannot be one of our IRIs
_SEGMENT = re.compile(r"^[A-Za-z0-9._~!$&'()*+,;=:@-]+$")


def split_suffix(rest: str) -> tuple[str, Format | None]:
    """``("country/france", TURTLE)`` for ``country/france.ttl``; no suffix → ``None``."""
    stem, dot, suffix = rest.rpartition(".")
    if dot and "/" not in suffix and suffix in BY_SUFFIX and stem:
        fmt = BY_SUFFIX[suffix]
        return stem, (JSONLD_ANY if fmt.name == "jsonld" else fmt)
    return rest, None


def safe_path(path: str) -> bool:
    """False for traversal (``..``, ``.``, empty segments) and characters outside IRIs."""
    segments = path.split("/")
    return all(s not in ("", ".", "..") and _SEGMENT.match(s) for s in segments)


@bp.get("/id/<path:rest>")
def entity(rest: str) -> Response:
    return serve("id", rest)


@bp.get("/graph/<path:rest>")
def graph(rest: str) -> Response:
    return serve("graph", rest)


def serve(space: str, rest: str) -> Response:
    started = time.perf_counter()
    path, forced = split_suffix(rest)
    if not safe_path(path):
        return not_found("that address", path.rsplit("/", 1)[-1])
    base = base_iri()
    iri = f"{base}{space}/{path}"
    store = get_store()
    if not exists(store, iri):
        return not_found(f"<{iri}>", path.rsplit("/", 1)[-1].replace("-", " "))
    fmt = forced or negotiate(request.headers.get("Accept"), OFFERED)
    local = f"/{space}/{path}"
    if fmt is HTML:
        response = Response(render_page(iri, local), mimetype="text/html")
        response.vary.add("Accept-Language")
    else:
        quads = resource_quads(store, iri, base, max_quads=current_app.config["MAX_ROWS"])
        response = rdf_response(quads, fmt, prefixes=prefixes(base))
    response.headers["Content-Location"] = f"{local}.{fmt.suffix}"
    response.headers["Link"] = link_header(local)
    if forced:
        response.vary.discard("Accept")
    else:
        response.vary.add("Accept")
    return server_timing(response, started)


def _kinds(statement: Statement) -> tuple[tuple[str, str], ...]:
    """The badges of the assertions that make a statement, once per kind."""
    seen: dict[str, str] = {}
    for p in statement.provenance:
        seen.setdefault(p.kind_class, p.kind_words)
    return tuple(seen.items())


def neighbourhood(view: EntityView) -> list[Edge]:
    """The edges the diagram draws: links to other resources, not types or literals; each
    with the kinds of the assertions that make it."""
    base = base_iri()
    edges: list[Edge] = []
    for group in view.groups:
        local = local_name(group.prop.value)
        if local == "type":
            continue
        for st in group.statements:
            if st.value.kind == "iri":
                edges.append(
                    Edge(group.prop.label, local, st.value.label, st.value.url, True, _kinds(st))
                )
    for group in view.backlinks:
        local = local_name(group.prop.value)
        for st in group.statements:
            if st.value.kind == "iri" and not st.value.value.startswith(
                (f"{base}graph/", f"{base}np/")
            ):
                edges.append(
                    Edge(group.prop.label, local, st.value.label, st.value.url, False, _kinds(st))
                )
    edges.sort(key=lambda e: (e.prop_local not in ACTOR_PROPERTIES, e.outgoing, e.prop))
    return edges


def render_page(iri: str, local: str) -> str:
    pages = viewer()
    view = pages.entity(iri)
    edges = neighbourhood(view)
    diagram = neighbourhood_svg(view.label, edges) if edges else None
    origin = request.host_url.rstrip("/")
    data = schema_jsonld(
        view,
        origin + local,
        base=base_iri(),
        name_of=lambda other: pages.iri_term(other).label,
        origin=origin,
    )
    return render_template(
        "pages/entity.html",
        view=view,
        local=local,
        diagram=diagram,
        jsonld=jsonld_script(data),
        attributed=[pages.iri_term(a) for a in view.own_provenance.attributed]
        if view.own_provenance
        else [],
        alternates=alternates(local),
        downloads=[(f"{local}.{f.suffix}", f.media_type, FORMAT_WORDS[f.name]) for f in DOWNLOADS],
        dataset=f"{base_iri()}void",
    )
