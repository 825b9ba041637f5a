"""Rate limits per client, shared by all workers (DESIGN.md):

* ``KG_RATE_LIMIT_REQUESTS`` requests per client in any 60 s on ``/sparql``, ``/update``,
  ``/store`` and ``/api/``: the request that would be one too many is refused;
* ``KG_RATE_LIMIT_QUERY_SECONDS`` seconds of request time per client in any 60 s on the same
  routes (Wikidata's rule: 60 s of query time per 60 s): once a client has spent it, its
  next request is refused until enough of that time is more than a minute old.

Refusals are 429 with ``Retry-After`` (whole seconds until the request would be accepted),
through the error boundary, counted by ``sgkg_rate_limited_total{budget}``. Both budgets are
*sliding windows* over the last 60 s, exact, not token-bucket approximations: with a limit of
60 the 61st request within a minute is refused whatever the pace.

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
_CLEANUP_EVERY = 500  # writes per process between deletions of expired events

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
    """Events (client key, time, cost) of the last minute; one SQLite file, or memory."""

    def __init__(self, path: str | Path | None) -> None:
        self.path = str(path) if path else None
        self._local = threading.local()
        self._lock = threading.Lock()
        self._memory: dict[str, collections.deque[tuple[float, float]]] = {}
        self._writes = 0
        if self.path:
            with self._connect() as conn:
                conn.execute("PRAGMA journal_mode=WAL")

    def _connect(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, timeout=10, isolation_level=None)
            conn.execute("PRAGMA synchronous=OFF")
            conn.execute(
                "CREATE TABLE IF NOT EXISTS events (key TEXT NOT NULL, ts REAL NOT NULL, "
                "cost REAL NOT NULL)"
            )
            conn.execute("CREATE INDEX IF NOT EXISTS events_key_ts ON events (key, ts)")
            self._local.conn = conn
        return conn

    def admit(self, key: str, limit: float, cost: float, now: float) -> float:
        """Record ``cost`` for ``key`` if the costs of the last minute plus it stay within
        ``limit`` (a cost of 0 only checks that the spent total is below ``limit``); return
        0, or the seconds to wait when refused (nothing recorded then)."""
        if self.path is None:
            with self._lock:
                events = self._memory.setdefault(key, collections.deque())
                while events and events[0][0] <= now - WINDOW:
                    events.popleft()
                wait = _wait(list(events), limit, cost, now)
                if not wait and cost:
                    events.append((now, cost))
                return wait
        conn = self._connect()
        conn.execute("BEGIN IMMEDIATE")
        try:
            rows = conn.execute(
                "SELECT ts, cost FROM events WHERE key = ? AND ts > ? ORDER BY ts",
                (key, now - WINDOW),
            ).fetchall()
            wait = _wait(rows, limit, cost, now)
            if not wait and cost:
                conn.execute("INSERT INTO events VALUES (?, ?, ?)", (key, now, cost))
                self._writes += 1
                if self._writes % _CLEANUP_EVERY == 0:
                    conn.execute("DELETE FROM events WHERE ts <= ?", (now - WINDOW,))
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        return wait

    def charge(self, key: str, cost: float, now: float) -> None:
        """Record ``cost`` unconditionally (time already spent)."""
        if cost <= 0:
            return
        if self.path is None:
            with self._lock:
                self._memory.setdefault(key, collections.deque()).append((now, cost))
            return
        self._connect().execute("INSERT INTO events VALUES (?, ?, ?)", (key, now, cost))


def _wait(events: list[tuple[float, float]], limit: float, cost: float, now: float) -> float:
    """0 when ``cost`` fits next to ``events`` (oldest first) within ``limit``; else the
    seconds until enough of them have left the window."""
    spent = sum(c for _, c in events)
    fits = spent + cost <= limit if cost else spent < limit
    if fits:
        return 0.0
    for ts, c in events:  # oldest first: wait until this one leaves the window
        spent -= c
        if (spent + cost <= limit) if cost else (spent < limit):
            return max(ts + WINDOW - now, 0.001)
    return WINDOW


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
    now = time.time()
    if seconds_limit:
        wait = ledger.admit(f"q:{client}", seconds_limit, 0.0, now)
        if wait:
            _refuse(
                "query_seconds",
                wait,
                f"this client used its {seconds_limit:g} s of query time in the last minute "
                "(KG_RATE_LIMIT_QUERY_SECONDS); retry later",
            )
    if requests_limit:
        wait = ledger.admit(f"r:{client}", requests_limit, 1.0, now)
        if wait:
            _refuse(
                "requests",
                wait,
                f"this client made {requests_limit} requests in the last minute "
                "(KG_RATE_LIMIT_REQUESTS); retry later",
            )
    g.sgkg_rate_t0 = time.perf_counter()


def charge(response: Response) -> Response:
    """``after_request``: charge the request's time to the client's query-seconds budget."""
    started = g.get("sgkg_rate_t0")
    if started is not None and float(current_app.config["RATE_LIMIT_QUERY_SECONDS"]):
        ledger: Ledger = current_app.extensions["kg_rate_ledger"]
        ledger.charge(f"q:{g.sgkg_client}", time.perf_counter() - started, time.time())
    return response


def init_app(app: Flask) -> None:
    app.extensions["kg_rate_ledger"] = Ledger(app.config.get("RATE_LIMIT_DB"))
    app.extensions["kg_trusted_proxies"] = trusted_networks(app.config["TRUSTED_PROXIES"])
    app.before_request(check)
    app.after_request(charge)
