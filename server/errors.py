"""The one error boundary: typed errors → status + body in the format the client accepts.

No response ever carries a stack trace; a server fault is never reported as a client fault.
"""

from __future__ import annotations

import errno
import logging

from flask import Flask, Response, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from kg.errors import KGError, storage_error

log = logging.getLogger(__name__)


_PROTOCOL_PATHS = ("/sparql", "/update", "/store")


def _wants(kind: str) -> bool:
    offered = ["text/html", "application/json", "text/plain"]
    if request.path.startswith(_PROTOCOL_PATHS):
        # protocol clients send */*: give them text unless they ask for HTML or JSON by name
        offered = ["text/plain", "application/json", "text/html"]
        accept = request.accept_mimetypes
        if kind == "text/html" and accept["text/html"] <= accept["*/*"]:
            return False
    best = request.accept_mimetypes.best_match(offered, default="text/plain")
    return best == kind


def error_response(status: int, title: str, message: str, **extra: object) -> Response:
    """Render an error as HTML for browsers, JSON for APIs, plain text otherwise."""
    if (
        _wants("application/json")
        or request.path.startswith(("/sparql", "/update", "/store"))
        and ("json" in (request.headers.get("Accept") or ""))
    ):
        response = jsonify({"status": status, "error": title, "message": message, **extra})
    elif _wants("text/html"):
        response = Response(
            render_template("errors/error.html", status=status, title=title, message=message),
            mimetype="text/html",
        )
    else:
        response = Response(f"{status} {title}: {message}\n", mimetype="text/plain")
    response.status_code = status
    response.vary.add("Accept")
    return response


def init_app(app: Flask) -> None:
    @app.errorhandler(KGError)
    def _kg_error(exc: KGError) -> Response:
        if exc.status >= 500 and exc.status != 503:
            log.exception("server error")
        title = {
            400: "Bad Request",
            403: "Forbidden",
            404: "Not Found",
            406: "Not Acceptable",
            413: "Payload Too Large",
            414: "URI Too Long",
            415: "Unsupported Media Type",
            422: "Unprocessable Content",
            429: "Too Many Requests",
            502: "Bad Gateway",
            503: "Service Unavailable",
        }.get(exc.status, "Internal Server Error")
        response = error_response(exc.status, title, exc.message)
        for name, value in getattr(exc, "headers", {}).items():  # Retry-After of a 429
            response.headers[name] = value
        return response

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException) -> Response:
        response = error_response(exc.code or 500, exc.name, exc.description or exc.name)
        # keep the protocol headers the exception carries (Allow, WWW-Authenticate, Retry-After…)
        for name, value in exc.get_response().headers.items():
            if name.lower() not in ("content-type", "content-length"):
                response.headers[name] = value
        return response

    @app.errorhandler(OSError)
    def _os_error(exc: OSError) -> Response:
        """A full or read-only disk on any path is a 503 that says so; other OS errors are
        server faults (500)."""
        if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EROFS):
            return _kg_error(storage_error(exc))
        return _unexpected(exc)

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> Response:
        log.exception("unhandled error")
        return error_response(500, "Internal Server Error", "the server failed; it has been logged")
