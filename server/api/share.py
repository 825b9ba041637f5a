"""Short links to queries: ``POST /api/share`` stores a query, ``GET /s/<id>`` opens it.

The queries live in SQLite (``shares.sqlite`` in the store's ``var/`` folder, shared by every
worker process). An id is the first characters of the SHA-256 of the text in base 62 (8, more
only on a collision), so sharing the same query twice gives the same link: ids are stable and
never reused. Limits: a query of at most ``KG_SHARE_MAX_BYTES`` (default 20,000 bytes;
larger is 413) and at most ``KG_SHARE_RATE_LIMIT`` new links per client per minute (default 30;
over it: 429 with ``Retry-After``), counted in the same database so all workers share it
(:mod:`kg.settings`; ``KG_SHARE_DB`` puts the database elsewhere).

* ``POST /api/share``: the query as JSON ``{"query": …}``, a form field ``query=`` or an
  ``application/sparql-query`` body → 201 ``{"id", "url", "sparql_url"}`` with ``Location``.
* ``GET /api/share/<id>`` → ``{"id", "query", "created"}``; ``GET /s/<id>`` → 303 to
  ``/sparql?share=<id>``, which opens the query UI with the query in the editor.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
import sqlite3
import time
from pathlib import Path

from flask import Response, current_app, jsonify, redirect, request
from werkzeug.wrappers import Response as BaseResponse

from kg.errors import KGError, TooLarge
from server.api import bp
from server.api.catalogue import BadParameter
from server.store import get_store

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
ID = re.compile(r"^[0-9A-Za-z]{6,32}$")


class RateLimited(KGError):
    status = 429

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after  # seconds


class UnknownShare(KGError):
    status = 404


def _base62(data: bytes) -> str:
    number = int.from_bytes(data, "big")
    out = []
    while number:
        number, rest = divmod(number, 62)
        out.append(ALPHABET[rest])
    return "".join(reversed(out)) or "0"


def db_path() -> Path:
    configured = current_app.config["SHARE_DB"]
    if configured:
        return Path(configured)
    return get_store().local_dir() / "shares.sqlite"


def _connect() -> sqlite3.Connection:
    path = db_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(path, timeout=10, isolation_level=None)
    db.execute("PRAGMA journal_mode = WAL")
    db.execute(
        "CREATE TABLE IF NOT EXISTS shares "
        "(id TEXT PRIMARY KEY, query TEXT NOT NULL, sha256 TEXT NOT NULL, created REAL NOT NULL)"
    )
    db.execute("CREATE INDEX IF NOT EXISTS shares_sha ON shares(sha256)")
    db.execute("CREATE TABLE IF NOT EXISTS posts (client TEXT NOT NULL, at REAL NOT NULL)")
    db.execute("CREATE INDEX IF NOT EXISTS posts_client ON posts(client, at)")
    return db


def save(text: str, client: str) -> str:
    """Store ``text`` (or find it stored) and return its id; 429 over the client's rate."""
    rate = int(current_app.config["SHARE_RATE_LIMIT"])
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    sha = digest.hex()
    now = time.time()
    db = _connect()
    try:
        db.execute("BEGIN IMMEDIATE")
        try:
            row = db.execute("SELECT id FROM shares WHERE sha256 = ?", (sha,)).fetchone()
            if row:
                db.execute("COMMIT")
                return str(row[0])
            if rate > 0:
                db.execute("DELETE FROM posts WHERE at < ?", (now - 60,))
                count, oldest = db.execute(
                    "SELECT count(*), min(at) FROM posts WHERE client = ?", (client,)
                ).fetchone()
                if count >= rate:
                    db.execute("COMMIT")
                    wait = max(1, int(60 - (now - (oldest or now))) + 1)
                    raise RateLimited(
                        f"at most {rate} new share links per minute per client "
                        f"(KG_SHARE_RATE_LIMIT); try again in {wait} s",
                        retry_after=wait,
                    )
                db.execute("INSERT INTO posts VALUES (?, ?)", (client, now))
            code = _base62(digest)
            for length in range(8, len(code) + 1):
                candidate = code[:length]
                taken = db.execute(
                    "SELECT sha256 FROM shares WHERE id = ?", (candidate,)
                ).fetchone()
                if taken is None:
                    db.execute(
                        "INSERT INTO shares VALUES (?, ?, ?, ?)", (candidate, text, sha, now)
                    )
                    db.execute("COMMIT")
                    return candidate
            raise KGError("no free share id")  # 2^-200: never
        except BaseException:
            with contextlib.suppress(sqlite3.Error):
                db.execute("ROLLBACK")
            raise
    finally:
        db.close()


def load(share_id: str) -> tuple[str, float] | None:
    if not ID.match(share_id):
        return None
    if not db_path().is_file():
        return None
    db = _connect()
    try:
        row = db.execute("SELECT query, created FROM shares WHERE id = ?", (share_id,)).fetchone()
    finally:
        db.close()
    return (str(row[0]), float(row[1])) if row else None


def _posted_query() -> str:
    max_bytes = int(current_app.config["SHARE_MAX_BYTES"])
    length = request.content_length
    if length is not None and length > max_bytes * 3 + 1024:
        raise TooLarge(f"the body is {length} bytes; a shared query may have {max_bytes}")
    mimetype = request.mimetype
    if mimetype == "application/json":
        data = request.get_json(silent=True)
        if not isinstance(data, dict) or not isinstance(data.get("query"), str):
            raise BadParameter('send JSON {"query": "…"} with the query as a string')
        text = data["query"]
    elif mimetype == "application/sparql-query":
        try:
            text = request.get_data().decode("utf-8")
        except UnicodeDecodeError:
            raise BadParameter("the query is not valid UTF-8") from None
    elif mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        text = request.form.get("query", "")
    else:
        raise BadParameter(
            'send the query as JSON {"query": …}, a form field query= or an '
            "application/sparql-query body"
        )
    if not text.strip():
        raise BadParameter("query: the query is empty")
    size = len(text.encode("utf-8"))
    if size > max_bytes:
        raise TooLarge(
            f"the query is {size} bytes; a shared query may have at most {max_bytes} "
            "(KG_SHARE_MAX_BYTES)"
        )
    if "\x00" in text:
        raise BadParameter("query: NUL characters are not allowed")
    return text


@bp.post("/api/share")
def create() -> Response:
    text = _posted_query()
    try:
        share_id = save(text, request.remote_addr or "unknown")
    except RateLimited as exc:
        from server.errors import error_response  # noqa: PLC0415

        response = error_response(429, "Too Many Requests", exc.message)
        response.headers["Retry-After"] = str(exc.retry_after)
        return response
    url = f"/s/{share_id}"
    response = jsonify({"id": share_id, "url": url, "sparql_url": f"/sparql?share={share_id}"})
    response.status_code = 201
    response.headers["Location"] = url
    return response


@bp.get("/api/share/<share_id>")
def show(share_id: str) -> Response:
    found = load(share_id)
    if found is None:
        raise UnknownShare(f"no shared query has the id {share_id[:40]!r}")
    text, created = found
    created_iso = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(created))
    return jsonify({"id": share_id, "query": text, "created": created_iso})


@bp.get("/s/<share_id>")
def short_link(share_id: str) -> BaseResponse:
    if load(share_id) is None:
        raise UnknownShare(f"no shared query has the id {share_id[:40]!r}")
    return redirect(f"/sparql?share={share_id}", code=303)
