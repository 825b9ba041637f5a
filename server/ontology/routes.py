"""Views of the ontology blueprint. Each answers HTML for browsers and RDF by conneg."""

from __future__ import annotations

import rdflib
from flask import Response

from kg.errors import NotFound
from server.negotiation import Format
from server.ontology import bp
from server.ontology.graphs import (
    all_triples,
    cached,
    concise_description,
    instance_counts,
    ontology_graph,
    shapes_graph,
    usage_counts,
)
from server.ontology.shapes import Shape, build_shapes
from server.ontology.terms import KINDS, OntologyDoc, build_doc, namespaces_used, shapes_by_target
from server.ontology.web import (
    base_iri,
    choose_format,
    curie,
    document_response,
    prefixes,
    split_suffix,
)
from server.store import get_store


def _doc() -> OntologyDoc:
    store, base = get_store(), base_iri()
    return cached(
        store, "ontology-doc", base, lambda: build_doc(ontology_graph(store, base), base, curie)
    )


def _shapes() -> dict[str, Shape]:
    store, base = get_store(), base_iri()
    return cached(
        store, "shapes-doc", base, lambda: build_shapes(shapes_graph(store, base), base, curie)
    )


def _shapes_index() -> dict[str, set[str]]:
    store, base = get_store(), base_iri()
    return cached(store, "shapes-index", base, lambda: shapes_by_target(shapes_graph(store, base)))


def _forced_format(suffix: str | None, what: str) -> Format | None:
    """The format a ``.ttl``/``.rdf``/… suffix forces (None: negotiate); 404 if unknown."""
    if suffix is None:
        return None
    _, forced = split_suffix(f"x.{suffix}")
    if forced is None:
        raise NotFound(f"no {what} serialization with suffix .{suffix}")
    return forced


@bp.get("/ontology")
@bp.get("/ontology.<suffix>")
def ontology(suffix: str | None = None) -> Response:
    """The ontology: pyLODE-style documentation, or the OWL graph as RDF."""
    fmt = choose_format(_forced_format(suffix, "ontology"))
    store, base = get_store(), base_iri()
    graph = ontology_graph(store, base)
    if len(graph) == 0:
        raise NotFound("the store holds no ontology graph: run `kg build`")
    doc = _doc()
    sections = [(kind, title, doc.by_kind(kind)) for kind, title in KINDS]
    return document_response(
        all_triples(graph),
        fmt,
        path="/ontology",
        template="ontology/index.html",
        embed=concise_description(graph, rdflib.URIRef(f"{base}ontology")),
        doc=doc,
        sections=[s for s in sections if s[2]],
        namespaces=namespaces_used(graph, prefixes()),
        counts=instance_counts(store, base),
        usage=usage_counts(store, base),
        shapes_for=_shapes_index(),
        base=base,
    )


@bp.get("/ontology/<path:name>")
def term(name: str) -> Response:
    """One term: its description, neighbours, alignments, shapes and instance count."""
    name, forced = split_suffix(name)
    fmt = choose_format(forced)
    store, base = get_store(), base_iri()
    doc = _doc()
    found = doc.term(name)
    graph = ontology_graph(store, base)
    if found is None:
        node = rdflib.URIRef(f"{base}ontology/{name}")
        if (node, None, None) not in graph:
            raise NotFound(f"no term sg:{name} in the ontology {base}ontology")
        triples = concise_description(graph, node)
        return document_response(
            triples,
            fmt,
            path=f"/ontology/{name}",
            template="ontology/module.html",
            doc=doc,
            iri=str(node),
            rows=[(t.predicate.value, t.object) for t in triples],
        )
    shape_iris = sorted(_shapes_index().get(found.iri, set()))
    return document_response(
        concise_description(graph, rdflib.URIRef(found.iri)),
        fmt,
        path=f"/ontology/{name}",
        template="ontology/term.html",
        doc=doc,
        term=found,
        shape_iris=shape_iris,
        count=instance_counts(store, base).get(found.iri, 0),
        usage=usage_counts(store, base).get(found.iri, 0),
        base=base,
    )


@bp.get("/shapes")
@bp.get("/shapes.<suffix>")
def shapes(suffix: str | None = None) -> Response:
    """All shapes: targets and property constraints; the shapes graph as RDF."""
    fmt = choose_format(_forced_format(suffix, "shapes"))
    store, base = get_store(), base_iri()
    graph = shapes_graph(store, base)
    return document_response(
        all_triples(graph),
        fmt,
        path="/shapes",
        template="ontology/shapes.html",
        shapes=sorted(_shapes().values(), key=lambda s: s.name.lower()),
        doc=_doc(),
    )


@bp.get("/shapes/<path:name>")
def shape(name: str) -> Response:
    """One shape, with its SHACL-SPARQL text; its description as RDF."""
    name, forced = split_suffix(name)
    fmt = choose_format(forced)
    found = _shapes().get(name)
    if found is None:
        raise NotFound(f"no shape {name!r} in {base_iri()}shapes/")
    graph = shapes_graph(get_store(), base_iri())
    return document_response(
        concise_description(graph, rdflib.URIRef(found.iri)),
        fmt,
        path=f"/shapes/{name}",
        template="ontology/shape.html",
        shape=found,
        doc=_doc(),
    )
