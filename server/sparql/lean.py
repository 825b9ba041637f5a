"""The lean path: ``GET /sparql?query=…`` and ``POST /sparql`` (form or direct) answered
by a small WSGI dispatcher in front of Flask.

A light query (ASK, a point lookup) costs the engine ~0.1 ms; going through Flask (request
context, URL matching, every ``before_request`` / ``after_request`` hook, werkzeug
``Response`` objects) cost ~0.35 ms more per request in-process (measured,
bench/bench_light.py). This path does the same work with plain values:

* the same code: :func:`server.sparql.query.parse_request` and
  :func:`server.sparql.query.respond` (negotiation, nesting limit, ETag / 304, answer
  cache, the query process with its timeout and row cap), the rate-limit ledger
  (:func:`server.ratelimit.admit`, then the query time charged), the request metrics
  (route ``/sparql``), CORS headers as :mod:`server.cors` sets them;
* errors are rendered by Flask's own error boundary (:mod:`server.errors`) inside a request
  context, and Flask's ``after_request`` hooks run on them: a 4xx/5xx is the same response
  either way;
* anything else goes to Flask untouched, before any side effect: other paths, other
  methods (HEAD, OPTIONS), GET without ``query=`` (UI, service description), a URL over
  ``KG_MAX_URL_BYTES`` or a body over ``KG_MAX_REQUEST_BYTES`` (their 414/413), a body
  without Content-Length, a request the protocol parser refuses (its 4xx), and queries
  with SERVICE (federation needs the app context).

Installed by :func:`install` (``server.sparql.init_app``) unless ``LEAN_SPARQL`` is false in
the app config (the benchmark compares both).
"""

from __future__ import annotations

import io
import time
from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask, g
from werkzeug.http import parse_options_header

from server import App, cors, federation, ratelimit
from server.ops import metrics
from server.sparql import query as protocol

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]

_REASONS = {200: "200 OK", 304: "304 NOT MODIFIED"}  # as werkzeug spells them
_CORS = [
    ("Access-Control-Allow-Origin", "*"),
    ("Access-Control-Expose-Headers", cors.EXPOSED),
]
_ROUTE = "/sparql"


def _url_length(environ: dict[str, Any]) -> int:
    """The request line's target length (as :mod:`server.limits` counts it)."""
    raw = environ.get("RAW_URI") or environ.get("REQUEST_URI")
    if raw:
        return len(raw.encode("latin-1", "replace"))
    path = environ.get("PATH_INFO", "")
    qs = environ.get("QUERY_STRING", "")
    return len(path.encode("latin-1", "replace")) + (len(qs) + 1 if qs else 0)


