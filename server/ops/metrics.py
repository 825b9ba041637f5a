"""Prometheus metrics, safe under several gunicorn workers.

``kg serve`` sets ``PROMETHEUS_MULTIPROC_DIR`` to a fresh temporary directory *before* any
worker imports prometheus-client, so every process writes its samples to memory-mapped
files there, and ``/metrics`` merges them (``MultiProcessCollector``); the gunicorn
``child_exit`` hook marks dead workers. Without that variable (tests, ``flask run``) the
default per-process registry is used.
"""

from __future__ import annotations

import os
import time

from flask import Flask, Response, g, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)

REQUESTS = Counter(
    "sgkg_http_requests_total",
    "HTTP requests by route, method and status",
    ["route", "method", "status"],
)
LATENCY = Histogram(
    "sgkg_http_request_duration_seconds",
    "HTTP request latency by route",
    ["route"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
)
ERRORS = Counter(
    "sgkg_http_errors_total",
    "HTTP responses with a 4xx or 5xx status, by route and status",
    ["route", "status"],
)
QUERY_TIMEOUTS = Counter(
    "sgkg_query_timeouts_total", "queries stopped by KG_QUERY_TIMEOUT (worker killed)"
)
QUERIES = Counter("sgkg_queries_total", "SPARQL queries answered, by how", ["outcome"])
RATE_LIMITED = Counter(
    "sgkg_rate_limited_total",
    "requests refused with 429 by a per-client budget (requests, query_seconds)",
    ["budget"],
)
WORKER_RECYCLES = Counter(
    "sgkg_worker_recycles_total", "web workers asked to restart after growing past the limit"
)


def _route() -> str:
    rule = request.url_rule
    return rule.rule if rule is not None else "unmatched"


def _start() -> None:
    g.sgkg_t0 = time.perf_counter()


def _finish(response: Response) -> Response:
    started = g.get("sgkg_t0")
    route = _route()
    if started is not None:
        LATENCY.labels(route).observe(time.perf_counter() - started)
    status = str(response.status_code)
    REQUESTS.labels(route, request.method, status).inc()
    if response.status_code >= 400:
        ERRORS.labels(route, status).inc()
    return response


def exposition() -> Response:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = REGISTRY
    return Response(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)


def init_app(app: Flask) -> None:
    app.before_request(_start)
    app.after_request(_finish)
