"""/store: the SPARQL 1.1 Graph Store HTTP Protocol, indirect identification only.

``?graph=IRI`` names a named graph; ``?default`` names the store's *real* default graph.
Note the difference from queries: the SPARQL default graph of a query on /sparql is the
union of all named graphs (DESIGN.md), but GSP ``?default`` reads and writes only the triples
stored in no named graph (the curated data lives in named graphs, so it is usually empty).

Status codes follow the W3C GSP tests: GET/HEAD 200 or 404 for a missing graph; PUT 201 when
it creates the graph, 204 when it replaces one; POST 201 when it creates, 204 when it merges;
POST to /store itself creates a new graph ``{base}graph/store/{uuid}`` and answers 201 with
``Location`` (``mf:POSTGraphCreation``) — or, with a TriG/N-Quads body, merges those quads
into the dataset (204); DELETE 204, or 404 for a missing graph. Reads are public; writes need
the bearer token (server/auth.py). Each write is one atomic store generation.

Bodies are untrusted: they are parsed by :func:`kg.rdfio.parse_bytes` (nothing is fetched:
no remote JSON-LD contexts, no RDF/XML external entities); parse errors are 400 with
line:column, an unknown ``Content-Type`` 415, a body over ``MAX_CONTENT_LENGTH`` 413.
Blank nodes in a body are renamed so they never merge with blank nodes already stored.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pyoxigraph as ox
from flask import Response, current_app, request, url_for

from kg.errors import KGError, ParseError, QueryError, storage_error
from kg.rdfio import QuadTerm, parse_bytes
from kg.store import Store
from server.auth import requires_token
from server.negotiation import GRAPH_FORMATS, negotiate
from server.rdfresponse import rdf_response
from server.sparql import bp
from server.sparql.ui import prefixes
from server.store import get_store

#: what a body may be written in (text/plain and application/json are N-Triples, JSON-LD)
BODY_FORMATS: frozenset[ox.RdfFormat] = frozenset(f.rdf for f in GRAPH_FORMATS if f.rdf)


#: datatypes Turtle writes without a prefix (plain strings, numbers, booleans, language tags)
_NATIVE_TYPES = frozenset(
    f"http://www.w3.org/{ns}#{name}"
    for ns, name in (
        ("2001/XMLSchema", "string"),
        ("2001/XMLSchema", "integer"),
        ("2001/XMLSchema", "decimal"),
        ("2001/XMLSchema", "double"),
        ("2001/XMLSchema", "boolean"),
        ("1999/02/22-rdf-syntax-ns", "langString"),
    )
)


class UnsupportedMediaType(KGError):
    status = 415


@dataclass(frozen=True)
class Target:
    """What a request addresses: a named graph, the default graph, or the whole store."""

    graph: ox.NamedNode | ox.DefaultGraph | None  # None: the graph store itself

    @property
    def is_named(self) -> bool:
        return isinstance(self.graph, ox.NamedNode)

    @property
    def label(self) -> str:
        return f"<{self.graph.value}>" if isinstance(self.graph, ox.NamedNode) else "default"


def request_target() -> Target:
    """``?graph=`` / ``?default`` → :class:`Target`; both, repeated or invalid → 400."""
    graphs = request.args.getlist("graph")
    default = "default" in request.args
    if graphs and default:
        raise QueryError("give either graph= or default, not both")
    if len(graphs) > 1:
        raise QueryError("give one graph= parameter, not several")
    if default:
        return Target(ox.DefaultGraph())
    if graphs:
        try:
            return Target(ox.NamedNode(graphs[0]))
        except ValueError as exc:
            raise QueryError(f"graph={graphs[0]!r} is not an absolute IRI: {exc}") from exc
    return Target(None)


def body_quads(target: Target) -> list[ox.Quad]:
    """Parse the request body into quads (fresh blank nodes), placed into ``target``."""
    fmt = ox.RdfFormat.from_media_type(request.mimetype) if request.mimetype else None
    if fmt not in BODY_FORMATS:
        supported = ", ".join(f.media_type for f in GRAPH_FORMATS)
        raise UnsupportedMediaType(
            f"unsupported Content-Type {request.mimetype or '(none)'!r}; send one of {supported}"
        )
    assert fmt is not None
    base = target.graph.value if isinstance(target.graph, ox.NamedNode) else None
    quads = parse_bytes(
        request.get_data(),
        fmt,
        source="request body",
        base_iri=base or current_app.config["BASE_IRI"],
    )
    fresh: dict[str, ox.BlankNode] = {}

    def rename(term: QuadTerm) -> QuadTerm:
        if isinstance(term, ox.BlankNode):
            return fresh.setdefault(term.value, ox.BlankNode())
        return term

    out: list[ox.Quad] = []
    for quad in quads:
        graph = quad.graph_name
        if target.graph is not None:
            if not isinstance(graph, ox.DefaultGraph):
                raise ParseError(
                    f"the body names graph {graph}; to write several graphs at once, POST "
                    "TriG or N-Quads to /store without graph= or default",
                    source="request body",
                )
            graph = target.graph
        out.append(
            ox.Quad(rename(quad.subject), quad.predicate, rename(quad.object), rename(graph))
        )
    return out


def used_prefixes(triples: list[ox.Triple]) -> dict[str, str]:
    """The UI's prefixes that some IRI in ``triples`` starts with (tidy Turtle/TriG)."""
    candidates = prefixes(current_app.config["BASE_IRI"])
    iris = {
        term.value
        for t in triples
        for term in (t.subject, t.predicate, t.object)
        if isinstance(term, ox.NamedNode)
    }
    iris |= {
        t.object.datatype.value
        for t in triples
        if isinstance(t.object, ox.Literal) and t.object.datatype.value not in _NATIVE_TYPES
    }
    return {name: ns for name, ns in candidates.items() if any(i.startswith(ns) for i in iris)}


