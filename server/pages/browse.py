"""The home page (the dataset at a glance), ``/class/<Term>``: a paged index per class, and
``/browse``: faceted browsing with counts (:mod:`server.pages.facets`).

``/browse?kind=sg:Prediction&actor=…&page=2``: facet values are IRIs, CURIEs or ``sg:`` names,
repeated or comma-separated; HTML for people (a form of fieldsets, one per facet, each value a
checkbox with its count), ``Accept: application/json`` (or ``format=json``) gets
``{"total", "facets": {name: [{"value", "label", "count"}]}, "results", "page", "size",
"chosen"}``. An unknown parameter, a value that is not an IRI, or a bad page is a 400.

Facet counts, totals and pages come from the facet index of the store's version
(:mod:`kg.indexes.facets`: no SPARQL per request, any combination in milliseconds); class member
lists are computed once per store version; a class ``Term`` is an ``sg:`` term name
(``State``), a CURIE (``prov:Agent``) or a full IRI.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import pyoxigraph as ox
from flask import Response, jsonify, render_template, request

from kg.errors import KGError
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
from server.pages.common import (
    accepted_languages,
    base_iri,
    not_found,
    server_timing,
    viewer,
)
from server.pages.facets import FACETS, FACETS_BY_NAME, FacetQuery
from server.pages.search import normalize
from server.store import get_store

CLASS_PAGE_SIZE = 50


class BadParameter(KGError):
    """A /browse parameter that cannot be used (400, naming it)."""

    status = 400


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


# --- /browse: faceted browsing (see server/pages/facets.py) ----------------------------------

BROWSE_PAGE_SIZE = 20
BROWSE_MAX_PAGE_SIZE = 100


def _browse_int(name: str, default: int, high: int) -> int:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise BadParameter(f"{name}={raw[:40]!r}: must be a whole number") from None
    if value < 1 or value > high:
        raise BadParameter(f"{name}={value}: must be between 1 and {high}")
    return value


def _chosen(base: str) -> dict[str, list[str]]:
    """The facet values in the query string, as IRIs (CURIEs and sg: names expanded)."""
    known = {*FACETS_BY_NAME, "page", "size", "format"}
    unknown = sorted(set(request.args) - known)
    if unknown:
        raise BadParameter(
            f"unknown parameter {unknown[0]!r}; facets are: {', '.join(FACETS_BY_NAME)}"
        )
    chosen: dict[str, list[str]] = {}
    for name in FACETS_BY_NAME:
        values = []
        for raw in request.args.getlist(name):
            for piece in raw.split(","):
                text = piece.strip()
                if not text:
                    continue
                iri = expand(text, base)
                if iri is None or not re.fullmatch(r"https?://[^\s<>\"{}|\\^`]+", iri):
                    raise BadParameter(f"{name}={text[:80]!r} is not an IRI or a known CURIE")
                if iri not in values:
                    values.append(iri)
        if len(values) > 20:
            raise BadParameter(f"{name}: at most 20 values may be chosen")
        if values:
            chosen[name] = values
    return chosen


@dataclass
class BrowseRow:
    iri: str
    label: str
    lang: str
    url: str
    types: list[str]
    type_label: str
    prov: Any  # server.describe.Provenance for an assertion, else None
    kind_iri: str = ""


@bp.get("/browse")
def browse() -> Response:
    from server.describe import provenance  # noqa: PLC0415
    from server.pages.search import kind_badge  # noqa: PLC0415

    started = time.perf_counter()
    store = get_store()
    base = base_iri()
    chosen = _chosen(base)
    size = _browse_int("size", BROWSE_PAGE_SIZE, BROWSE_MAX_PAGE_SIZE)
    page = _browse_int("page", 1, 100_000)
    accepted = accepted_languages()
    query = FacetQuery(store, base, chosen)
    total = query.total()
    pages = max(1, -(-total // size))
    facets = []
    for facet in FACETS:
        counts = query.counts(facet)
        present = {c.value for c in counts}
        selected = chosen.get(facet.name, [])
        values = [
            {
                "value": c.value,
                "label": label(store, c.value, accepted)[0],
                "count": c.count,
                "selected": c.value in selected,
            }
            for c in counts
        ] + [
            {"value": v, "label": label(store, v, accepted)[0], "count": 0, "selected": True}
            for v in selected
            if v not in present
        ]
        values.sort(key=lambda v: not v["selected"])  # the chosen values first (stable)
        facets.append((facet, values))
    rows = []
    for iri in query.page((page - 1) * size, size):
        shown, lang = label(store, iri, accepted)
        prov = provenance(store, iri, base)  # None unless an assertion
        types = _types_of(store, iri, base)
        if prov is not None and prov.kind and prov.kind_class in ("", "unknown"):
            css, words = kind_badge(prov.kind)
            prov = replace(prov, kind_class=css, kind_words=words)
        rows.append(
            BrowseRow(
                iri=iri,
                label=prov.slug if prov is not None else shown,
                lang=lang,
                url=(prov.url if prov is not None else None) or local_url(iri, base) or iri,
                types=types,
                type_label=label(store, types[0], accepted)[0] if types else "",
                prov=prov,
                kind_iri=f"{base}ontology/{prov.kind}" if prov is not None and prov.kind else "",
            )
        )

    def page_url(number: int) -> str:
        params: list[tuple[str, str | int]] = [
            (name, v) for name, values in chosen.items() for v in values
        ]
        if size != BROWSE_PAGE_SIZE:
            params.append(("size", size))
        params.append(("page", number))
        return "/browse?" + urlencode(params)

    wants = request.accept_mimetypes.best_match(["text/html", "application/json"])
    if wants == "application/json" or request.args.get("format") == "json":
        response = jsonify(
            {
                "total": total,
                "facets": {
                    facet.name: [{k: v[k] for k in ("value", "label", "count")} for v in values]
                    for facet, values in facets
                },
                "results": [_row_json(r) for r in rows],
                "page": page,
                "size": size,
                "chosen": chosen,
            }
        )
        if page < pages:
            response.headers["Link"] = f'<{page_url(page + 1)}>; rel="next"'
    else:
        response = Response(
            render_template(
                "pages/browse.html",
                facets=facets,
                rows=rows,
                total=total,
                page=page,
                pages=pages,
                page_url=page_url,
                offset=(page - 1) * size,
                chosen=chosen,
                size=size,
                clear_url=lambda name, value: (
                    "/browse?"
                    + urlencode(
                        [(n, v) for n, vs in chosen.items() for v in vs if (n, v) != (name, value)]
                    )
                ),
            ),
            mimetype="text/html",
        )
    response.vary.add("Accept")
    response.vary.add("Accept-Language")
    return server_timing(response, started)


def _types_of(store: Store, iri: str, base: str) -> list[str]:
    def compute() -> list[str]:
        found = {
            q.object.value
            for q in patterns(store).quads_for_pattern(ox.NamedNode(iri), RDF_TYPE, None, None)
            if isinstance(q.object, ox.NamedNode) and q.object.value.startswith(f"{base}ontology/")
        }
        return sorted(found, key=lambda t: (TYPE_RANK.get(t.rsplit("/", 1)[-1], 99), t))

    return cache_for(store, "browse-types").get(store, iri, compute)


def _row_json(row: BrowseRow) -> dict[str, Any]:
    data: dict[str, Any] = {
        "iri": row.iri,
        "label": row.label,
        "url": row.url,
        "types": row.types,
    }
    if row.prov is not None:
        data["kind"] = row.kind_iri
        data["quote"] = row.prov.exact
        data["source"] = row.prov.source
    return data
