"""Rate limits per client, shared by all workers (DESIGN.md):

* ``KG_RATE_LIMIT_REQUESTS`` requests per client in any 60 s on ``/sparql``, ``/update``,
  ``/store`` and ``/api/``: the request that would be one too many is refused;
* ``KG_RATE_LIMIT_QUERY_SECONDS`` seconds of request time per client in any 60 s on the same
  routes (Wikidata's rule: 60 s of query time per 60 s): once a client has spent it, its
  next request is refused until enough of that time is more than a minute old.

Refusals are 429 with ``Retry-After`` (whole seconds until the request would be accepted),
through the error boundary, counted by ``sgkg_rate_limited_total{budget}``. The request
budget is an exact sliding window (the times of the last ``limit`` requests in a ring): with a
limit of 60 the 61st request within any minute is refused whatever the pace. The query-time
budget is a virtual clock (GCRA), O(1) too. Each check costs well under a millisecond.

The budgets live in a small SQLite file (``RATE_LIMIT_DB``, which ``kg serve`` puts in its
run directory beside the metrics) so that every gunicorn worker charges the same budget;
each check is one ``BEGIN IMMEDIATE`` transaction (WAL, no fsync: the budgets need not
survive a crash). Without that file (tests, ``flask run``) the budgets are per process.

The client is the peer address; when the peer is one of ``KG_TRUSTED_PROXIES``, the
right-most address of ``X-Forwarded-For`` that is not a trusted proxy.
"""

from __future__ import annotations

import collections
import ipaddress
import math
import sqlite3
import threading
import time
from pathlib import Path

from flask import Flask, Response, current_app, g, request

from kg.errors import RateLimited
from server.ops import metrics

WINDOW = 60.0
LIMITED_PREFIXES = ("/sparql", "/update", "/store", "/api/")
_CLEANUP_EVERY = 1000  # writes per process between forgetting quiet clients

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def trusted_networks(value: str | list | tuple) -> tuple[Network, ...]:
    items = value.replace(",", " ").split() if isinstance(value, str) else list(value)
    return tuple(ipaddress.ip_network(item, strict=False) for item in items)


def client_address(remote: str | None, forwarded: str | None, trusted: tuple[Network, ...]) -> str:
    """The client: the peer, or behind trusted proxies the first untrusted hop from the right."""
    peer = remote or "unknown"
    if not trusted or not forwarded or not _is_trusted(peer, trusted):
        return peer
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
    for hop in reversed(hops):
        if not _is_trusted(hop, trusted):
            return hop
    return hops[0] if hops else peer


