"""The remote store: the store is any SPARQL 1.1 server (Oxigraph server, Fuseki, …).

The SPARQL default graph of this project is the union of the named graphs. Oxigraph server
offers that per request (the ``union-default-graph`` parameter; ``--union-default-graph`` at
start-up does the same for every query), so for the Oxigraph layouts (``union=param``) nothing
needs configuring. Any other server must be configured so that its default graph is the union
(Fuseki/TDB2: ``tdb2:unionDefaultGraph true``; GraphDB, Virtuoso: their equivalents) and is
used with ``union=server`` (the default for non-Oxigraph URLs). ``default-graph-uri`` /
``named-graph-uri`` are passed through when the caller gives them.

Answers come back as pyoxigraph objects (``QuerySolutions``, ``QueryBoolean``,
``QueryTriples``) parsed from SPARQL JSON and N-Triples, so callers cannot tell this store from
:class:`kg.store.EmbeddedStore`.

Writes. Every write we make bumps a version literal inside the same update request, so
:meth:`RemoteStore.version` (an ETag ingredient) changes after writes by any process that goes
through this class. The triple ``<urn:x-sgkg:store> <urn:x-sgkg:version> "…"`` lives in
Oxigraph's real default graph (no ``GRAPH ?g`` query sees it) or, on other servers, in the
named graph ``urn:x-sgkg:meta`` (a union-default-graph server such as Fuseki hides its real
default graph). Writes made behind our back (straight to the server) are not seen until one
of ours happens; the version is cached for one second.

The HTTP transport is :mod:`kg.store.transport`, bulk writes :mod:`kg.store.bulk`.
"""

from __future__ import annotations

import os
import threading
import time
import uuid
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg.errors import StoreError
from kg.rdfio import refuse_dtd
from kg.store.base import NoAcceptableFormat, Patterns, QueryAnswer, QueryJob, Store
from kg.store.bulk import CHUNK_BYTES, CHUNK_TRIPLES, STAGING_PREFIX, BulkLoading
from kg.store.formats import BY_NAME, RESULTS_BY_MEDIA
from kg.store.transport import (
    RESULTS_ACCEPT,
    HttpTransport,
    NotAcceptableAnswer,
    RawAnswer,
    _looks_boolean,
    _media,
    _parse_answer,
    check_row_cap,
)
from kg.useragent import requests_agent

META_GRAPH = "urn:x-sgkg:meta"
META_SUBJECT = "urn:x-sgkg:store"
META_VERSION = "urn:x-sgkg:version"
INTERNAL_PREFIXES = (META_GRAPH, STAGING_PREFIX)
DEFAULT_BASE_IRI = "https://w3id.org/sgkg/"


_INTERNAL_FILTER = '"urn:x-sgkg:"'
_ALL_QUADS = "SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }"


def _media_types(fmt: Any) -> tuple[str, ...]:
    return (fmt.media_type, *(a for a in fmt.aliases if "/" in a))


def _convert(raw: RawAnswer, fmt: Any, max_rows: int) -> bytes:
    from kg.store import results  # noqa: PLC0415

    parsed = _parse_answer(raw.content_type, raw.body)
    if raw.kind == "boolean":
        return results.serialize_boolean(parsed, fmt.results)
    if raw.kind == "solutions":
        return results.serialize_solutions(parsed, fmt.name, max_rows)
    return results.serialize_triples(parsed, fmt.rdf, max_rows)


def _as_ntriples(quads: Iterable[ox.Quad]) -> tuple[bytes, str]:
    """Quads as an N-Triples body (their graph names dropped; blank nodes kept)."""
    triples = [ox.Triple(q.subject, q.predicate, q.object) for q in quads]
    return ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b"", "application/n-triples"


class SparqlPatterns(Patterns):
    """``quads_for_pattern`` over SPARQL (slower than the embedded reader; same answers)."""

    def __init__(self, store: RemoteStore) -> None:
        self.store = store

    def quads_for_pattern(
        self, s: Any = None, p: Any = None, o: Any = None, g: Any = None
    ) -> Iterator[ox.Quad]:
        def term(value: Any, var: str) -> str:
            return str(value) if value is not None else var

        if isinstance(g, ox.DefaultGraph):
            where = f"{term(s, '?s')} {term(p, '?p')} {term(o, '?o')}"
            rows = self.store.query(f"SELECT * WHERE {{ {where} }}", union_default=False)
        else:
            query = (
                f"SELECT * WHERE {{ GRAPH {term(g, '?g')} "
                f"{{ {term(s, '?s')} {term(p, '?p')} {term(o, '?o')} }} }}"
            )
            rows = self.store.query(query)
        for row in rows:
            graph = g if g is not None else row["g"]
            if isinstance(graph, ox.NamedNode) and graph.value.startswith(INTERNAL_PREFIXES):
                continue
            yield ox.Quad(
                s if s is not None else row["s"],
                p if p is not None else row["p"],
                o if o is not None else row["o"],
                graph,
            )

    def contains_named_graph(self, g: ox.NamedNode) -> bool:
        return bool(self.store.query(f"ASK {{ GRAPH {g} {{ ?s ?p ?o }} }}"))


