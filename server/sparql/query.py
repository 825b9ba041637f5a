"""``GET, POST /sparql``: the SPARQL 1.1 Protocol query operation.

* ``GET ?query=``, ``POST`` form (``application/x-www-form-urlencoded``) and ``POST``
  direct (``application/sparql-query``); ``default-graph-uri`` / ``named-graph-uri``
  replace the query's FROM / FROM NAMED (pyoxigraph's ``default_graph`` / ``named_graphs``
  override the query's dataset: verified). Without either, a query with FROM keeps its own
  dataset and any other query sees the union of all named graphs.
* Answers by ``Accept`` or ``format=``; both families (results, graphs) are negotiated up
  front and the query process uses the one that fits the query form. A ``format=`` value
  unknown to a family (SPARQLWrapper sends ``format=n3``…) leaves that family to ``Accept``.
  406 (naming every supported type) when ``Accept`` fits neither family; when it fits only
  one, the other family answers in its default (JSON, Turtle): clients such as rdflib's
  SPARQLStore send ``Accept: application/sparql-results+json`` for CONSTRUCT too.
* Limits: :mod:`server.limits` (size, nesting), the store (:meth:`kg.store.Store.answer`:
  timeout, rows),
  :mod:`server.federation` (SERVICE). Updates are refused here and pointed to ``/update``.
* ``GET /sparql`` without a query: the query UI for browsers, else the service description.
* CORS (``*``, no credentials; :mod:`server.cors`), ``Vary: Accept`` on every answer, ETag / 304.

Per-request work is kept off the hot path (profiled, see bench/bench_endpoint.py): the
query text is not tokenized unless a C-speed test says it might matter — more than
:data:`MAX_NESTING` brackets in all (else the nesting cannot be too deep), the word FROM
(dataset clause), SERVICE (federation); whether a query is really an update is asked only
when the engine has refused it as a query. Negotiation results are memoized per
(``Accept``, ``format=``).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import parse_qsl

from flask import Flask, Response, current_app, request
from werkzeug.exceptions import UnsupportedMediaType

from kg.errors import KGError, QueryError, QueryTimeout
from kg.lexer import first_keyword
from kg.store import NoAcceptableFormat, QueryAnswer, QueryJob, Store
from server import federation, http_cache, negotiation
from server.limits import MAX_NESTING, check_nesting, code_tokens
from server.ops import metrics
from server.rdfresponse import rdf_response
from server.sparql import bp, service_description
from server.store import get_store

FORM = "application/x-www-form-urlencoded"
DIRECT = "application/sparql-query"
UPDATE = "application/sparql-update"
_UPDATE_WORDS = {
    "INSERT",
    "DELETE",
    "LOAD",
    "CLEAR",
    "CREATE",
    "DROP",
    "COPY",
    "MOVE",
    "ADD",
    "WITH",
}


@dataclass
class ProtocolRequest:
    query: str | None
    default_graphs: list[str]
    named_graphs: list[str]
    format: str | None

    @property
    def has_dataset(self) -> bool:
        return bool(self.default_graphs or self.named_graphs)


# --- reading the request -----------------------------------------------------------------


def _pairs(raw: bytes, where: str) -> list[tuple[str, str]]:
    try:
        return parse_qsl(raw.decode("utf-8"), keep_blank_values=True, errors="strict")
    except UnicodeDecodeError as exc:
        raise QueryError(f"{where} is not valid UTF-8 (byte {exc.start}): {exc.reason}") from exc


def _utf8(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise QueryError(f"the query is not valid UTF-8 (byte {exc.start}): {exc.reason}") from exc


def parse_request(
    method: str,
    query_string: bytes,
    mimetype: str,
    mimetype_params: dict[str, str],
    body: Callable[[], bytes],
) -> ProtocolRequest:
    """The protocol parameters of a request, or a 4xx naming what is wrong. Needs no
    request context: the Flask view and the lean WSGI path (:mod:`server.sparql.lean`)
    both call it."""
    url_pairs = _pairs(query_string, "the query string")
    pairs = list(url_pairs)
    queries: list[str] = []
    if method == "POST":
        if mimetype == FORM:
            body_pairs = _pairs(body(), "the form body")
            pairs += body_pairs
        elif mimetype == DIRECT:
            charset = mimetype_params.get("charset", "utf-8").lower()
            if charset not in ("utf-8", "utf8"):
                raise QueryError(f"charset={charset} is not supported: send the query in UTF-8")
            queries.append(_utf8(body()))
        elif mimetype == UPDATE:
            raise QueryError("SPARQL Update is not accepted at /sparql: POST it to /update")
        else:
            got = mimetype or "no Content-Type"
            raise UnsupportedMediaType(
                f"{got} is not a SPARQL query: POST with Content-Type {FORM} (query=…) "
                f"or {DIRECT} (the query as the body)"
            )
    queries += [v for k, v in pairs if k == "query"]
    if any(k == "update" for k, _ in pairs):
        raise QueryError("SPARQL Update is not accepted at /sparql: POST it to /update")
    if len(queries) > 1:
        raise QueryError(
            f"{len(queries)} queries in one request: send exactly one "
            "(query= once, or the body of an application/sparql-query POST)"
        )
    query = queries[0] if queries else None
    if query is not None and not query.strip():
        raise QueryError("the query is empty")
    formats = [v for k, v in pairs if k == "format"]
    return ProtocolRequest(
        query=query,
        default_graphs=[v for k, v in pairs if k == "default-graph-uri"],
        named_graphs=[v for k, v in pairs if k == "named-graph-uri"],
        format=formats[0] if formats else None,
    )


def read_request() -> ProtocolRequest:
    """The protocol parameters of this (Flask) request, or a 4xx naming what is wrong."""
    return parse_request(
        request.method,
        request.query_string,
        request.mimetype,
        request.mimetype_params,
        lambda: request.get_data(cache=False),
    )


# --- checks on the query text ------------------------------------------------------------


def is_update(text: str) -> bool:
    """True when the text starts (after its prologue) with an update keyword."""
    return first_keyword(text) in _UPDATE_WORDS


def reject_updates(text: str) -> None:
    if is_update(text):
        raise QueryError(
            "this is a SPARQL Update, and /sparql only answers queries: POST it to /update "
            f"with Content-Type {UPDATE}"
        )


_FROM = re.compile("from", re.IGNORECASE)


def has_dataset_clause(text: str) -> bool:
    """True when the query says FROM / FROM NAMED (then it keeps its own dataset).
    Tokenized only when the letters occur at all (IRIs, strings and comments may hold them)."""
    if _FROM.search(text) is None:
        return False
    return any(t.kind == "word" and t.text.upper() == "FROM" for t in code_tokens(text))


def check_depth(text: str) -> None:
    """:func:`server.limits.check_nesting`, skipped when there are too few brackets in all
    for the nesting to pass :data:`MAX_NESTING` (three C-speed counts)."""
    if text.count("{") + text.count("(") + text.count("[") > MAX_NESTING:
        check_nesting(text)


# --- negotiation ---------------------------------------------------------------------------


def _pick(
    offered: tuple[negotiation.Format, ...], accept: str | None, format_param: str | None
) -> negotiation.Format | None:
    if format_param:
        chosen = negotiation.by_name(format_param, offered)
        if chosen is not None:
            return chosen
    try:
        return negotiation.negotiate(accept, offered)
    except negotiation.NotAcceptable:
        return None


_Picked = tuple[negotiation.Format, negotiation.Format] | None
_negotiated: dict[tuple[str | None, str | None], _Picked] = {}
_NEGOTIATED_MAX = 512  # distinct (Accept, format=) pairs remembered; clients send few


def negotiate_both(accept: str | None, format_param: str | None) -> _Picked:
    """(results format, graph format) for this ``Accept`` and ``format=``, or None when
    neither family fits (→ 406). Memoized: parsing Accept is pure and costs ~30 µs."""
    key = (accept, format_param)
    try:
        return _negotiated[key]
    except KeyError:
        pass
    result_fmt = _pick(negotiation.RESULT_FORMATS, accept, format_param)
    graph_fmt = _pick(negotiation.GRAPH_FORMATS, accept, format_param)
    picked: _Picked = None
    if result_fmt is not None or graph_fmt is not None:
        # Accept fits one family only (rdflib's SPARQLStore asks for JSON even for
        # CONSTRUCT): the other family gets its default format, as HTTP allows, not a 406.
        picked = (
            result_fmt or negotiation.RESULT_FORMATS[0],
            graph_fmt or negotiation.GRAPH_FORMATS[0],
        )
    if len(_negotiated) >= _NEGOTIATED_MAX:
        _negotiated.clear()
    _negotiated[key] = picked
    return picked


# --- answering -----------------------------------------------------------------------------


def query_cache(app: Flask) -> http_cache.LRU:
    """The per-process answer cache (an LRU keyed by ETag)."""
    cache = app.extensions.get("kg_query_cache")
    if cache is None:
        cache = app.extensions.setdefault(
            "kg_query_cache", http_cache.LRU(int(app.config.get("QUERY_CACHE_ENTRIES", 256)))
        )
    return cache


def _run(job: QueryJob, timeout: float, limit: float, store: Store | None = None) -> QueryAnswer:
    try:
        return (store or get_store()).answer(job, timeout, limit)
    except QueryTimeout:
        metrics.QUERY_TIMEOUTS.inc()
        raise
    except KGError as exc:
        # the engine refused the text as a query: say so if it is an update (the lexer
        # runs here, on the error path, not on every request)
        if exc.status == 400 and is_update(job.query):
            reject_updates(job.query)
        raise


# --- responses -----------------------------------------------------------------------------


#: Content-Type header value per short format name, computed once
_CONTENT_TYPES = {name: fmt.content_type for name, fmt in negotiation.BY_NAME.items()}


@dataclass
class Plain:
    """An answer before it is a response object: the lean path sends it as is, the Flask
    view wraps it (:func:`to_response`)."""

    status: int
    headers: list[tuple[str, str]]
    body: bytes = b""


def _answer_plain(answer: QueryAnswer, etag: str | None) -> Plain:
    headers = [("Content-Type", _CONTENT_TYPES[answer.format]), ("Vary", "Accept")]
    if etag:
        headers += [("ETag", f'"{etag}"'), ("Cache-Control", "no-cache")]
    return Plain(200, headers, answer.body)


def respond(
    req: ProtocolRequest,
    app: Flask,
    *,
    method: str,
    accept: str | None,
    if_none_match: str | None,
) -> Plain:
    """Answer a parsed query request: negotiation, limits, ETag / 304, the answer cache, the
    query process. Raises the typed errors that the error boundary renders. Federated
    queries need an app context (the User-Agent names the configured contact)."""
    config = app.config
    text = req.query or ""
    check_depth(text)
    picked = negotiate_both(accept, req.format)
    if picked is None:
        raise negotiation.NotAcceptable((*negotiation.RESULT_FORMATS, *negotiation.GRAPH_FORMATS))
    result_fmt, graph_fmt = picked
    timeout = float(config["QUERY_TIMEOUT"])
    max_rows = int(config["MAX_ROWS"])
    deadline = time.monotonic() + timeout
    federated = federation.mentions_service(text) and bool(federation.find_services(text))
    if federated:
        text = federation.resolve_services(
            text, tuple(config["FEDERATION_ALLOW"]), deadline=deadline, max_rows=max_rows
        )
    job = QueryJob(
        query=text,
        default_graph=tuple(req.default_graphs) if req.has_dataset else None,
        named_graphs=tuple(req.named_graphs) if req.has_dataset else None,
        union_default=not req.has_dataset and not has_dataset_clause(text),
        base_iri=config["BASE_IRI"],
        result_format=result_fmt.name,
        graph_format=graph_fmt.name,
        max_rows=max_rows,
    )
    store: Store = app.extensions["kg_store"]
    etag = None
    if not federated:
        etag = http_cache.etag_for(store.version(), job)
        if method in ("GET", "HEAD") and http_cache.matches(if_none_match, etag):
            reject_updates(text)  # an update is never "not modified", even for If-None-Match: *
            metrics.QUERIES.labels("not_modified").inc()
            return Plain(304, [("ETag", f'"{etag}"'), ("Vary", "Accept")])
        cached = query_cache(app).get(etag)
        if isinstance(cached, QueryAnswer):
            metrics.QUERIES.labels("cached").inc()
            return _answer_plain(cached, etag)
    remaining = max(0.001, deadline - time.monotonic())
    try:
        answer = _run(job, remaining, timeout, store)
    except NoAcceptableFormat as exc:
        offered = negotiation.GRAPH_FORMATS if exc.kind == "graph" else negotiation.RESULT_FORMATS
        raise negotiation.NotAcceptable(offered) from None
    metrics.QUERIES.labels("federated" if federated else "executed").inc()
    if etag:
        query_cache(app).put(etag, answer, len(answer.body))
    return _answer_plain(answer, etag)


def to_response(plain: Plain) -> Response:
    return Response(plain.body, status=plain.status, headers=plain.headers)


def answer_query(req: ProtocolRequest) -> Response:
    return to_response(
        respond(
            req,
            current_app,
            method=request.method,
            accept=request.headers.get("Accept"),
            if_none_match=request.headers.get("If-None-Match"),
        )
    )


def _service_description() -> Response:
    fmt = negotiation.negotiate(
        request.headers.get("Accept"),
        negotiation.GRAPH_FORMATS,
        format_param=request.args.get("format"),
    )
    store = get_store()
    try:
        graphs = store.named_graphs()
    except Exception:  # an empty or unreachable store still has a description
        graphs = []
    root = request.host_url.rstrip("/")
    triples = service_description.description(request.base_url, f"{root}/void", graphs)
    return rdf_response(triples, fmt, prefixes=service_description.PREFIXES)


def _ui() -> Response | str:
    from server.sparql import ui  # noqa: PLC0415

    render = getattr(ui, "render_ui", None)
    if render is not None:
        return render()
    return Response(
        "<!doctype html><html lang=en><meta charset=utf-8><title>SPARQL</title>"
        "<h1>SPARQL endpoint</h1><form method=post action=/sparql>"
        "<textarea name=query rows=12 cols=80>SELECT * WHERE { ?s ?p ?o } LIMIT 10</textarea>"
        "<p><button>Run</button></form></html>",
        mimetype="text/html",
    )


def _preflight() -> Response:
    response = Response(status=204)
    response.headers["Allow"] = "GET, HEAD, POST, OPTIONS"
    response.headers["Access-Control-Allow-Methods"] = "GET, HEAD, POST, OPTIONS"
    response.headers["Access-Control-Allow-Headers"] = "Accept, Content-Type, If-None-Match"
    response.headers["Access-Control-Max-Age"] = "86400"
    return response


@bp.route("/sparql", methods=["GET", "POST", "OPTIONS"], provide_automatic_options=False)
def sparql() -> Response | str:
    if request.method == "OPTIONS":
        return _preflight()
    req = read_request()
    if req.query is None:
        if request.method == "POST":
            raise QueryError("no query: send query= or an application/sparql-query body")
        if negotiation.prefers_html(request.headers.get("Accept")) and not request.args.get(
            "format"
        ):
            response = _ui()
            if isinstance(response, Response):
                response.vary.add("Accept")
            return response
        return _service_description()
    return answer_query(req)