def _is_trusted(address: str, trusted: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    return any(ip in network for network in trusted)


# --- the shared ledger -------------------------------------------------------------------


class Ledger:
    """Per-client budgets in one SQLite file (shared by processes) or in memory.

    * Requests: the times of a client's last ``limit`` requests, in a ring of ``limit``
      slots; a request is admitted when the slot it would overwrite (the ``limit``-th
      request before it) is more than a minute old: an exact sliding window in O(1).
    * Query seconds: a virtual clock per client (GCRA): each second spent pushes it
      ``60 / budget`` s ahead; a client whose clock is more than a minute ahead has spent its
      budget for the last minute, and waits until it is within the minute again.
    """

    def __init__(self, path: str | Path | None) -> None:
        self.path = str(path) if path else None
        self._local = threading.local()
        self._lock = threading.Lock()
        self._rings: dict[str, collections.deque[float]] = {}
        self._clocks: dict[str, float] = {}
        self._writes = 0
        if self.path:
            self._connect().execute("PRAGMA journal_mode=WAL")

    def _connect(self) -> sqlite3.Connection:
        """This thread's connection to the ledger file (a ledger in memory has none)."""
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            assert self.path is not None, "an in-memory ledger has no file"
            conn = sqlite3.connect(self.path, timeout=10, isolation_level=None)
            conn.execute("PRAGMA synchronous=OFF")
            conn.execute(
                "CREATE TABLE IF NOT EXISTS ring (key TEXT, slot INTEGER, ts REAL, "
                "PRIMARY KEY (key, slot)) WITHOUT ROWID"
            )
            conn.execute(
                "CREATE TABLE IF NOT EXISTS clients (key TEXT PRIMARY KEY, n INTEGER, "
                "clock REAL, last REAL) WITHOUT ROWID"
            )
            self._local.conn = conn
        return conn

    def _transaction(self) -> sqlite3.Connection:
        conn = self._connect()
        conn.execute("BEGIN IMMEDIATE")
        return conn

    def hit(self, key: str, limit: int, now: float) -> float:
        """Count a request if fewer than ``limit`` were made in the last minute; else return
        the seconds until one more is allowed (nothing counted)."""
        if self.path is None:
            with self._lock:
                ring = self._rings.get(key)
                if ring is None or ring.maxlen != limit:
                    ring = self._rings[key] = collections.deque(ring or (), maxlen=limit)
                if len(ring) == limit and ring[0] > now - WINDOW:
                    return ring[0] + WINDOW - now
                ring.append(now)
                return 0.0
        conn = self._transaction()
        try:
            row = conn.execute("SELECT n FROM clients WHERE key = ?", (key,)).fetchone()
            count = row[0] if row else 0
            slot = count % limit
            oldest = conn.execute(
                "SELECT ts FROM ring WHERE key = ? AND slot = ?", (key, slot)
            ).fetchone()
            if count >= limit and oldest is not None and oldest[0] > now - WINDOW:
                conn.execute("COMMIT")
                return oldest[0] + WINDOW - now
            conn.execute("INSERT OR REPLACE INTO ring VALUES (?, ?, ?)", (key, slot, now))
            conn.execute(
                "INSERT INTO clients VALUES (?, 1, 0, ?) ON CONFLICT (key) "
                "DO UPDATE SET n = n + 1, last = excluded.last",
                (key, now),
            )
            self._cleanup(conn, now)
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        return 0.0

    def spent(self, key: str, now: float) -> float:
        """How far the client's virtual clock is ahead of now (seconds)."""
        if self.path is None:
            with self._lock:
                return max(0.0, self._clocks.get(key, 0.0) - now)
        row = self._connect().execute("SELECT clock FROM clients WHERE key = ?", (key,)).fetchone()
        return max(0.0, (row[0] if row else 0.0) - now)

    def spend(self, key: str, seconds: float, budget: float, now: float) -> None:
        """Charge ``seconds`` of query time against a budget of ``budget`` s per minute."""
        if seconds <= 0 or budget <= 0:
            return
        advance = seconds * WINDOW / budget
        if self.path is None:
            with self._lock:
                self._clocks[key] = max(self._clocks.get(key, 0.0), now) + advance
            return
        conn = self._transaction()
        try:
            conn.execute(
                "INSERT INTO clients VALUES (?, 0, ?, ?) ON CONFLICT (key) DO UPDATE SET "
                "clock = MAX(clock, ?) + ?, last = excluded.last",
                (key, now + advance, now, now, advance),
            )
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise

    def _cleanup(self, conn: sqlite3.Connection, now: float) -> None:
        """Now and then, forget the clients that have been quiet for more than a minute."""
        self._writes += 1
        if self._writes % _CLEANUP_EVERY:
            return
        quiet = "SELECT key FROM clients WHERE last <= ? AND clock <= ?"
        conn.execute(f"DELETE FROM ring WHERE key IN ({quiet})", (now - WINDOW, now))
        conn.execute("DELETE FROM clients WHERE last <= ? AND clock <= ?", (now - WINDOW, now))


# --- the hooks ---------------------------------------------------------------------------


def _limited() -> bool:
    return request.method != "OPTIONS" and request.path.startswith(LIMITED_PREFIXES)


def _refuse(budget: str, wait: float, message: str) -> None:
    metrics.RATE_LIMITED.labels(budget).inc()
    raise RateLimited(message, retry_after=max(1, math.ceil(wait)))


def check() -> None:
    """``before_request``: refuse a client over either budget, else count the request."""
    if not _limited():
        return
    config = current_app.config
    requests_limit = int(config["RATE_LIMIT_REQUESTS"])
    seconds_limit = float(config["RATE_LIMIT_QUERY_SECONDS"])
    if not requests_limit and not seconds_limit:
        return
    ledger: Ledger = current_app.extensions["kg_rate_ledger"]
    client = client_address(
        request.remote_addr,
        request.headers.get("X-Forwarded-For"),
        current_app.extensions["kg_trusted_proxies"],
    )
    g.sgkg_client = client
    admit(ledger, client, requests_limit, seconds_limit)
    g.sgkg_rate_t0 = time.perf_counter()


def admit(ledger: Ledger, client: str, requests_limit: int, seconds_limit: float) -> None:
    """Refuse ``client`` (429) when over either budget, else count its request. Needs no
    request context (the lean /sparql path calls it too: server.sparql.lean)."""
    now = time.time()
    if seconds_limit:
        ahead = ledger.spent(f"q:{client}", now)
        if ahead > WINDOW:
            _refuse(
                "query_seconds",
                ahead - WINDOW,
                f"this client used its {seconds_limit:g} s of query time in the last minute "
                "(KG_RATE_LIMIT_QUERY_SECONDS); retry later",
            )
    if requests_limit:
        wait = ledger.hit(f"r:{client}", requests_limit, now)
        if wait:
            _refuse(
                "requests",
                wait,
                f"this client made {requests_limit} requests in the last minute "
                "(KG_RATE_LIMIT_REQUESTS); retry later",
            )


def charge(response: Response) -> Response:
    """``after_request``: charge the request's time to the client's query-seconds budget."""
    started = g.get("sgkg_rate_t0")
    budget = float(current_app.config["RATE_LIMIT_QUERY_SECONDS"])
    if started is not None and budget:
        ledger: Ledger = current_app.extensions["kg_rate_ledger"]
        ledger.spend(f"q:{g.sgkg_client}", time.perf_counter() - started, budget, time.time())
    return response


def init_app(app: Flask) -> None:
    app.extensions["kg_rate_ledger"] = Ledger(app.config.get("RATE_LIMIT_DB"))
    app.extensions["kg_trusted_proxies"] = trusted_networks(app.config["TRUSTED_PROXIES"])
    app.before_request(check)
    app.after_request(charge)
