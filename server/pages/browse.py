"""The home page (the dataset at a glance) and ``/class/<Term>``: a paged index per class.

Counts and class member lists are computed once per store version; a class ``Term`` is an
``sg:`` term name (``State``), a CURIE (``prov:Agent``) or a full IRI.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlencode

import pyoxigraph as ox
from flask import Response, render_template, request

from kg.paths import data_dir
from kg.store import Store
from server.describe import KINDS, TYPE_RANK, local_url
from server.diagram import neighbourhood_svg
from server.labels import (
    RDF_TYPE,
    SKOS,
    cache_for,
    curie,
    expand,
    label,
    labels_of,
    patterns,
)
from server.pages import bp
from server.pages.common import accepted_languages, base_iri, not_found, viewer
from server.pages.search import normalize
from server.store import get_store

CLASS_PAGE_SIZE = 50


def members(store: Store, class_iri: str) -> list[str]:
    """Instances of a class (in any graph), sorted by their English label; cached."""

    def compute() -> list[str]:
        reader = patterns(store)
        found = {
            q.subject.value
            for q in reader.quads_for_pattern(None, RDF_TYPE, ox.NamedNode(class_iri), None)
            if isinstance(q.subject, ox.NamedNode)
        }
        return sorted(found, key=lambda iri: (normalize(label(store, iri)[0]), iri))

    return cache_for(store, "members").get(store, class_iri, compute)


@bp.get("/class/<path:term>")
@bp.get("/browse/<path:term>")
def class_index(term: str) -> Response:
    store = get_store()
    base = base_iri()
    class_iri = expand(term, base)
    if class_iri is None:
        return not_found(f"the class {term!r}", term)
    instances = members(store, class_iri)
    if not instances and not labels_of(store, class_iri):
        return not_found(f"the class <{class_iri}>", term.rsplit(":", 1)[-1])
    try:
        page = max(1, int(request.args.get("page", "1")))
    except ValueError:
        page = 1
    pages = max(1, -(-len(instances) // CLASS_PAGE_SIZE))
    page = min(page, pages)
    accepted = accepted_languages()
    view = viewer()
    rows = [
        view.iri_term(iri)
        for iri in instances[(page - 1) * CLASS_PAGE_SIZE : page * CLASS_PAGE_SIZE]
    ]
    definition = None
    for q in patterns(store).quads_for_pattern(
        ox.NamedNode(class_iri), ox.NamedNode(SKOS + "definition"), None, None
    ):
        definition = q.object.value
        break
    name = curie(class_iri, base) or class_iri
    response = Response(
        render_template(
            "pages/class.html",
            class_iri=class_iri,
            class_label=label(store, class_iri, accepted)[0],
            class_url=local_url(class_iri, base),
            definition=definition,
            name=name,
            rows=rows,
            total=len(instances),
            page=page,
            pages=pages,
            page_url=lambda n: f"/class/{quote(term)}?" + urlencode({"page": n}),
            offset=(page - 1) * CLASS_PAGE_SIZE,
        ),
        mimetype="text/html",
    )
    response.vary.add("Accept-Language")
    return response


@dataclass
class Overview:
    classes: list[tuple[str, str, int]]  # (class term for /class/, label, count)
    kinds: list[tuple[str, str, str, int]]  # (local name, css class, words, count)
    assertions: int
    graphs: int
    documents: list[tuple[str, str]]  # (reader URL, title)
    coalition: str | None


def overview(store: Store, base: str) -> Overview:
    def compute() -> Overview:
        reader = patterns(store)
        classes = []
        for name in TYPE_RANK:
            count = len(members(store, f"{base}ontology/{name}"))
            if count:
                classes.append((name, label(store, f"{base}ontology/{name}")[0], count))
        kind_counts = []
        total = 0
        for name, css, words in KINDS:
            count = sum(
                1
                for _ in reader.quads_for_pattern(
                    None,
                    ox.NamedNode(f"{base}ontology/kind"),
                    ox.NamedNode(f"{base}ontology/{name}"),
                    None,
                )
            )
            total += count
            kind_counts.append((name, css, words, count))
        docs = []
        for name in ("SourceDocument", "OpinionArticle"):
            for iri in members(store, f"{base}ontology/{name}"):
                slug = iri.rsplit("/", 1)[-1]
                entry = (f"/source/{slug}", label(store, iri)[0])
                if entry not in docs:
                    docs.append(entry)
        coalitions = members(store, f"{base}ontology/Coalition")
        graphs = sum(1 for _ in reader.named_graphs()) if hasattr(reader, "named_graphs") else 0
        return Overview(
            classes, kind_counts, total, graphs, docs, coalitions[0] if coalitions else None
        )

    return cache_for(store, "overview").get(store, "overview", compute)


def example_questions(folder: Path | None = None) -> list[tuple[str, str]]:
    """``(title, /sparql?query=… URL)`` for each ``kg/data/queries/*.rq`` with a title."""
    folder = folder or data_dir() / "queries"
    found = []
    for path in sorted(folder.glob("*.rq")) if folder.is_dir() else []:
        text = path.read_text("utf-8")
        match = re.search(r"^#\s*title:\s*(.+)$", text, re.MULTILINE)
        title = match.group(1).strip() if match else path.stem.replace("-", " ").capitalize()
        found.append((title, "/sparql?" + urlencode({"query": text})))
    return found


@bp.get("/")
def home() -> Response:
    from server.pages.resources import neighbourhood  # noqa: PLC0415

    store = get_store()
    base = base_iri()
    info = overview(store, base)
    diagram = None
    if info.coalition:
        view = viewer().entity(info.coalition)
        edges = neighbourhood(view)
        if edges:
            diagram = neighbourhood_svg(view.label, edges, title=f"The coalition: {view.label}")
        coalition = (view.label, local_url(info.coalition, base) or info.coalition)
    else:
        coalition = None
    response = Response(
        render_template(
            "pages/home.html",
            info=info,
            diagram=diagram,
            coalition=coalition,
            questions=example_questions(),
        ),
        mimetype="text/html",
    )
    response.vary.add("Accept-Language")
    return response
