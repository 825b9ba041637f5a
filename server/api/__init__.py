"""Blueprint ``api``: the research tools' JSON API.

* ``/api/queries``, ``/api/queries/<name>``: the example questions (``kg/data/queries``) as
  REST operations with typed parameters, JSON or CSV, paged (:mod:`server.api.queries`,
  header syntax in :mod:`server.api.catalogue`);
* ``/api/openapi.json``: their OpenAPI 3.1 description (:mod:`server.api.openapi`);
* ``/api/complete?q=``, ``/api/prefixes``: completions for the query editor
  (:mod:`server.api.complete`);
* ``POST /api/share``, ``GET /api/share/<id>``, ``GET /s/<id>``: short links to queries,
  stored server-side (:mod:`server.api.share`).

Errors under ``/api/`` are JSON ``{"status", "error", "message"}`` whatever the client
accepts (an API client that sends ``*/*`` still gets JSON).
"""

import logging

from flask import Blueprint, Response, jsonify

from kg.errors import KGError

bp = Blueprint("api", __name__)
log = logging.getLogger(__name__)

_TITLES = {
    400: "Bad Request",
    403: "Forbidden",
    404: "Not Found",
    413: "Payload Too Large",
    429: "Too Many Requests",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}


@bp.errorhandler(KGError)
def _api_error(exc: KGError) -> Response:
    message = exc.message
    if exc.status >= 500 and exc.status not in (502, 503, 504):
        log.exception("server error")
        message = "the server failed; it has been logged"
    response = jsonify(
        {"status": exc.status, "error": _TITLES.get(exc.status, "Error"), "message": message}
    )
    response.status_code = exc.status
    return response


from server.api import complete, openapi, queries, share  # noqa: E402, F401  (routes)
