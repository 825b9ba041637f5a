"""``/source/``: the source documents with their metadata — title, type, authors or parties,
publisher, date, URL, licence, language, SHA-256 of the stored text, how the text was
obtained —, their claims counted by kind and how much of their text the claims cover.

HTML for people; ``Accept: application/json`` gives the same as JSON. Each source links to its
annotated reader (``/source/{slug}``), its argument map and its RDF description.
"""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify, render_template, request

from server.describe.sources import SourceInfo, document_iris, source_info
from server.pages import bp
from server.pages.common import base_iri, viewer
from server.store import get_store


def _json(info: SourceInfo) -> dict[str, Any]:
    return {
        "iri": info.iri,
        "slug": info.slug,
        "title": info.title,
        "type": info.type_words,
        "authors": [t.value for t in info.authors],
        "parties": [t.value for t in info.parties],
        "publisher": info.publisher.value if info.publisher else None,
        "date": info.date or None,
        "url": info.url or None,
        "licence": info.licence.value if info.licence else None,
        "language": info.language or None,
        "sha256": info.sha256 or None,
        "obtained": info.obtained or None,
        "claims": info.claims,
        "claims_by_kind": {k.name: n for k, n in info.counts},
        "sentences": info.sentences,
        "sentences_quoted": info.covered,
        "reader": f"/source/{info.slug}",
        "argument": f"/source/{info.slug}/argument",
    }


@bp.get("/source/")
def sources() -> Response:
    store = get_store()
    base = base_iri()
    view = viewer()
    infos = [source_info(store, base, view, iri) for iri in document_iris(store, base)]
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    if best == "application/json":
        response = jsonify({"sources": [_json(i) for i in infos]})
    else:
        response = Response(
            render_template("pages/sources.html", sources=infos), mimetype="text/html"
        )
        response.vary.add("Accept-Language")
    response.vary.add("Accept")
    return response
