"""HTTP transport of the remote stores: where a server answers, requests, typed errors, the
row cap on answer bytes.

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
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from itertools import islice
from typing import Any, NamedTuple
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import pyoxigraph as ox
import requests
import urllib3
from requests.adapters import HTTPAdapter

from kg.errors import (
    ConfigError,
    KGError,
    NotFound,
    QueryError,
    QueryTimeout,
    StoreError,
    StoreUnavailable,
    user_caused,
)
from kg.rdfio import refuse_dtd
from kg.store.base import too_large
from kg.store.formats import LINE_MEDIA_TYPES, RESULTS_BY_MEDIA
from kg.store.positions import engine_error

RESULTS_ACCEPT = (
    "application/sparql-results+json, application/n-triples;q=0.9, text/turtle;q=0.5, */*;q=0.1"
)
FORM = "application/x-www-form-urlencoded"
FLAVOURS = ("oxigraph", "generic", "virtuoso")


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
    flavour: str  # "oxigraph" (extra parameters understood), "virtuoso" or "generic"
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
        if flavour == "virtuoso":  # /sparql answers queries and updates; GSP beside it
            query = update = at(path or "/sparql")
            store = at(head + "/sparql-graph-crud")
        union = overrides.get("union", "param" if flavour == "oxigraph" else "server")
        if union not in ("param", "server") or flavour not in FLAVOURS:
            raise ConfigError(
                f"KG_STORE={url!r}: union must be 'param' or 'server', "
                f"flavour one of {', '.join(FLAVOURS)}"
            )
        return cls(
            query=overrides.get("query", query),
            update=overrides.get("update", update),
            store=overrides.get("store", store),
            flavour=flavour,
            union=union,
        )


def _raise_for(
    status: int,
    text: str,
    url: str,
    what: str,
    caused_by_user: Callable[[str], bool] = user_caused,
) -> None:
    """Raise the typed error for an HTTP error answer, naming the server and its message.
    ``caused_by_user`` tells a 5xx about the query (a 400) from a server fault (503)."""
    if status == 400:
        raise engine_error(f"{what} rejected by the remote store: {text}", server=True)
    if status == 404:
        raise NotFound(f"{what}: not found at {url}: {text}")
    if "timeout" in text.lower():
        raise QueryTimeout(f"{what} timed out on the remote store: {text}")
    if status >= 500 and caused_by_user(text):  # e.g. oxigraph serve's 500 for <unknown-fn>()
        raise QueryError(f"{what} cannot be evaluated by the remote store: {text}")
    if status >= 500:
        raise StoreUnavailable(f"remote store at {url} failed ({status}): {text}")
    raise StoreError(f"remote store at {url} answered {status} to {what}: {text}")


def _make_query_pool(url: str, agent: str) -> tuple[urllib3.PoolManager, dict[str, str]]:
    """A urllib3 pool for ``url`` set up from the environment the way requests reads it."""
    from requests import utils  # noqa: PLC0415

    headers = {"User-Agent": agent, "Connection": "keep-alive"}
    user, password = utils.get_auth_from_url(url)
    auth = (user, password) if user or password else utils.get_netrc_auth(url)
    if auth:
        headers.update(urllib3.util.make_headers(basic_auth=f"{auth[0]}:{auth[1]}"))
    options: dict[str, Any] = {"num_pools": 4, "maxsize": 32, "block": False}
    if url.startswith("https:"):
        import certifi  # noqa: PLC0415  (requests' dependency: the CA bundle it uses)

        # requests' own variables, read once here as requests would on every call
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
    fmt = RESULTS_BY_MEDIA.get(media)
    marker = fmt.row_marker if fmt is not None else None
    if marker is not None:
        results_format = ox.QueryResultsFormat.from_media_type(media)
        if media.endswith(("json", "xml")) and _looks_boolean(body):
            return "boolean"
        if media.endswith("json") and (b"\n" in body or b"\t" in body):
            # pretty-printed (Virtuoso): rows are not "},{"-separated; every row opens a
            # "{" (a real newline never occurs inside a JSON string)
            marker = (b"{", 0)
        if body.count(marker[0]) + marker[1] <= max_rows:
            return "solutions"
        if media == "text/csv":  # lossy, so pyoxigraph does not read it; the csv module does
            import csv  # noqa: PLC0415
            import io  # noqa: PLC0415

            records = csv.reader(io.StringIO(body.decode("utf-8", "replace"), newline=""))
            if _count_upto(records, max_rows + 2) - 1 > max_rows:  # minus the header
                raise too_large(max_rows, "rows")
            return "solutions"
        try:
            parsed = ox.parse_query_results(body, format=results_format)
        except SyntaxError as exc:
            raise StoreError(f"remote store sent a result that does not parse: {exc}") from exc
        if isinstance(parsed, ox.QueryBoolean):
            return "boolean"
        if _count_upto(parsed, max_rows + 1) > max_rows:
            raise too_large(max_rows, "rows")
        return "solutions"
    rdf_format = ox.RdfFormat.from_media_type(media) if media else None
    if rdf_format is None:
        raise StoreError(f"remote store answered an unknown media type {media!r}")
    if media in LINE_MEDIA_TYPES and body.count(b"\n") + 1 <= max_rows:
        return "graph"
    try:
        count = _count_upto(ox.parse(body, format=rdf_format), max_rows + 1)
    except SyntaxError as exc:
        raise StoreError(f"remote store sent a result that does not parse: {exc}") from exc
    if count > max_rows:
        raise too_large(max_rows, "triples")
    return "graph"


_VIRTUOSO_BNODE = re.compile(rb'("type"\s*:\s*"bnode"\s*,\s*"value"\s*:\s*")nodeID://')


def _parse_answer(content_type: str, body: bytes) -> Any:
    """pyoxigraph objects from a server answer (results, or a graph as ``QueryTriples``)."""
    media = _media(content_type)
    if "xml" in media:
        refuse_dtd(body, "remote store answer", StoreError)
    results_format = ox.QueryResultsFormat.from_media_type(media) if media else None
    try:
        if results_format is not None:
            if b"nodeID://" in body:  # Virtuoso's blank node labels are not valid identifiers
                body = _VIRTUOSO_BNODE.sub(rb"\1", body)
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


class HttpTransport:
    """Keep-alive HTTP to one SPARQL server, one pool per process (forked workers get
    their own); transport failures become :class:`StoreUnavailable`."""

    endpoints: Endpoints
    timeout: float
    user_agent: str

    def _init_transport(self, url: str, timeout: float, user_agent: str) -> None:
        self.url = url.split("#", 1)[0]
        self.endpoints = Endpoints.from_url(url)
        self.timeout = float(timeout)
        self.user_agent = user_agent
        self._sessions: dict[int, requests.Session] = {}
        self._query_pools: dict[int, tuple[urllib3.PoolManager, dict[str, str]]] = {}
        self._lock = threading.Lock()

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
                    session.headers["User-Agent"] = self.user_agent
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
        text = response.text.strip()[:2000]
        _raise_for(response.status_code, text, response.url, what, self._user_caused)
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
                    found = _make_query_pool(self.endpoints.query, self.user_agent)
                    self._query_pools = {pid: found}
        return found

    def _post_query(
        self,
        data: list[tuple[str, str]],
        accept: str,
        timeout: float | None = None,
        limit: float | None = None,
    ) -> tuple[int, str, bytes]:
        """POST a query form; ``(status, content type, body)``, HTTP errors mapped. The
        answer must come within ``timeout`` (default: the store's); ``limit`` is the
        configured limit that a timeout message names."""
        read = self.timeout if timeout is None else timeout
        named = read if limit is None else limit
        data = self._with_deadline(data, read)
        pool, fixed = self._query_pool()
        url = self.endpoints.query
        headers = {**fixed, "Accept": accept, "Content-Type": FORM}
        try:
            response = pool.request(
                "POST",
                url,
                body=urlencode(data).encode("ascii"),
                headers=headers,
                timeout=urllib3.Timeout(connect=min(10.0, read), read=read),
                retries=False,  # as requests does: a failure is reported, not repeated
                redirect=False,
            )
        except urllib3.exceptions.ReadTimeoutError as exc:
            raise QueryTimeout(
                f"query exceeded the time limit of {named:g} s (KG_QUERY_TIMEOUT): "
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
            _raise_for(response.status, text, url, "query", self._user_caused)
        self._answer_headers(response.headers, named)
        return response.status, response.headers.get("Content-Type") or "", body

    def _with_deadline(self, data: list[tuple[str, str]], seconds: float) -> list[tuple[str, str]]:
        """The query form with the server's own time limit, where it has one."""
        return data

    def _answer_headers(self, headers: Any, limit: float) -> None:
        """A server-specific look at a successful answer's headers (a partial answer)."""
        return None

    def _user_caused(self, text: str) -> bool:
        """True when an error answer (a 5xx) is about the query, not about the server
        (:func:`kg.errors.user_caused`; a server may know its own error codes)."""
        return user_caused(text)