@contextlib.contextmanager
def _writing() -> Iterator[Store]:
    """The store, for one write; a full disk or a storage failure is a 503 that says so
    (kg.errors.storage_error), never a 500 with a traceback; nothing is published then."""
    try:
        yield get_store()
    except (OSError, RuntimeError) as exc:
        raise storage_error(exc) from exc


def _graph_name(target: Target) -> str | None:
    return target.graph.value if isinstance(target.graph, ox.NamedNode) else None


def _require_graph(target: Target) -> None:
    if target.graph is None:
        raise QueryError("name the graph: add ?graph=IRI or ?default to /store")


# --- reads ---------------------------------------------------------------------------------


@bp.get("/store")
def gsp_get() -> Response:
    """GET (and HEAD, which Flask answers from GET without the body)."""
    target = request_target()
    _require_graph(target)
    fmt = negotiate(
        request.headers.get("Accept"), GRAPH_FORMATS, format_param=request.args.get("format")
    )
    triples = get_store().read_graph(_graph_name(target))  # NotFound for a missing graph
    return rdf_response(triples, fmt, prefixes=used_prefixes(triples))


# --- writes --------------------------------------------------------------------------------


@bp.put("/store")
@requires_token
def gsp_put() -> Response:
    """Replace the graph's content; 201 when the graph is new, 204 when it existed."""
    target = request_target()
    _require_graph(target)
    quads = body_quads(target)
    with _writing() as store:
        created = store.replace_graph(_graph_name(target), quads)
    return Response(status=201 if created else 204)


def _merge(target: Target, quads: list[ox.Quad]) -> bool:
    """Add ``quads`` to the target graph in one write; True when the graph was created."""
    with _writing() as store:
        return store.add_to_graph(_graph_name(target), quads)


def _post_dataset() -> Response:
    """TriG/N-Quads POSTed to /store itself: the quads keep their graphs (204)."""
    quads = body_quads(Target(None))
    with _writing() as store:
        store.write_dataset(quads, replace=())
    return Response(status=204)


@bp.post("/store")
@requires_token
def gsp_post() -> Response:
    """Merge into a graph (201 if created, else 204); to /store itself: create a graph."""
    target = request_target()
    if target.graph is not None:
        created = _merge(target, body_quads(target))
        return Response(status=201 if created else 204)
    fmt = ox.RdfFormat.from_media_type(request.mimetype) if request.mimetype else None
    if fmt is not None and fmt.supports_datasets:
        return _post_dataset()
    iri = f"{current_app.config['BASE_IRI']}graph/store/{uuid.uuid4()}"
    target = Target(ox.NamedNode(iri))
    _merge(target, body_quads(target))
    response = Response(f"{iri}\n", status=201, mimetype="text/plain")
    response.headers["Location"] = url_for("sparql.gsp_get", graph=iri, _external=True)
    return response


@bp.delete("/store")
@requires_token
def gsp_delete() -> Response:
    """Delete a named graph (204; 404 when missing) or empty the default graph (204)."""
    target = request_target()
    _require_graph(target)
    with _writing() as store:
        store.drop_graph(_graph_name(target))  # NotFound for a missing graph
    return Response(status=204)
