"""Request and query-text limits, checked before any work is done.

* URL longer than ``MAX_URL_BYTES`` → 414; body larger than ``MAX_REQUEST_BYTES`` → 413.
* Query text nested deeper than :data:`MAX_NESTING` brackets → 400. pyoxigraph's recursive
  descent parser overflows the native stack (a segfault, measured at ~5,000 levels), so the
  depth is checked here, on tokens, before the text reaches the engine.

The small SPARQL lexer lives here because every pre-check (nesting, the dataset clause,
update forms, SERVICE clauses in :mod:`server.federation`) must skip the same things:
string literals, IRIs and comments, where brackets and keywords mean nothing.
"""

from __future__ import annotations

from flask import Flask, current_app, request

from kg.errors import KGError, QueryError, TooLarge
from kg.lexer import Token, code_tokens, tokens  # noqa: F401  (re-exported)

#: deepest bracket nesting accepted; real queries stay far below, the engine dies at ~5,000
MAX_NESTING = 200


class UriTooLong(KGError):
    status = 414


def nesting_depth(text: str) -> int:
    """The deepest nesting of ``{``, ``(`` and ``[`` outside strings, IRIs and comments."""
    depth = deepest = 0
    for tok in tokens(text):
        if tok.kind != "punct":
            continue
        if tok.text in "{([":
            depth += 1
            deepest = max(deepest, depth)
        elif tok.text in "})]":
            depth -= 1
    return deepest


def check_nesting(text: str) -> None:
    depth = nesting_depth(text)
    if depth > MAX_NESTING:
        raise QueryError(
            f"the query nests brackets {depth} levels deep; at most {MAX_NESTING} are accepted"
        )


# --- HTTP limits ------------------------------------------------------------------------


def _raw_url_length() -> int:
    env = request.environ
    raw = env.get("RAW_URI") or env.get("REQUEST_URI")
    if raw:
        return len(raw.encode("latin-1", "replace"))
    path = env.get("PATH_INFO", "")
    qs = env.get("QUERY_STRING", "")
    return len(path.encode("latin-1", "replace")) + (len(qs) + 1 if qs else 0)


def check_request() -> None:
    """``before_request`` hook: 414 for long URLs, 413 for large bodies (before reading)."""
    max_url = current_app.config["MAX_URL_BYTES"]
    length = _raw_url_length()
    if length > max_url:
        raise UriTooLong(
            f"the request URL is {length} bytes; at most {max_url} are accepted "
            "(KG_MAX_URL_BYTES): send long queries with POST"
        )
    max_body = current_app.config["MAX_REQUEST_BYTES"]
    declared = request.content_length
    if declared is not None and declared > max_body:
        _drain(declared)
        raise TooLarge(
            f"the request body is {declared} bytes; at most {max_body} are accepted "
            "(KG_MAX_REQUEST_BYTES)"
        )


_DRAIN_LIMIT = 64 * 1024 * 1024


def _drain(declared: int) -> None:
    """Read and discard a refused body so the client, still sending it, sees the 413
    instead of a reset connection. Bodies beyond 64 MB are not worth it: the connection
    is closed instead."""
    if declared > _DRAIN_LIMIT:
        return
    stream = request.environ.get("wsgi.input")
    if stream is None:
        return
    remaining = declared
    try:
        while remaining > 0:
            chunk = stream.read(min(65536, remaining))
            if not chunk:
                break
            remaining -= len(chunk)
    except OSError:
        pass


def init_app(app: Flask) -> None:
    app.before_request(check_request)
