"""Remote-store mode: the store is any SPARQL 1.1 server (Oxigraph server, Fuseki, …).

``KG_STORE`` names the server. How the three service URLs are derived from it:

=====================================  =================================================
``KG_STORE``                           query / update / Graph Store Protocol URLs
=====================================  =================================================
``http://host:7878``                   ``/query``, ``/update``, ``/store`` (``oxigraph serve``)
``http://host:7878/query``             same: siblings of an explicit ``…/query``
``http://host:3030/ds/sparql``         ``/ds/sparql``, ``/ds/update``, ``/ds/data`` (Fuseki)
anything else                          the URL itself for query and update, ``…/store``
=====================================  =================================================

A URL fragment overrides each part (fragments never leave the client):
``http://h/sparql#update=http://h/upd&store=http://h/gsp&union=server&flavour=generic``.

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

Bulk writes (``kg load``, ``kg build``) go through the Graph Store Protocol in chunks of
N-Quads into *staging* graphs ``urn:x-sgkg:staging:<run>:<n>`` and are then published with ONE
update request (``DROP SILENT GRAPH <target>; ADD <staging> TO <target>; DROP <staging>``):
one request is one transaction on Oxigraph, so readers see the old graph or the new one. A
chunk whose POST fails on a dropped connection is sent again: chunks hold no blank nodes, so
re-sending one is idempotent (RDF set semantics). Quads with blank nodes go in a last chunk to
their own staging graph that is dropped and re-sent whole on retry (a server gives each POST
fresh blank nodes). A checkpoint file records the last acknowledged chunk, so running the same
load again after the server came back resumes instead of starting over. A load that fails on
bad data drops its staging graphs: no half graph is left behind. While a load runs its staging
graphs are visible to union queries; they never carry the target graph's name.

N-Triples files (plain or .gz) into an Oxigraph server are not parsed here at all: they go as
raw line-aligned byte chunks (``CHUNK_BYTES``, ``UPLOADS_IN_FLIGHT`` at once) to
``/store?graph=…&no_transaction``, the server's bulk loader parses them, and a 400 is turned
into a ParseError naming file:line (found by parsing that one chunk here). Lines mentioning
``_:`` are held back and sent last as one document. The checkpoint is a byte offset.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import json
import os
import re
import sys
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import IO, Any, NamedTuple
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import pyoxigraph as ox
import requests
import urllib3
from requests.adapters import HTTPAdapter

from kg.errors import (
    ConfigError,
    KGError,
    NotFound,
    ParseError,
    QueryError,
    QueryTimeout,
    StoreError,
    StoreUnavailable,
    user_caused,
)
from kg.rdfio import refuse_dtd
from kg.store import Store
from kg.useragent import requests_agent

META_GRAPH = "urn:x-sgkg:meta"
META_SUBJECT = "urn:x-sgkg:store"
META_VERSION = "urn:x-sgkg:version"
STAGING_PREFIX = "urn:x-sgkg:staging:"
INTERNAL_PREFIXES = (META_GRAPH, STAGING_PREFIX)
DEFAULT_BASE_IRI = "https://w3id.org/sgkg/"
CHUNK_TRIPLES = 50_000
CHUNK_BYTES = 32 * 1024 * 1024  # raw N-Triples chunks: few bulk-loader commits, resumable
UPLOADS_IN_FLIGHT = 2  # the server parses one chunk while the next one is on the wire
UPLOAD_TIMEOUT = 600.0  # a chunk's answer comes after the server has bulk-loaded it
RESULTS_ACCEPT = (
    "application/sparql-results+json, application/n-triples;q=0.9, text/turtle;q=0.5, */*;q=0.1"
)
FORM = "application/x-www-form-urlencoded"
#: per SPARQL results media type: a marker that ends (or separates) rows and how many rows
#: ``n`` markers can mean at most (``n + extra``); the same upper bounds as
#: server.sparql.results uses for its own serializers (an over-count only costs an exact
#: parse; JSON strings escape no braces, ``<`` is escaped in XML text)
_ROW_MARKERS: dict[str, tuple[bytes, int]] = {
    "application/sparql-results+json": (b"},{", 1),
    "application/json": (b"},{", 1),
    "application/sparql-results+xml": (b"<result>", 0),
    "text/csv": (b"\n", -1),
    "text/tab-separated-values": (b"\n", -1),
}
#: graph formats in which every triple ends its own line (a line count is an upper bound)
_LINE_FORMATS = ("application/n-triples", "application/n-quads", "text/plain")
_SERVER_POSITION = re.compile(r"(?:line|at)\s+(\d+)\D+(\d+)")
_NOT_A_TRIPLE_LINE = (b"\n\n", b"\n#", b"\n ", b"\n\t", b"\n\r")


class ResultTooLarge(KGError):
    """More rows/triples than the cap (``KG_MAX_ROWS``): refused, never truncated."""

    status = 422


class NotAcceptableAnswer(KGError):
    """The server has no format for this query form among the ``Accept`` given (406)."""

    status = 406


class RawAnswer(NamedTuple):
    """A query answer as the server serialized it (see :meth:`RemoteStore.query_raw`)."""

    content_type: str  # the server's Content-Type header, parameters included
    body: bytes
    kind: str  # "solutions", "boolean" or "graph"

    @property
    def media_type(self) -> str:
        return self.content_type.split(";")[0].strip().lower()


@dataclass(frozen=True)
class Endpoints:
    """Where a remote store answers, and how it gives the union default graph."""

    query: str
    update: str
    store: str
    flavour: str  # "oxigraph" (extra parameters understood) or "generic"
    union: str  # "param": send union-default-graph; "server": the server is configured so

    @classmethod
    def from_url(cls, url: str) -> Endpoints:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ConfigError(f"KG_STORE={url!r}: not an http(s):// SPARQL endpoint URL")
        overrides = {k: v[-1] for k, v in parse_qs(parts.fragment).items()}
        path = parts.path.rstrip("/")
        head, _, last = path.rpartition("/")

        def at(p: str) -> str:
            return urlunsplit((parts.scheme, parts.netloc, p, parts.query, ""))

        if last in ("", "query") and (last or not path):
            root = head if last else ""
            query, update, store, flavour = (
                at(root + "/query"),
                at(root + "/update"),
                at(root + "/store"),
                "oxigraph",
            )
        elif last == "sparql":
            query, update, store, flavour = (
                at(path),
                at(head + "/update"),
                at(head + "/data"),
                "generic",
            )
        else:
            query, update, store, flavour = at(path), at(path), at(head + "/store"), "generic"
        flavour = overrides.get("flavour", flavour)
        union = overrides.get("union", "param" if flavour == "oxigraph" else "server")
        if union not in ("param", "server") or flavour not in ("oxigraph", "generic"):
            raise ConfigError(
                f"KG_STORE={url!r}: union must be 'param' or 'server', "
                "flavour 'oxigraph' or 'generic'"
            )
        return cls(
            query=overrides.get("query", query),
            update=overrides.get("update", update),
            store=overrides.get("store", store),
            flavour=flavour,
            union=union,
        )


@dataclass
class LoadReport:
    """What a remote load did (same first three fields as ``kg.load.LoadReport``)."""

    triples: int
    seconds: float
    graphs: list[str]
    chunks: int = 0
    retries: int = 0
    resumed_from: int = 0


@dataclass
class _Staging:
    """Chunks on their way to staging graphs, then one update that publishes them."""

    run: str
    chunk_triples: int
    acked: int = 0  # chunks acknowledged by the server (from a checkpoint when resuming)
    offset: int = 0  # raw path: input bytes covered by the acknowledged chunks
    graphs: dict[str, str] = field(default_factory=dict)  # target ("" = default) → staging
    bnode_graphs: dict[str, str] = field(default_factory=dict)
    triples: int = 0
    chunks: int = 0
    direct: bool = False  # chunks go straight into a new, empty target graph (fast path)
    phase: str = "chunks"  # "bnodes" while the blank-node document is in flight
    acked_bnodes_unknown: bool = False  # resumed in phase "bnodes": part of it may be there

    def staging_for(self, target: str, bnodes: bool = False) -> str:
        table = self.bnode_graphs if bnodes else self.graphs
        if self.direct:
            table[target] = target
            return target
        if target not in table:
            kind = "b" if bnodes else "c"
            table[target] = f"{STAGING_PREFIX}{self.run}:{kind}{len(table)}"
        return table[target]

    def all_staging(self) -> list[str]:
        if self.direct:
            return []
        return list(self.graphs.values()) + list(self.bnode_graphs.values())

    def checkpoint(self) -> dict[str, Any]:
        return {
            "run": self.run,
            "acked": self.acked,
            "offset": self.offset,
            "graphs": self.graphs,
            "bnode_graphs": self.bnode_graphs,
            "direct": self.direct,
            "phase": self.phase,
        }


def _has_bnode(quad: ox.Quad) -> bool:
    return isinstance(quad.subject, ox.BlankNode) or isinstance(quad.object, ox.BlankNode)


def _graph_ref(target: str) -> str:
    return f"GRAPH <{target}>" if target else "DEFAULT"


def _target_of(quad: ox.Quad, graph: str | None) -> str:
    if graph is not None:
        return graph
    name = quad.graph_name
    if isinstance(name, ox.NamedNode):
        return name.value
    if isinstance(name, ox.DefaultGraph):
        return ""
    raise ParseError(f"blank node graph names are not supported: {name}")


def import_graph_iri(path: str | os.PathLike[str], base_iri: str = DEFAULT_BASE_IRI) -> str:
    """``{base}graph/import/{slug}``: where the triples of a file go without ``--graph``."""
    name = Path(path).name.lower().removesuffix(".gz")
    stem = name.rsplit(".", 1)[0] if "." in name else name
    slug = re.sub(r"[^a-z0-9]+", "-", stem).strip("-") or "data"
    return f"{base_iri}graph/import/{slug}"


def _raw_pieces(stream: IO[bytes], chunk_bytes: int, max_lines: int | None) -> Iterator[bytes]:
    """Line-aligned pieces of an N-Triples stream (a statement never spans lines), about
    ``chunk_bytes`` each and at most ``max_lines`` lines when given. Deterministic, so a
    resumed load cuts the file where the first attempt did."""
    rest = b""
    while True:
        block = stream.read(chunk_bytes)
        if not block:
            if rest:
                yield from _by_lines(rest, max_lines)
            return
        data = rest + block if rest else block
        cut = data.rfind(b"\n") + 1
        if cut == 0:  # one line longer than a block: keep reading
            rest = data
            continue
        rest = data[cut:]
        yield from _by_lines(data if cut == len(data) else data[:cut], max_lines)


def _by_lines(data: bytes, max_lines: int | None) -> Iterator[bytes]:
    if max_lines is None or data.count(b"\n") <= max_lines:
        yield data
        return
    start = 0
    while start < len(data):
        end = start
        for _ in range(max_lines):
            end = data.find(b"\n", end) + 1
            if end == 0:
                end = len(data)
                break
        yield data[start:end]
        start = end


def _split_bnode_lines(data: bytes) -> tuple[bytes, list[bytes], list[int]]:
    """``data`` without the lines that mention ``_:``, those lines (newline-terminated) and
    their 0-based line indexes. A line with ``_:`` inside a literal is moved too: harmless,
    it merely travels in the blank-node document. Scans with ``bytes.find`` (C speed)."""
    pos = data.find(b"_:")
    if pos < 0:
        return data, [], []
    parts: list[bytes] = []
    lines: list[bytes] = []
    numbers: list[int] = []
    prev = counted = line = 0
    while pos >= 0:
        start = data.rfind(b"\n", 0, pos) + 1
        end = data.find(b"\n", pos) + 1 or len(data)
        line += data.count(b"\n", counted, start)
        counted = start
        parts.append(data[prev:start])
        text = data[start:end]
        lines.append(text if text.endswith(b"\n") else text + b"\n")
        numbers.append(line)
        prev = end
        pos = data.find(b"_:", end)
    parts.append(data[prev:])
    return b"".join(parts), lines, numbers


def _statement_count(data: bytes) -> int:
    """Statements in line-aligned N-Triples: lines, unless blank or comment lines occur."""
    lines = data.count(b"\n") + (0 if data.endswith(b"\n") or not data else 1)
    if not data.startswith((b"\n", b"#", b" ", b"\t", b"\r")) and not any(
        mark in data for mark in _NOT_A_TRIPLE_LINE
    ):
        return lines
    return sum(
        1 for line in data.split(b"\n") if line.strip() and not line.lstrip().startswith(b"#")
    )


def _locate(data: bytes, source: str, lines: Callable[[int], int], server: KGError) -> ParseError:
    """The server refused a document: find the error's file line by parsing the document
    here (only on this error path). ``lines`` maps a document line to a file line."""
    try:
        for _ in ox.parse(data, format=ox.RdfFormat.N_TRIPLES):
            pass
    except SyntaxError as exc:
        message = str(exc.msg) if getattr(exc, "msg", None) else str(exc)
        if ": " in message and message.startswith(("Parser error", "error at")):
            message = message.split(": ", 1)[1]
        return ParseError(message, source=source, line=lines(exc.lineno or 1), column=exc.offset)
    return ParseError(f"rejected by the remote store: {server}", source=source, line=lines(1))


def _raise_for(status: int, text: str, url: str, what: str) -> None:
    """Raise the typed error for an HTTP error answer, naming the server and its message."""
    if status == 400:
        match = _SERVER_POSITION.search(text)
        line, column = (int(match.group(1)), int(match.group(2))) if match else (None, None)
        raise QueryError(f"{what} rejected by the remote store: {text}", line=line, column=column)
    if status == 404:
        raise NotFound(f"{what}: not found at {url}: {text}")
    if "timeout" in text.lower():
        raise QueryTimeout(f"{what} timed out on the remote store: {text}")
    if status >= 500 and user_caused(text):  # e.g. oxigraph serve's 500 for <unknown-fn>()
        raise QueryError(f"{what} cannot be evaluated by the remote store: {text}")
    if status >= 500:
        raise StoreUnavailable(f"remote store at {url} failed ({status}): {text}")
    raise StoreError(f"remote store at {url} answered {status} to {what}: {text}")


def _make_query_pool(url: str) -> tuple[urllib3.PoolManager, dict[str, str]]:
    """A urllib3 pool for ``url`` set up from the environment the way requests reads it."""
    from requests import utils  # noqa: PLC0415

    headers = {"User-Agent": requests_agent(), "Connection": "keep-alive"}
    user, password = utils.get_auth_from_url(url)
    auth = (user, password) if user or password else utils.get_netrc_auth(url)
    if auth:
        headers.update(urllib3.util.make_headers(basic_auth=f"{auth[0]}:{auth[1]}"))
    options: dict[str, Any] = {"num_pools": 4, "maxsize": 32, "block": False}
    if url.startswith("https:"):
        import certifi  # noqa: PLC0415  (requests' dependency: the CA bundle it uses)

        bundle = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")
        options["ca_certs"] = bundle or certifi.where()
    proxy = utils.select_proxy(url, utils.get_environ_proxies(url))
    if proxy:
        return urllib3.ProxyManager(proxy, **options), headers
    return urllib3.PoolManager(**options), headers


def _media(content_type: str) -> str:
    return content_type.split(";")[0].strip().lower()


def _count_upto(items: Iterable[Any], limit: int) -> int:
    return sum(1 for _ in islice(items, limit))


def check_row_cap(content_type: str, body: bytes, max_rows: int) -> str:
    """The answer's kind ("solutions", "boolean", "graph"); raises :class:`ResultTooLarge`
    when it holds more than ``max_rows`` rows or triples.

    A C-speed upper bound first (a row marker or line count); only when it passes the cap
    is the body parsed (pyoxigraph, Rust) and counted exactly, up to ``max_rows + 1``."""
    media = _media(content_type)
    if "xml" in media:  # never let a DTD reach pyoxigraph's XML parsers (kg.rdfio)
        refuse_dtd(body, "remote store answer", StoreError)
    marker = _ROW_MARKERS.get(media)
    if marker is not None:
        results_format = ox.QueryResultsFormat.from_media_type(media)
        if media.endswith(("json", "xml")) and _looks_boolean(body):
            return "boolean"
        if body.count(marker[0]) + marker[1] <= max_rows:
            return "solutions"
        if media == "text/csv":  # lossy, so pyoxigraph does not read it; the csv module does
            import csv  # noqa: PLC0415
            import io  # noqa: PLC0415

            records = csv.reader(io.StringIO(body.decode("utf-8", "replace"), newline=""))
            if _count_upto(records, max_rows + 2) - 1 > max_rows:  # minus the header
                raise _too_large(max_rows, "rows")
            return "solutions"
        try:
            parsed = ox.parse_query_results(body, format=results_format)
        except SyntaxError as exc:
            raise StoreError(f"remote store sent a result that does not parse: {exc}") from exc
        if isinstance(parsed, ox.QueryBoolean):
            return "boolean"
        if _count_upto(parsed, max_rows + 1) > max_rows:
            raise _too_large(max_rows, "rows")
        return "solutions"
    rdf_format = ox.RdfFormat.from_media_type(media) if media else None
    if rdf_format is None:
        raise StoreError(f"remote store answered an unknown media type {media!r}")
    if media in _LINE_FORMATS and body.count(b"\n") + 1 <= max_rows:
        return "graph"
    try:
        count = _count_upto(ox.parse(body, format=rdf_format), max_rows + 1)
    except SyntaxError as exc:
        raise StoreError(f"remote store sent a result that does not parse: {exc}") from exc
    if count > max_rows:
        raise _too_large(max_rows, "triples")
    return "graph"


def _parse_answer(content_type: str, body: bytes) -> Any:
    """pyoxigraph objects from a server answer (results, or a graph as ``QueryTriples``)."""
    media = _media(content_type)
    if "xml" in media:
        refuse_dtd(body, "remote store answer", StoreError)
    results_format = ox.QueryResultsFormat.from_media_type(media) if media else None
    try:
        if results_format is not None:
            return ox.parse_query_results(body, format=results_format)
        rdf_format = ox.RdfFormat.from_media_type(media) if media else None
        if rdf_format is None:
            raise StoreError(f"remote store answered an unknown media type {media!r}")
        # A throw-away in-memory store turns the graph into a real QueryTriples.
        graph = ox.Store()
        graph.load(body, format=rdf_format, to_graph=ox.DefaultGraph())
        return graph.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")
    except SyntaxError as exc:
        raise StoreError(f"remote store sent a result that does not parse: {exc}") from exc


def _looks_boolean(body: bytes) -> bool:
    """A JSON or XML boolean answer: its head is followed by ``boolean`` early on."""
    head = body[:512]
    return b'"boolean"' in head or b"<boolean>" in head


def _too_large(max_rows: int, what: str) -> ResultTooLarge:
    return ResultTooLarge(
        f"the query returns more than {max_rows} {what} (KG_MAX_ROWS); results are never "
        f"truncated silently: add LIMIT {max_rows} (and OFFSET to page) to the query"
    )


class RemoteStore(Store):
    """A :class:`kg.store.Store` backed by a SPARQL 1.1 server over HTTP."""

    kind = "remote"

    def __init__(
        self,
        url: str,
        *,
        timeout: float | None = None,
        chunk_triples: int | None = None,
        chunk_bytes: int = CHUNK_BYTES,
        retries: int = 5,
        checkpoint_dir: str | os.PathLike[str] | None = None,
        base_iri: str | None = None,
    ) -> None:
        from kg import settings as kg_settings  # noqa: PLC0415

        self.url = url.split("#", 1)[0]
        self.endpoints = Endpoints.from_url(url)
        configured = kg_settings.load()
        self.timeout = float(timeout if timeout is not None else configured["QUERY_TIMEOUT"])
        self.base_iri = base_iri or configured["BASE_IRI"]
        self.chunk_triples = chunk_triples or CHUNK_TRIPLES
        # the raw N-Triples path cuts by bytes, and by lines only when asked to
        self.chunk_lines = chunk_triples
        self.chunk_bytes = chunk_bytes
        self.retries = retries
        self.checkpoint_dir = Path(checkpoint_dir or Path("var") / "load-checkpoints")
        self._sessions: dict[int, requests.Session] = {}
        self._query_pools: dict[int, tuple[urllib3.PoolManager, dict[str, str]]] = {}
        self._lock = threading.Lock()
        self._version: tuple[float, str] | None = None
        self._version_lock = threading.Lock()

    # -- HTTP ------------------------------------------------------------------------
    def session(self) -> requests.Session:
        """One keep-alive session per process (a forked gunicorn worker gets its own)."""
        pid = os.getpid()
        session = self._sessions.get(pid)
        if session is None:
            with self._lock:
                session = self._sessions.get(pid)
                if session is None:
                    session = requests.Session()
                    adapter = HTTPAdapter(pool_connections=4, pool_maxsize=32)
                    session.mount("http://", adapter)
                    session.mount("https://", adapter)
                    session.headers["User-Agent"] = requests_agent()
                    self._sessions = {pid: session}
        return session

    def _send(self, method: str, url: str, *, timeout: float | None = None, **kwargs: Any):
        """One HTTP request; transport failures become :class:`StoreUnavailable`."""
        try:
            return self.session().request(
                method, url, timeout=(min(10.0, self.timeout), timeout or self.timeout), **kwargs
            )
        except requests.Timeout as exc:
            raise StoreUnavailable(
                f"remote store at {url} is down or too slow: no answer within "
                f"{timeout or self.timeout:g}s (KG_QUERY_TIMEOUT)"
            ) from exc
        except requests.RequestException as exc:
            reason = type(exc.__context__ or exc).__name__
            raise StoreUnavailable(f"remote store at {url} is down: {reason}: {exc}") from exc

    def _check(self, response: requests.Response, what: str) -> requests.Response:
        """Map an HTTP error answer to a typed error naming the server and its message."""
        if response.status_code < 400:
            return response
        _raise_for(response.status_code, response.text.strip()[:2000], response.url, what)
        return response  # pragma: no cover (_raise_for always raises)

    # -- the query transport -----------------------------------------------------------
    def _query_pool(self) -> tuple[urllib3.PoolManager, dict[str, str]]:
        """A keep-alive urllib3 pool for queries, one per process, and its fixed headers.

        Queries do not go through ``requests``: it costs ~0.7 ms of Python per request
        (measured: 0.87 ms vs 0.20 ms per ``ASK {}`` on localhost), most of it re-reading
        the environment (proxies, netrc, CA bundle) on every call. That environment is read
        here once instead, with requests' own helpers, so the answer does not change:
        ``*_PROXY``/``NO_PROXY``, ``REQUESTS_CA_BUNDLE``/``CURL_CA_BUNDLE``, user:password
        in ``KG_STORE`` or ``~/.netrc``. Loads keep their ``requests`` session."""
        pid = os.getpid()
        found = self._query_pools.get(pid)
        if found is None:
            with self._lock:
                found = self._query_pools.get(pid)
                if found is None:
                    found = _make_query_pool(self.endpoints.query)
                    self._query_pools = {pid: found}
        return found

    def _post_query(self, data: list[tuple[str, str]], accept: str) -> tuple[int, str, bytes]:
        """POST a query form; ``(status, content type, body)``, HTTP errors mapped."""
        pool, fixed = self._query_pool()
        url = self.endpoints.query
        headers = {**fixed, "Accept": accept, "Content-Type": FORM}
        try:
            response = pool.request(
                "POST",
                url,
                body=urlencode(data).encode("ascii"),
                headers=headers,
                timeout=urllib3.Timeout(connect=min(10.0, self.timeout), read=self.timeout),
                retries=False,  # as requests does: a failure is reported, not repeated
                redirect=False,
            )
        except urllib3.exceptions.ReadTimeoutError as exc:
            raise QueryTimeout(
                f"query exceeded the time limit of {self.timeout:g} s (KG_QUERY_TIMEOUT): "
                f"the remote store at {url} did not answer in time"
            ) from exc
        except urllib3.exceptions.TimeoutError as exc:
            raise StoreUnavailable(
                f"remote store at {url} is down or too slow: no answer within "
                f"{self.timeout:g}s (KG_QUERY_TIMEOUT)"
            ) from exc
        except urllib3.exceptions.HTTPError as exc:
            reason = type(getattr(exc, "reason", None) or exc.__context__ or exc).__name__
            raise StoreUnavailable(f"remote store at {url} is down: {reason}: {exc}") from exc
        body = response.data
        if response.status >= 400:
            text = body.decode("utf-8", "replace").strip()[:2000]
            if response.status == 406:
                raise NotAcceptableAnswer(
                    f"the remote store has no format for this query among {accept!r}: {text}"
                )
            _raise_for(response.status, text, url, "query")
        return response.status, response.headers.get("Content-Type") or "", body

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
        data = [("query", f"BASE <{base_iri}> {sparql}" if base_iri else sparql)]
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
        _, content_type, body = self._post_query(data, RESULTS_ACCEPT)
        return _parse_answer(content_type, body)

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
        _, content_type, body = self._post_query(data, accept)
        if max_rows is None:
            media = _media(content_type)
            if media in _ROW_MARKERS:
                kind = "boolean" if _looks_boolean(body) else "solutions"
            else:
                kind = "graph"
        else:
            kind = check_row_cap(content_type, body, max_rows)
        return RawAnswer(content_type, body, kind)

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

    # -- bulk writes -------------------------------------------------------------------
    def _post_chunk(
        self, quads: list[ox.Quad], *, transactional: bool, retries: int | None = None
    ) -> int:
        """POST N-Quads to the GSP dataset URL; retried on dropped connections. Returns
        the number of retries it took."""
        body = ox.serialize(quads, format=ox.RdfFormat.N_QUADS)
        return self._post_body(
            self.endpoints.store, body, "application/n-quads", transactional, "", retries
        )

    def _post_body(
        self,
        url: str,
        body: bytes,
        content_type: str,
        transactional: bool,
        what: str = "",
        retries: int | None = None,
    ) -> int:
        """POST a document to a GSP URL, sent again on a dropped connection (the caller
        makes sure that is idempotent). Returns the number of retries it took."""
        retries = self.retries if retries is None else retries
        if not transactional and self.endpoints.flavour == "oxigraph":
            url += ("&" if "?" in url else "?") + "no_transaction"
        for attempt in range(retries + 1):
            try:
                self._check(
                    self._send(
                        "POST",
                        url,
                        data=body,
                        headers={"Content-Type": content_type},
                        timeout=max(self.timeout, UPLOAD_TIMEOUT),
                    ),
                    what or "bulk upload",
                )
                return attempt
            except StoreUnavailable:
                if attempt == retries:
                    raise
                time.sleep(min(0.2 * 2**attempt, 5.0))
        return retries  # pragma: no cover

    def _stage(
        self,
        quads: Iterable[ox.Quad],
        staging: _Staging,
        graph: str | None,
        *,
        on_ack: Any = None,
        progress: Any = None,
    ) -> int:
        """Send ``quads`` to staging graphs in chunks; returns the retry count.

        One chunk is in flight (a worker thread) while the next one is parsed, and chunks
        are acknowledged in order, so the checkpoint never runs ahead of the server."""
        retries = 0
        chunk: list[ox.Quad] = []
        with_bnodes: list[ox.Quad] = []
        number = 0
        pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kg-upload")
        pending: tuple[int, Future[int]] | None = None

        def settle() -> None:
            nonlocal retries, pending
            if pending is None:
                return
            done_number, future = pending
            pending = None
            retries += future.result()
            staging.acked = done_number
            if on_ack is not None:
                on_ack(staging)

        def flush() -> None:
            nonlocal number, pending, chunk
            number += 1
            if number > staging.acked:  # chunks up to ``acked`` reached the server earlier
                settle()
                pending = (number, pool.submit(self._post_chunk, chunk, transactional=False))
            staging.chunks = number
            chunk = []

        try:
            for quad in quads:
                target = _target_of(quad, graph)
                bnodes = _has_bnode(quad)
                stage = ox.NamedNode(staging.staging_for(target, bnodes))
                moved = ox.Quad(quad.subject, quad.predicate, quad.object, stage)
                (with_bnodes if bnodes else chunk).append(moved)
                staging.triples += 1
                if len(chunk) >= staging.chunk_triples:
                    if progress is not None:
                        progress.update(len(chunk))
                    flush()
            if chunk:
                if progress is not None:
                    progress.update(len(chunk))
                flush()
            settle()
        finally:
            if pending is not None:  # an error while parsing: let the upload finish first
                with contextlib.suppress(Exception):
                    pending[1].result()
            pool.shutdown(wait=True)
        if with_bnodes and staging.direct:
            # One document (bulk-loaded); if it fails we cannot tell how much of it was
            # applied, so the load starts that graph over (it was empty before).
            staging.phase = "bnodes"
            if on_ack is not None:
                on_ack(staging)
            # not re-sent: a lost answer would leave the blank nodes in twice
            self._post_chunk(with_bnodes, transactional=False, retries=0)
            if progress is not None:
                progress.update(len(with_bnodes))
        elif with_bnodes:
            # Blank nodes must arrive in one document; a retry starts that graph afresh.
            drop = " ;\n".join(f"DROP SILENT GRAPH <{g}>" for g in staging.bnode_graphs.values())
            for attempt in range(self.retries + 1):
                try:
                    self._run_update(drop, bump=False)
                    self._post_chunk(with_bnodes, transactional=True)
                    break
                except StoreUnavailable:
                    if attempt == self.retries:
                        raise
                    retries += 1
                    time.sleep(min(0.2 * 2**attempt, 5.0))
            if progress is not None:
                progress.update(len(with_bnodes))
        return retries

    def _stage_raw(
        self,
        path: Path,
        staging: _Staging,
        graph: str,
        *,
        on_ack: Callable[[_Staging], None],
        progress: Any = None,
    ) -> int:
        """Stream an N-Triples file (plain or .gz) to the server as raw line-aligned chunks:
        no parsing here, Oxigraph parses (that is what makes a remote load fast).

        Chunks hold no blank node, so re-sending one is idempotent (RDF set semantics); up
        to ``UPLOADS_IN_FLIGHT`` are on the wire at once and they are acknowledged in order,
        so the checkpoint (a byte offset) never runs ahead of the server. Lines mentioning
        blank nodes are kept back and sent last as ONE document (a server gives each
        document fresh blank nodes: a chain split over two documents would break)."""
        from kg import rdfio  # noqa: PLC0415

        source = str(path)
        nt = "application/n-triples"
        retries = 0
        url = self._gsp_url(staging.staging_for(graph))
        pool = ThreadPoolExecutor(max_workers=UPLOADS_IN_FLIGHT, thread_name_prefix="kg-upload")
        pending: deque[tuple[int, int, Future[int]]] = deque()
        bnode_lines: list[bytes] = []
        numbers: list[int] = []

        def upload(body: bytes, data: bytes, first: int) -> int:
            try:
                return self._post_body(url, body, nt, False, "bulk upload")
            except QueryError as exc:  # the server's parser refused it: say where
                raise _locate(data, source, lambda n: first + n - 1, exc) from exc

        def settle() -> None:
            nonlocal retries
            number, end, future = pending.popleft()
            retries += future.result()
            staging.acked, staging.offset = number, end
            on_ack(staging)

        number = offset = 0
        line = 1
        try:
            with rdfio.open_input(path) as stream:
                for data in _raw_pieces(stream, self.chunk_bytes, self.chunk_lines):
                    number += 1
                    first, line, offset = line, line + data.count(b"\n"), offset + len(data)
                    body, found, where = _split_bnode_lines(data)
                    bnode_lines += found
                    numbers += [first + n for n in where]
                    staging.triples += _statement_count(data)
                    staging.chunks = number
                    if offset <= staging.offset:  # acknowledged by an earlier attempt
                        continue
                    while len(pending) >= UPLOADS_IN_FLIGHT:
                        settle()
                    if body.strip():
                        future = pool.submit(upload, body, data, first)
                    else:
                        future = Future()
                        future.set_result(0)
                    pending.append((number, offset, future))
                    if progress is not None:
                        progress.update(_statement_count(body))
            while pending:
                settle()
        except (OSError, EOFError, gzip.BadGzipFile) as exc:
            raise ParseError(f"cannot read: {exc}", source=source) from exc
        finally:
            for _, _, future in pending:  # an error: let the uploads in flight finish
                with contextlib.suppress(Exception):
                    future.result()
            pool.shutdown(wait=True)
        if bnode_lines:
            document = b"".join(bnode_lines)
            del bnode_lines
            staging.phase = "bnodes"
            on_ack(staging)
            try:
                retries += self._send_bnode_document(staging, graph, document)
            except QueryError as exc:
                raise _locate(document, source, lambda n: numbers[n - 1], exc) from exc
            if progress is not None:
                progress.update(len(numbers))
        return retries

    def _send_bnode_document(self, staging: _Staging, graph: str, document: bytes) -> int:
        """POST the blank-node document with the bulk loader; returns the retry count.

        After a dropped connection part of it may have landed. Its graph held no blank node
        before (a direct load fills a new graph and chunks never carry one; a staging graph
        is its own), so deleting every blank-node triple of that graph removes exactly
        what landed; the document's other lines (``_:`` inside a literal) are idempotent."""
        stage = staging.staging_for(graph, bnodes=True)
        if staging.direct:
            clean = (
                f"DELETE {{ GRAPH <{stage}> {{ ?s ?p ?o }} }} WHERE {{ GRAPH <{stage}> "
                "{ ?s ?p ?o FILTER(isBlank(?s) || isBlank(?o)) } }"
            )
        else:
            clean = f"DROP SILENT GRAPH <{stage}>"
        url = self._gsp_url(stage)
        for attempt in range(self.retries + 1):
            try:
                if attempt or staging.acked_bnodes_unknown:
                    self._run_update(clean, bump=False)
                self._post_body(url, document, "application/n-triples", False, "upload", 0)
                return attempt
            except StoreUnavailable:
                if attempt == self.retries:
                    raise
                time.sleep(min(0.2 * 2**attempt, 5.0))
        return self.retries  # pragma: no cover

    def _publish(self, staging: _Staging, replace: Iterable[str]) -> None:
        """One update: drop replaced graphs, add every staging graph to its target."""
        steps = [f"DROP SILENT {_graph_ref(t)}" for t in replace]
        for table in (staging.graphs, staging.bnode_graphs):
            for target, stage in table.items():
                if stage == target:  # direct load: already in place
                    continue
                steps.append(f"ADD SILENT GRAPH <{stage}> TO {_graph_ref(target)}")
                steps.append(f"DROP SILENT GRAPH <{stage}>")
        for attempt in range(self.retries + 1):
            try:
                self._run_update(" ;\n".join(steps))
                return
            except StoreUnavailable:
                # Did the update commit before the connection dropped? Then staging is gone.
                with contextlib.suppress(StoreUnavailable):
                    if not self._staging_left(staging):
                        return
                if attempt == self.retries:
                    raise
                time.sleep(min(0.2 * 2**attempt, 5.0))

    def _staging_left(self, staging: _Staging) -> bool:
        graphs = " ".join(f"<{g}>" for g in staging.all_staging())
        if not graphs:
            return False
        return bool(self.query(f"ASK {{ VALUES ?g {{ {graphs} }} GRAPH ?g {{ ?s ?p ?o }} }}"))

    def drop_staging(self, staging: _Staging | None = None) -> None:
        """Drop staging graphs: the given run's, or every one left by killed loads."""
        if staging is not None:
            graphs = staging.all_staging()
        else:
            rows = self.select_values("SELECT DISTINCT ?g WHERE { GRAPH ?g { } }")
            graphs = [
                r[0].value
                for r in rows
                if isinstance(r[0], ox.NamedNode) and r[0].value.startswith(STAGING_PREFIX)
            ]
        if graphs:
            self._run_update(" ;\n".join(f"DROP SILENT GRAPH <{g}>" for g in graphs), bump=False)

    def write_dataset(
        self,
        quads: Iterable[ox.Quad],
        graphs_to_replace: Iterable[str] | str | None = None,
        owned: Callable[[str], bool] | None = None,
    ) -> LoadReport:
        """Publish ``quads`` atomically (``kg build`` in remote mode).

        ``graphs_to_replace``: ``None`` replaces every graph that receives quads; ``"all"``
        also drops every other graph (a fresh build); an iterable names the graphs to drop
        first ("" is the default graph); graphs not named are merged into. ``owned(iri)``
        marks further graphs of the store to drop (the build's curated graphs that the new
        build no longer produces). All of it is one update request.
        """
        start = time.perf_counter()
        staging = _Staging(run=uuid.uuid4().hex[:12], chunk_triples=self.chunk_triples)
        try:
            retries = self._stage(quads, staging, None)
            targets = list(staging.graphs) + [
                t for t in staging.bnode_graphs if t not in staging.graphs
            ]
            if graphs_to_replace is None:
                replace = targets
            elif graphs_to_replace == "all":
                replace = [*self.named_graphs(), ""]
            else:
                replace = list(graphs_to_replace)
            if owned is not None:
                replace += [g for g in self.named_graphs() if owned(g) and g not in replace]
            self._publish(staging, replace)
        except BaseException:
            with contextlib.suppress(KGError):
                self.drop_staging(staging)
            raise
        return LoadReport(
            triples=staging.triples,
            seconds=time.perf_counter() - start,
            graphs=sorted(targets),
            chunks=staging.chunks,
            retries=retries,
        )

    def load_file(
        self,
        path: str | os.PathLike[str],
        graph: str | None = None,
        replace: bool = False,
        progress: bool = False,
        *,
        format: str | None = None,
        base_iri: str | None = None,
    ) -> LoadReport:
        """Bulk-load one RDF file (any format kg.rdfio reads, gzip too).

        Triples go to ``graph`` (default ``{base}graph/import/{file-stem}``); quads keep
        their graphs unless ``graph`` is given. ``replace`` swaps the target graph(s).

        Two paths. Into a graph that has data (``replace`` or appending to it): staging
        graphs, then one update that swaps them in, so readers never see half a load.
        Into a *new or empty* graph on Oxigraph (the usual ``kg load``): chunks go straight
        into it with Oxigraph's bulk loader, because Oxigraph has no server-side graph rename
        and its ``ADD``/``DROP`` copy quad by quad (about 40k quads/s, several times slower
        than the load itself). The new graph fills up while the load runs; if the load
        fails, the graph is dropped, so no half graph is left behind.
        """
        from kg import rdfio  # noqa: PLC0415

        path = Path(path)
        fmt = rdfio.guess_format(path, format)
        if graph is None and not fmt.supports_datasets:
            graph = import_graph_iri(path, self.base_iri)
        stat = path.stat()
        key = f"{path.resolve()}|{stat.st_size}|{stat.st_mtime_ns}|{graph}|{replace}|{self.url}"
        run = hashlib.sha256(key.encode()).hexdigest()[:16]
        checkpoint = self.checkpoint_dir / f"{run}.json"
        staging = _Staging(run=run, chunk_triples=self.chunk_triples)
        resumed = 0
        saved: dict[str, Any] = {}
        if checkpoint.is_file():
            with contextlib.suppress(ValueError, OSError):
                saved = json.loads(checkpoint.read_text())
        raw = fmt == ox.RdfFormat.N_TRIPLES and self.endpoints.flavour == "oxigraph"
        raw = raw and graph is not None
        if saved.get("direct") and saved.get("phase") == "bnodes" and not raw:
            # the blank-node document may or may not have landed: start that graph over
            self._run_update(f"DROP SILENT GRAPH <{graph}>", bump=False)
            saved = {}
        if saved:
            staging.acked = resumed = int(saved["acked"])
            staging.offset = int(saved.get("offset", 0))
            staging.graphs = dict(saved["graphs"])
            staging.direct = bool(saved.get("direct"))
            staging.acked_bnodes_unknown = saved.get("phase") == "bnodes"
        elif graph is not None and self.endpoints.flavour == "oxigraph":
            staging.direct = not self.query(f"ASK {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")

        def save(state: _Staging) -> None:
            self.checkpoint_dir.mkdir(parents=True, exist_ok=True)
            tmp = checkpoint.with_suffix(".tmp")
            tmp.write_text(json.dumps(state.checkpoint()))
            os.replace(tmp, checkpoint)

        start = time.perf_counter()
        bar = None
        if progress:
            from tqdm import tqdm  # noqa: PLC0415

            bar = tqdm(unit=" triples", unit_scale=True, desc=path.name, file=sys.stderr)
        try:
            if raw:
                assert graph is not None
                save(staging)  # a killed load is resumed (or cleaned up) by the next one
                retries = self._stage_raw(path, staging, graph, on_ack=save, progress=bar)
            else:
                quads = rdfio.iter_quads(path, format=fmt, base_iri=base_iri)
                retries = self._stage(quads, staging, graph, on_ack=save, progress=bar)
            targets = sorted(set(staging.graphs) | set(staging.bnode_graphs))
            # a direct load filled an empty graph in place: nothing to replace
            self._publish(staging, targets if replace and not staging.direct else [])
        except StoreUnavailable as exc:
            save(staging)
            raise StoreUnavailable(
                f"{exc} — {staging.acked} chunk(s) of {path} reached the server; run the same "
                "load again to resume (checkpoint kept)"
            ) from exc
        except BaseException:
            with contextlib.suppress(KGError):
                if staging.direct:
                    self._run_update(f"DROP SILENT GRAPH <{graph}>")
                else:
                    self.drop_staging(staging)
            checkpoint.unlink(missing_ok=True)
            raise
        finally:
            if bar is not None:
                bar.close()
        checkpoint.unlink(missing_ok=True)
        return LoadReport(
            triples=staging.triples,
            seconds=time.perf_counter() - start,
            graphs=[t or "DEFAULT" for t in targets],
            chunks=staging.chunks,
            retries=retries,
            resumed_from=resumed,
        )
