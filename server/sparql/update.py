"""POST /update: the SPARQL 1.1 Protocol update operation, behind the bearer token.

Order of checks (each a 4xx naming the problem, nothing executed before all pass):
token (server/auth.py) → media type (``application/sparql-update`` body or form ``update=``)
→ body size (``MAX_CONTENT_LENGTH``, 413) → policy: ``LOAD`` is refused because it would make
the server fetch a URL of the client's choosing, and ``SERVICE`` is allowed only for targets
on ``KG_FEDERATION_ALLOW`` → execution. Execution is atomic: the embedded store's writer
process (kg.store.writer) runs the whole request as one transaction, so an update whose second
operation fails changes nothing, and every read that starts after a success sees it.
"""

from __future__ import annotations

import time

from flask import Response, current_app, request

from kg.errors import Forbidden, KGError, QueryError, engine_error
from kg.store.positions import split_position
from server import federation, limits
from server.auth import requires_token
from server.sparql import bp
from server.store import get_store

UPDATE_MEDIA_TYPE = "application/sparql-update"
FORM_MEDIA_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
# Protocol §2.2.3: refused rather than ignored, so the update never runs on another dataset
DATASET_PARAMETERS = ("using-graph-uri", "using-named-graph-uri")


class UnsupportedMediaType(QueryError):
    status = 415


def update_text() -> str:
    """The update string from the request, per SPARQL 1.1 Protocol §2.2."""
    mimetype = request.mimetype
    for name in DATASET_PARAMETERS:
        if name in request.args or (mimetype in FORM_MEDIA_TYPES and name in request.form):
            raise QueryError(
                f"{name} is not supported by this endpoint; use USING / USING NAMED or "
                "WITH in the update itself"
            )
    if mimetype == UPDATE_MEDIA_TYPE:
        if "update" in request.args:
            raise QueryError("an application/sparql-update body must not also have update=")
        return request.get_data(as_text=True)
    if mimetype in FORM_MEDIA_TYPES:
        values = request.form.getlist("update")
        if len(values) != 1:
            raise QueryError("the form must carry exactly one 'update' parameter")
        return values[0]
    raise UnsupportedMediaType(
        f"unsupported Content-Type {mimetype or '(none)'!r} for an update; send "
        f"{UPDATE_MEDIA_TYPE} or an application/x-www-form-urlencoded form with update="
    )


def check_policy(text: str) -> bool:
    """Refuse LOAD before anything runs; True when the update uses SERVICE.

    Keywords are found with the query side's SPARQL lexer (server/limits.py), which skips
    strings, IRIs, comments and prefixed names, so ``ex:load`` or ``"load"`` are not LOAD.
    (rdflib's parser would find them too, but takes ~40 s on an 800 kB INSERT DATA.)
    """
    words = [t for t in limits.code_tokens(text) if t.kind in ("word", "iri")]
    has_service = False
    for index, token in enumerate(words):
        keyword = token.text.upper() if token.kind == "word" else ""
        if keyword == "LOAD":
            following = words[index + 1 : index + 3]
            target = next((t.text for t in following if t.kind == "iri"), "")
            what = f"LOAD {target}" if target else "LOAD"
            raise Forbidden(
                f"{what} is refused: this server never fetches URLs for an update; "
                "upload the data with the Graph Store Protocol (PUT/POST /store)"
            )
        if keyword == "SERVICE":
            has_service = True
    return has_service


def resolve_services(text: str) -> str:
    """SERVICE in an update gets the query side's treatment (server/federation.py): every
    target checked against ``KG_FEDERATION_ALLOW`` before any connection, then called by our
    own client and inlined as VALUES, so the engine never opens a connection itself."""
    config = current_app.config
    return federation.resolve_services(
        text,
        config["FEDERATION_ALLOW"],
        deadline=time.monotonic() + float(config["QUERY_TIMEOUT"]),
        max_rows=int(config["MAX_ROWS"]),
    )


def _execution_error(exc: Exception) -> KGError:
    """The engine's error (kg.errors.engine_error), with the position of a syntax error."""
    error = engine_error(exc, what="update")
    if type(error) is not QueryError:  # a storage, memory or server fault keeps its status
        return error
    if error.line is not None:
        return QueryError(error.reason, source="update", line=error.line, column=error.column)
    message, line, column = split_position(error.reason)
    if line is not None:
        return QueryError(message, source="update", line=line, column=column)
    return QueryError(f"the update failed and nothing was changed: {error.reason}")


@bp.post("/update")
@requires_token
def update() -> Response:
    text = update_text()
    if not text.strip():
        raise QueryError("the update is empty")
    limits.check_nesting(text)
    if check_policy(text):
        text = resolve_services(text)
    store = get_store()
    try:
        store.update(text, base_iri=current_app.config["BASE_IRI"])
    except (KGError, SyntaxError, RuntimeError, ValueError, MemoryError, OSError) as exc:
        # a syntax error ("error at L:C: …"), an evaluation error (CREATE GRAPH of an
        # existing graph, an unsupported function), a full disk (503)
        raise _execution_error(exc) from exc
    return Response(status=204)
