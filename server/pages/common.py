"""What every page view shares: the request's languages, the viewer, 404s that offer search,
``Link`` headers for alternates, and embedding JSON-LD safely in HTML."""

from __future__ import annotations

import json
import time
from dataclasses import replace
from typing import Any
from urllib.parse import urlencode

from flask import Response, current_app, jsonify, render_template, request
from markupsafe import Markup

from server.describe import Viewer
from server.negotiation import HTML, JSONLD, NQUADS, NTRIPLES, RDFXML, TRIG, TURTLE, Format
from server.store import get_store

#: JSON-LD also answers plain ``application/json`` (the body is JSON-LD either way)
JSONLD_ANY = replace(JSONLD, aliases=(*JSONLD.aliases, "application/json"))
#: what a resource URL offers, HTML first (browsers send */*)
OFFERED: tuple[Format, ...] = (HTML, TURTLE, NTRIPLES, RDFXML, JSONLD_ANY, TRIG, NQUADS)
#: the RDF formats, in the order the download links list them
DOWNLOADS: tuple[Format, ...] = (TURTLE, NTRIPLES, RDFXML, JSONLD, TRIG, NQUADS)
FORMAT_WORDS = {
    "turtle": "Turtle",
    "ntriples": "N-Triples",
    "rdfxml": "RDF/XML",
    "jsonld": "JSON-LD",
    "trig": "TriG (with graph names)",
    "nquads": "N-Quads (with graph names)",
    "html": "HTML",
}


def server_timing(response: Response, started: float) -> Response:
    """``Server-Timing: app;dur=…`` (milliseconds in the view): what the benchmark reads."""
    response.headers["Server-Timing"] = f"app;dur={(time.perf_counter() - started) * 1000:.2f}"
    return response


def base_iri() -> str:
    return current_app.config["BASE_IRI"]


def accepted_languages() -> list[str]:
    """The reader's languages, best first, from ``Accept-Language``."""
    return [lang for lang, _q in request.accept_languages if lang and lang != "*"]


def viewer() -> Viewer:
    return Viewer(get_store(), base_iri(), accepted_languages())


def alternates(path: str) -> list[tuple[str, str, str]]:
    """``(href, media type, words)`` for every document of a resource at ``path``."""
    return [
        (f"{path}.{fmt.suffix}", fmt.media_type, FORMAT_WORDS[fmt.name])
        for fmt in (HTML, *DOWNLOADS)
    ]


def link_header(path: str) -> str:
    return ", ".join(
        f'<{href}>; rel="alternate"; type="{media}"' for href, media, _ in alternates(path)
    )


def jsonld_script(data: Any) -> Markup:
    """JSON for a ``<script type="application/ld+json">``: ``<``, ``>`` and ``&`` are
    escaped as ``\\u003c`` etc., so no label can close the script element."""
    text = json.dumps(data, ensure_ascii=False)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(text)  # noqa: S704 (escaped for the script context just above)


def not_found(what: str, query: str) -> Response:
    """404 for an unknown resource: a search form for people (pre-filled with the last
    segment), JSON or text for machines, by ``Accept``."""
    best = request.accept_mimetypes.best_match(
        ["text/html", "application/json", "application/ld+json", "text/plain"]
    )
    message = f"{what} is not in this dataset"
    search_url = "/search?" + urlencode({"q": query})
    if best == "text/html":
        from server.pages.search import search_labels  # noqa: PLC0415

        hits, _total = search_labels(get_store(), base_iri(), query, accepted_languages())
        body = render_template("pages/notfound.html", message=message, query=query, hits=hits[:8])
        response = Response(body, status=404, mimetype="text/html")
    elif best in ("application/json", "application/ld+json"):
        response = jsonify(
            {"status": 404, "error": "Not Found", "message": message, "search": search_url}
        )
        response.status_code = 404
    else:
        response = Response(
            f"404 Not Found: {message}\nsearch: {search_url}\n", status=404, mimetype="text/plain"
        )
    response.vary.add("Accept")
    return response