class LeanSparql:
    """WSGI middleware: the query operation of ``/sparql`` without Flask's per-request
    machinery; every other request goes to ``inner`` (the Flask app)."""

    def __init__(self, app: Flask, inner: WSGIApp) -> None:
        self.app = app
        self.inner = inner
        self.config = app.config  # read per request, as Flask's hooks do (tests change it)
        self.latency = metrics.LATENCY.labels(_ROUTE)

    # --- which requests --------------------------------------------------------------------

    def _body(self, environ: dict[str, Any]) -> bytes | None:
        """The POST body (read now, and put back for a fallback), or None → Flask."""
        try:
            length = int(environ.get("CONTENT_LENGTH") or "")
        except ValueError:
            return None
        if length < 0 or length > int(self.config["MAX_REQUEST_BYTES"]):
            return None
        body = environ["wsgi.input"].read(length) if length else b""
        if len(body) != length:
            return None  # a client that went away: Flask reports it as it always does
        environ["wsgi.input"] = io.BytesIO(body)
        return body

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        if environ.get("PATH_INFO") != _ROUTE:
            return self.inner(environ, start_response)
        method = environ.get("REQUEST_METHOD")
        if method == "GET":
            if "query" not in environ.get("QUERY_STRING", ""):
                return self.inner(environ, start_response)
            body = b""
            mimetype = ""
            params: dict[str, str] = {}
        elif method == "POST":
            mimetype, params = parse_options_header(environ.get("CONTENT_TYPE", ""))
            mimetype = mimetype.lower()
            if mimetype not in (protocol.FORM, protocol.DIRECT):
                return self.inner(environ, start_response)
            got = self._body(environ)
            if got is None:
                return self.inner(environ, start_response)
            body = got
        else:
            return self.inner(environ, start_response)
        if _url_length(environ) > int(self.config["MAX_URL_BYTES"]):
            return self.inner(environ, start_response)
        try:
            req = protocol.parse_request(
                method,
                environ.get("QUERY_STRING", "").encode("latin-1"),
                mimetype,
                params,
                lambda: body,
            )
        except Exception:  # its 4xx, rendered by Flask (nothing has happened yet)
            environ["wsgi.input"] = io.BytesIO(body)
            return self.inner(environ, start_response)
        if req.query is None or federation.mentions_service(req.query):
            environ["wsgi.input"] = io.BytesIO(body)
            return self.inner(environ, start_response)
        return self._serve(environ, start_response, method, req)

    # --- answering -------------------------------------------------------------------------

    def _serve(
        self,
        environ: dict[str, Any],
        start_response: Callable[..., Any],
        method: str,
        req: protocol.ProtocolRequest,
    ) -> Iterable[bytes]:
        client = None
        rate_t0 = None
        started = None
        requests_limit = int(self.config["RATE_LIMIT_REQUESTS"])
        seconds_limit = float(self.config["RATE_LIMIT_QUERY_SECONDS"])
        try:
            if requests_limit or seconds_limit:
                client = ratelimit.client_address(
                    environ.get("REMOTE_ADDR"),
                    environ.get("HTTP_X_FORWARDED_FOR"),
                    self.app.extensions["kg_trusted_proxies"],
                )
                ratelimit.admit(
                    self.app.extensions["kg_rate_ledger"],
                    client,
                    requests_limit,
                    seconds_limit,
                )
                rate_t0 = time.perf_counter()
            started = time.perf_counter()
            plain = protocol.respond(
                req,
                self.app,
                method=method,
                accept=environ.get("HTTP_ACCEPT"),
                if_none_match=environ.get("HTTP_IF_NONE_MATCH"),
            )
        except Exception as exc:  # the error boundary, with Flask's hooks, as for any route
            return self._error(environ, start_response, exc, started, client, rate_t0)
        headers = plain.headers
        if plain.status == 200:
            headers.append(("Content-Length", str(len(plain.body))))
        headers += _CORS
        start_response(_REASONS[plain.status], headers)
        if rate_t0 is not None and seconds_limit:
            self.app.extensions["kg_rate_ledger"].spend(
                f"q:{client}", time.perf_counter() - rate_t0, seconds_limit, time.time()
            )
        self.latency.observe(time.perf_counter() - started)
        metrics.REQUESTS.labels(_ROUTE, method, str(plain.status)).inc()
        return [plain.body] if plain.body else []

    def _error(
        self,
        environ: dict[str, Any],
        start_response: Callable[..., Any],
        exc: Exception,
        started: float | None,
        client: str | None,
        rate_t0: float | None,
    ) -> Iterable[bytes]:
        app = self.app
        with app.request_context(environ):
            if started is not None:
                g.sgkg_t0 = started  # metrics._start ran (it runs after the rate check)
            if client is not None:
                g.sgkg_client = client
            if rate_t0 is not None:
                g.sgkg_rate_t0 = rate_t0
            response = app.finalize_request(app.handle_user_exception(exc))
            return response(environ, start_response)


def install(app: App) -> None:
    if app.config.get("LEAN_SPARQL", True):
        app.front = LeanSparql(app, app.wsgi_app)
