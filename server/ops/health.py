"""``/healthz``: cheap liveness and readiness.

200 with ``{status, store, version}`` when the store opens; 503 when it cannot. Counting
triples scans the store, so it is only done on ``/healthz?triples=1`` and then cached per
store version.
"""

from __future__ import annotations

from flask import Response, jsonify, request

from kg import __version__
from kg.errors import KGError
from server.store import get_store

_triples: dict[str, int] = {}


def healthz() -> Response:
    store = get_store()
    body: dict[str, object] = {"version": __version__, "store": store.kind}
    try:
        if not store.exists():
            raise KGError("no store: run `kg build` first")
        body["store_version"] = store.version()
        store.check()  # readiness: the store opens
        if request.args.get("triples"):
            key = str(body["store_version"])
            if key not in _triples:
                _triples[key] = store.count_quads()
            body["triples"] = _triples[key]
    except (KGError, OSError) as exc:
        body.update(status="unavailable", error=str(exc))
        response = jsonify(body)
        response.status_code = 503
        response.headers["Cache-Control"] = "no-store"
        return response
    body["status"] = "ok"
    response = jsonify(body)
    response.headers["Cache-Control"] = "no-store"
    return response
