"""CORS for every read: ``Access-Control-Allow-Origin: *`` on GET/HEAD (all document families:
pages, /id/…, /graph/…, /ontology, /void, /dumps/, /store reads) and on every /sparql answer
(POST queries and errors included, so a page can show the message). Preflight (OPTIONS): the
SPARQL protocol answers its own (server.sparql.query); other routes get one that allows reads.
No credentials are ever allowed: writes need the bearer token, which browsers do not send
across origins without a preflight we do not grant.
"""

from __future__ import annotations

from flask import Flask, Response, request

_READS = ("GET", "HEAD", "OPTIONS")
EXPOSED = "ETag, Content-Type, Content-Location, Link, Retry-After"


def _cors(response: Response) -> Response:
    if request.method in _READS or request.path == "/sparql":
        headers = response.headers
        headers["Access-Control-Allow-Origin"] = "*"
        headers["Access-Control-Expose-Headers"] = EXPOSED
        if request.path == "/sparql":
            response.vary.add("Accept")
        if request.method == "OPTIONS" and "Access-Control-Allow-Methods" not in headers:
            headers["Access-Control-Allow-Methods"] = "GET, HEAD, OPTIONS"
            headers["Access-Control-Allow-Headers"] = "Accept, If-None-Match"
            headers["Access-Control-Max-Age"] = "86400"
    return response


def init_app(app: Flask) -> None:
    app.after_request(_cors)