class RemoteStore(BulkLoading, HttpTransport, Store):
    """A :class:`kg.store.Store` backed by a SPARQL 1.1 server over HTTP."""

    kind = "remote"

    def __init__(
        self,
        url: str,
        *,
        timeout: float = 30.0,
        chunk_triples: int | None = None,
        chunk_bytes: int = CHUNK_BYTES,
        retries: int = 5,
        checkpoint_dir: str | os.PathLike[str] | None = None,
        base_iri: str = DEFAULT_BASE_IRI,
        user_agent: str | None = None,
    ) -> None:
        self._init_transport(url, timeout, user_agent or requests_agent())
        self.base_iri = base_iri
        self.chunk_triples = chunk_triples or CHUNK_TRIPLES
        # the raw N-Triples path cuts by bytes, and by lines only when asked to
        self.chunk_lines = chunk_triples
        self.chunk_bytes = chunk_bytes
        self.retries = retries
        self.checkpoint_dir = Path(checkpoint_dir or Path("var") / "load-checkpoints")
        self._version: tuple[float, str] | None = None
        self._version_lock = threading.Lock()

    def describe_location(self) -> str:
        return self.url

    # -- the query form ----------------------------------------------------------------
    def _prologue(self, sparql: str, base_iri: str | None) -> str:
        """The query text as sent (a server may need pragmas before it)."""
        return f"BASE <{base_iri}> {sparql}" if base_iri else sparql

    def _query_form(
        self,
        sparql: str,
        default_graph: list[str] | None,
        named_graphs: list[str] | None,
        base_iri: str | None,
        union_default: bool = True,
    ) -> list[tuple[str, str]]:
        """The query form. ``union_default=False`` (the query has its own FROM / FROM NAMED)
        leaves the dataset to the query: the union would override its FROM."""
        data = [("query", self._prologue(sparql, base_iri))]
        data += [("default-graph-uri", g) for g in default_graph or ()]
        data += [("named-graph-uri", g) for g in named_graphs or ()]
        if (
            union_default
            and not default_graph
            and not named_graphs
            and self.endpoints.union == "param"
        ):
            data.append(("union-default-graph", ""))
        return data

    # -- reading ---------------------------------------------------------------------
    def query(
        self,
        sparql: str,
        *,
        default_graph: list[str] | None = None,
        named_graphs: list[str] | None = None,
        base_iri: str | None = None,
        union_default: bool = True,
    ) -> Any:
        """Answer as pyoxigraph objects, parsed from SPARQL JSON or N-Triples."""
        data = self._query_form(sparql, default_graph, named_graphs, base_iri, union_default)
        _, content_type, body = self._post_query(data, self._results_accept(sparql))
        return _parse_answer(content_type, body)

    def _results_accept(self, sparql: str) -> str:
        """What :meth:`query` asks for (any form: the server picks by the query form)."""
        return RESULTS_ACCEPT

    def query_raw(
        self,
        sparql: str,
        accept: str,
        *,
        default_graph: list[str] | None = None,
        named_graphs: list[str] | None = None,
        base_iri: str | None = None,
        max_rows: int | None = None,
        union_default: bool = True,
        timeout: float | None = None,
        limit: float | None = None,
    ) -> RawAnswer:
        """The answer as the server serialized it, for a web front to send on unchanged.

        Parsing an answer and serializing it again only to pass it on is wasted work;
        ``accept`` names the formats wanted, one per family (for example
        ``"application/sparql-results+json, text/turtle;q=0.9"``: the server picks the one
        that fits the query form). ``max_rows`` is checked on the bytes
        (:func:`check_row_cap`: a C-speed bound, an exact count only above it) and raises
        :class:`ResultTooLarge` (422) above the cap. A server without any format of
        ``accept`` for this query form raises :class:`NotAcceptableAnswer` (406)."""
        data = self._query_form(sparql, default_graph, named_graphs, base_iri, union_default)
        _, content_type, body = self._post_query(data, accept, timeout, limit)
        if max_rows is None:
            media = _media(content_type)
            if media in RESULTS_BY_MEDIA:
                kind = "boolean" if _looks_boolean(body) else "solutions"
            else:
                kind = "graph"
        else:
            kind = check_row_cap(content_type, body, max_rows)
        return RawAnswer(content_type, body, kind)

    def answer(self, job: QueryJob, timeout: float, limit: float | None = None) -> QueryAnswer:
        """Ask the server for the negotiated format and pass its bytes on (the row cap is
        checked on the bytes; the server's HTTP timeout bounds the query)."""
        res = BY_NAME.get(job.result_format) if job.result_format else None
        gra = BY_NAME.get(job.graph_format) if job.graph_format else None
        accept = ", ".join(
            part
            for part in (res.media_type if res else "", f"{gra.media_type};q=0.9" if gra else "")
            if part
        )
        try:
            raw = self.query_raw(
                job.query,
                accept,
                default_graph=list(job.default_graph) if job.default_graph is not None else None,
                named_graphs=list(job.named_graphs) if job.named_graphs is not None else None,
                base_iri=job.base_iri,
                max_rows=job.max_rows,
                union_default=job.union_default,
                timeout=timeout,
                limit=limit,
            )
        except NotAcceptableAnswer:
            raise NoAcceptableFormat("graph" if res is not None else "solutions") from None
        fmt = gra if raw.kind == "graph" else res
        if fmt is None:
            raise NoAcceptableFormat(raw.kind)
        if raw.media_type in _media_types(fmt):
            return QueryAnswer(raw.kind, fmt.name, raw.body)
        # the server answered in another format than the one asked for: convert it
        return QueryAnswer(raw.kind, fmt.name, _convert(raw, fmt, job.max_rows))

    def patterns(self) -> Patterns:
        return SparqlPatterns(self)

    def count_quads(self) -> int:
        rows = self.select_values(
            "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } "
            f"FILTER(!STRSTARTS(STR(?g), {_INTERNAL_FILTER})) }}"
        )
        return int(rows[0][0].value) if rows and rows[0][0] is not None else 0

    def read_graph(self, graph: str | None) -> list[ox.Triple]:
        body, content_type = self.gsp_get(graph, accept="application/n-triples")
        media = _media(content_type)
        if "xml" in media:  # never let a DTD reach pyoxigraph's XML parsers (kg.rdfio)
            refuse_dtd(body, "remote store answer", StoreError)
        fmt = ox.RdfFormat.from_media_type(media) or ox.RdfFormat.N_TRIPLES
        return [
            ox.Triple(q.subject, q.predicate, q.object)
            for q in ox.parse(body, format=fmt, without_named_graphs=False)
        ]

    def dump(self, output: Any, fmt: ox.RdfFormat, **kwargs: Any) -> int:
        count = 0

        def quads() -> Iterator[ox.Quad]:
            nonlocal count
            for row in self.query(_ALL_QUADS):
                graph = row["g"]
                if isinstance(graph, ox.NamedNode) and graph.value.startswith(INTERNAL_PREFIXES):
                    continue
                count += 1
                yield ox.Quad(row["s"], row["p"], row["o"], graph)

        ox.serialize(quads(), output, fmt, **kwargs)
        return count

    def select_values(self, sparql: str) -> list[list[Any]]:
        """Rows of a SELECT as lists of terms (``None`` when unbound)."""
        solutions = self.query(sparql)
        names = [v.value for v in solutions.variables]
        return [[row[n] for n in names] for row in solutions]

    def exists(self) -> bool:
        """True when the server answers and holds data; raises StoreUnavailable when down."""
        return bool(self.query("ASK { ?s ?p ?o }"))

    def version(self) -> str:
        """The meta graph's version literal, cached for a second (cheap enough per request)."""
        now = time.monotonic()
        cached = self._version
        if cached is not None and now - cached[0] < 1.0:
            return cached[1]
        # one thread refreshes; the others go on with the value a second old meanwhile
        if cached is not None and not self._version_lock.acquire(blocking=False):
            return cached[1]
        if cached is None:
            self._version_lock.acquire()
        try:
            cached = self._version
            if cached is not None and time.monotonic() - cached[0] < 1.0:
                return cached[1]
            return self._fetch_version(cached)
        finally:
            self._version_lock.release()

    def _fetch_version(self, cached: tuple[float, str] | None) -> str:
        now = time.monotonic()
        rows = self.select_values(
            f"SELECT ?v WHERE {{ {self._meta(f'<{META_SUBJECT}> <{META_VERSION}> ?v')} }}"
        )
        value = f"remote-{rows[0][0].value}" if rows and rows[0][0] is not None else "remote-0"
        if self._version is cached:  # no write of ours cleared it meanwhile: keep it
            self._version = (now, value)
        return value

    def named_graphs(self) -> list[str]:
        rows = self.select_values("SELECT DISTINCT ?g WHERE { GRAPH ?g { } }")
        return sorted(
            r[0].value
            for r in rows
            if isinstance(r[0], ox.NamedNode) and not r[0].value.startswith(INTERNAL_PREFIXES)
        )

    def describe(self) -> str:
        return f"remote store {self.url} ({self.endpoints.flavour})"

    # -- writing ---------------------------------------------------------------------
    def _meta(self, pattern: str) -> str:
        """Where the version triple lives: Oxigraph's real default graph (outside every
        ``GRAPH ?g`` enumeration); elsewhere a named graph (a union-default-graph server
        such as Fuseki hides its real default graph)."""
        if self.endpoints.flavour == "oxigraph":
            return pattern
        return f"GRAPH <{META_GRAPH}> {{ {pattern} }}"

    def _bump(self) -> str:
        value = f'"{time.time_ns()}-{uuid.uuid4().hex[:8]}"'
        return (
            f"DELETE WHERE {{ {self._meta(f'<{META_SUBJECT}> <{META_VERSION}> ?v')} }} ;\n"
            f"INSERT DATA {{ {self._meta(f'<{META_SUBJECT}> <{META_VERSION}> {value}')} }}"
        )

    def _run_update(self, sparql: str, *, bump: bool = True) -> None:
        text = sparql.rstrip().rstrip(";")
        if bump:
            text = f"{text} ;\n{self._bump()}" if text.strip() else self._bump()
        self._check(
            self._send(
                "POST",
                self.endpoints.update,
                data=text.encode("utf-8"),
                headers={"Content-Type": "application/sparql-update; charset=utf-8"},
            ),
            "update",
        )
        self._version = None

    def update(self, sparql: str, *, base_iri: str | None = None) -> None:
        """SPARQL Update in one request (one transaction on Oxigraph), version bumped."""
        self._run_update(f"BASE <{base_iri}> {sparql}" if base_iri else sparql)

    # -- graphs ------------------------------------------------------------------------
    def replace_graph(self, graph: str | None, quads: Iterable[ox.Quad]) -> bool:
        return self.gsp_put(graph, *_as_ntriples(quads)) == 201

    def add_to_graph(self, graph: str | None, quads: Iterable[ox.Quad]) -> bool:
        return self.gsp_post(graph, *_as_ntriples(quads)) == 201

    def drop_graph(self, graph: str | None) -> None:
        self.gsp_delete(graph)

    # -- Graph Store Protocol ----------------------------------------------------------
    def _gsp_url(self, graph: str | None, extra: str = "") -> str:
        from urllib.parse import quote  # noqa: PLC0415

        target = "default" if graph is None else f"graph={quote(graph, safe='')}"
        sep = "&" if "?" in self.endpoints.store else "?"
        return f"{self.endpoints.store}{sep}{target}{extra}"

    def gsp_get(
        self, graph: str | None, accept: str = "application/n-triples"
    ) -> tuple[bytes, str]:
        """The graph's content as ``(bytes, content type)``; NotFound when it does not exist."""
        response = self._check(
            self._send("GET", self._gsp_url(graph), headers={"Accept": accept}),
            f"GET graph {graph or 'default'}",
        )
        return response.content, response.headers.get("Content-Type", accept)

    def _gsp_write(self, method: str, graph: str | None, data: bytes, content_type: str) -> int:
        response = self._check(
            self._send(
                method, self._gsp_url(graph), data=data, headers={"Content-Type": content_type}
            ),
            f"{method} graph {graph or 'default'}",
        )
        self._run_update("")
        return response.status_code

    def gsp_put(self, graph: str | None, data: bytes, content_type: str) -> int:
        """Replace a graph (atomic on the server); returns the server's status (201/204)."""
        return self._gsp_write("PUT", graph, data, content_type)

    def gsp_post(self, graph: str | None, data: bytes, content_type: str) -> int:
        """Merge into a graph; returns the server's status."""
        return self._gsp_write("POST", graph, data, content_type)

    def gsp_delete(self, graph: str | None) -> int:
        """Delete a graph; NotFound when it does not exist."""
        response = self._check(
            self._send("DELETE", self._gsp_url(graph)), f"DELETE graph {graph or 'default'}"
        )
        self._run_update("")
        return response.status_code
