"""``kg serve``: the app under gunicorn (gthread workers), the production WSGI server.

* ``settings["WORKERS"]`` processes (``--workers``), :data:`THREADS` threads each (an
  ``args.threads`` attribute overrides it: the benchmark compares layouts); every worker
  creates its own app after the fork (no preload: the store is never opened in the master)
  and starts its pool of query processes (:mod:`server.executor`, one per thread) at once.
* Keep-alive (5 s) and TCP_NODELAY (gunicorn sets it on the listener; accepted sockets
  inherit it): clients reuse connections, small answers are not held back by Nagle.
* ``PROMETHEUS_MULTIPROC_DIR`` is set to a fresh temporary directory before any worker
  imports prometheus-client, so /metrics adds up all workers (:mod:`server.ops.metrics`).
* Request lines are not limited by gunicorn (it would answer 400); the app answers 414
  above ``KG_MAX_URL_BYTES`` instead.
* Access log off by default (``--access-log``… is not offered: use a proxy); graceful
  shutdown on SIGTERM with a timeout a little above ``KG_QUERY_TIMEOUT``.
"""

from __future__ import annotations

import argparse
import atexit
import os
import shutil
import tempfile
from typing import Any

from gunicorn.app.base import BaseApplication

#: threads per worker, and query processes per worker (one per thread: no request queues
#: behind a runaway query). Measured on 2 shared cores with 8 clients (bench/bench_endpoint.py
#: --workers W --threads T, 1M triples): 2 × 4, 3 × 2 and 4 × 2 are within the noise of
#: each other (ASK 700–1400 rps, CONSTRUCT 1100–1400 rps), so 4 threads stay.
THREADS = 4


class _Gunicorn(BaseApplication):
    def __init__(self, options: dict[str, Any], app_config: dict[str, Any]) -> None:
        self.options = options
        self.app_config = app_config
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):  # type: ignore[no-untyped-def]
        from server import create_app  # noqa: PLC0415

        return create_app(self.app_config)


def _post_worker_init(worker) -> None:  # type: ignore[no-untyped-def]
    """Start the query processes now, not on the first request."""
    from server.sparql.query import get_executor  # noqa: PLC0415
    from server.store import get_store  # noqa: PLC0415

    app = worker.wsgi
    with app.app_context():
        if get_store().kind == "embedded":
            get_executor().start()


def _worker_exit(server, worker) -> None:  # type: ignore[no-untyped-def]
    app = getattr(worker, "wsgi", None)
    for name in ("kg_executor", "kg_sandbox"):
        helper = app.extensions.get(name) if app is not None else None
        if helper is not None:
            helper.close()


def _child_exit(server, worker) -> None:  # type: ignore[no-untyped-def]
    from prometheus_client import multiprocess  # noqa: PLC0415

    multiprocess.mark_process_dead(worker.pid)


def threads(args: argparse.Namespace) -> int:
    return int(getattr(args, "threads", None) or THREADS)


def options(args: argparse.Namespace, settings: dict[str, Any]) -> dict[str, Any]:
    workers = getattr(args, "workers", None) or settings["WORKERS"]
    return {
        "bind": f"{args.host}:{args.port}",
        "workers": int(workers),
        "worker_class": "gthread",
        "threads": threads(args),
        "timeout": int(float(settings["QUERY_TIMEOUT"]) + 30),
        "graceful_timeout": int(float(settings["QUERY_TIMEOUT"]) + 5),
        "keepalive": 5,
        "limit_request_line": 0,
        "accesslog": None,
        "errorlog": "-",
        "loglevel": "warning",
        "post_worker_init": _post_worker_init,
        "worker_exit": _worker_exit,
        "child_exit": _child_exit,
        "proc_name": "sgkg",
    }


def cli(args: argparse.Namespace, settings: dict[str, Any]) -> int:
    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        metrics_dir = tempfile.mkdtemp(prefix="sgkg-metrics-")
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = metrics_dir
        atexit.register(shutil.rmtree, metrics_dir, True)
    app_config = {
        "STORE": settings["STORE"],
        "BASE_IRI": settings["BASE_IRI"],
        "QUERY_WORKERS": threads(args),
    }
    print(f"kg serve: http://{args.host}:{args.port}/ (store {settings['STORE']})", flush=True)
    _Gunicorn(options(args, settings), app_config).run()
    return 0
