"""Who may write: one bearer token (``KG_UPDATE_TOKEN``) guards SPARQL Update and GSP writes.

The rules are the contract in DESIGN.md: no token configured → the write surface does not
exist (404, so a read-only deployment does not even advertise it); no or malformed
``Authorization`` → 401 with ``WWW-Authenticate: Bearer``; a wrong token → 403. The token is
compared with :func:`hmac.compare_digest` so that timing says nothing about it.

The check returns a ready response instead of raising, because the error boundary rebuilds
responses from exceptions and would drop the ``WWW-Authenticate`` header that RFC 6750
requires on a 401.
"""

from __future__ import annotations

import functools
import hmac
from collections.abc import Callable
from typing import Any

from flask import Response, current_app, request

from server.errors import error_response

REALM = "sgkg"


def write_denied() -> Response | None:
    """``None`` when the request carries the configured token, else the error response."""
    token = current_app.config.get("UPDATE_TOKEN")
    if not token:
        return error_response(
            404,
            "Not Found",
            "writes are disabled on this server (no KG_UPDATE_TOKEN is configured)",
        )
    scheme, _, credentials = (request.headers.get("Authorization") or "").partition(" ")
    credentials = credentials.strip()
    if scheme.lower() != "bearer" or not credentials:
        response = error_response(
            401,
            "Unauthorized",
            "this operation writes to the store: send 'Authorization: Bearer <token>'",
        )
        response.headers["WWW-Authenticate"] = f'Bearer realm="{REALM}"'
        return response
    if not hmac.compare_digest(credentials.encode(), str(token).encode()):
        response = error_response(403, "Forbidden", "the bearer token is not valid")
        response.headers["WWW-Authenticate"] = f'Bearer realm="{REALM}", error="invalid_token"'
        return response
    return None


def requires_token(view: Callable[..., Any]) -> Callable[..., Any]:
    """Decorator: run ``view`` only for requests that pass :func:`write_denied`."""

    @functools.wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        denied = write_denied()
        if denied is not None:
            return denied
        return view(*args, **kwargs)

    return wrapped
