"""``kg serve``: the app under gunicorn (gthread workers), the production WSGI server
(``--server granian``: the same app under granian, :func:`_granian`).

* ``settings["WORKERS"]`` processes (``--workers``), :data:`THREADS` threads each (an
  ``args.threads`` attribute overrides it: the benchmark compares layouts); every worker
  creates its own app after the fork (no preload: the store is never opened in the master)
  and starts its pool of query processes (:mod:`kg.store.engine`, one per thread) at once.
* Keep-alive (5 s) and TCP_NODELAY (gunicorn sets it on the listener; accepted sockets
  inherit it): clients reuse connections, small answers are not held back by Nagle.
* A run directory (``$TMPDIR/sgkg-run-*``, :func:`run_dir`) holds what the workers share:
  ``PROMETHEUS_MULTIPROC_DIR`` (set before any worker imports prometheus-client, so /metrics
  adds up all workers, :mod:`server.ops.metrics`) and the rate-limit ledger
  (:mod:`server.ratelimit`). It is removed at exit, and by the next start if the server
  was killed.
* Request lines are not limited by gunicorn (it would answer 400); the app answers 414
  above ``KG_MAX_URL_BYTES`` instead.
* Memory: a worker that has grown by more than ``KG_MAX_MEMORY_MB`` since start-up is
  recycled after the request that grew it (:func:`_post_request`), and every worker after
  about :data:`MAX_REQUESTS` requests; query and validation processes have their own
  address-space limits (kg.store.engine, kg.checks.sandbox).
* Access log off by default (``--access-log``… is not offered: use a proxy); graceful
  shutdown on SIGTERM with a timeout a little above ``KG_QUERY_TIMEOUT``.
"""

from __future__ import annotations

import argparse
import atexit
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gunicorn.app.base import BaseApplication

if TYPE_CHECKING:  # gunicorn is untyped: these are Any to mypy, and name what is passed
    from flask import Flask
    from gunicorn.arbiter import Arbiter
    from gunicorn.http.message import Request
    from gunicorn.http.wsgi import Response
    from gunicorn.workers.base import Worker

#: threads per worker, and query processes per worker (one per thread: no request queues
#: behind a runaway query). Measured on 2 shared cores with 8 clients (bench/bench_endpoint.py
#: --workers W --threads T, 1M triples): 2 × 4, 3 × 2 and 4 × 2 are within the noise of
#: each other (ASK 700–1400 rps, CONSTRUCT 1100–1400 rps), so 4 threads stay.
THREADS = 4
#: requests after which a worker is replaced (slow leaks never accumulate)
MAX_REQUESTS = 50_000


class _Gunicorn(BaseApplication):
    def __init__(self, options: dict[str, Any], app_config: dict[str, Any]) -> None:
        self.options = options
        self.app_config = app_config
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Flask:
        from server import create_app  # noqa: PLC0415

        return create_app(self.app_config)


def _post_worker_init(worker: Worker) -> None:
    """Start the query processes now, not on the first request."""
    from kg.checks.sandbox import rss_bytes  # noqa: PLC0415
    from server.store import get_store  # noqa: PLC0415

    app = worker.wsgi
    with app.app_context():
        get_store().warm()
    worker.sgkg_base_rss = rss_bytes()  # what a worker may grow from (_post_request)


def _post_request(worker: Worker, req: Request, environ: dict[str, Any], resp: Response) -> None:
    """Recycle a worker that grew: past its size after start-up + ``KG_MAX_MEMORY_MB``, it
    stops accepting, finishes its requests and exits; the master starts a fresh one."""
    from kg.checks.sandbox import rss_bytes  # noqa: PLC0415

    base = getattr(worker, "sgkg_base_rss", None)
    if base is None or not worker.alive:
        return
    limit = int(worker.wsgi.config["MAX_MEMORY_MB"]) * 1024 * 1024
    grown = rss_bytes() - base
    if grown > limit:
        from server.ops import metrics  # noqa: PLC0415

        worker.log.warning(
            "worker %s grew by %d MB (KG_MAX_MEMORY_MB=%d): recycling it",
            worker.pid,
            grown // (1024 * 1024),
            limit // (1024 * 1024),
        )
        metrics.WORKER_RECYCLES.inc()
        worker.alive = False


def _worker_exit(server: Arbiter, worker: Worker) -> None:
    app = getattr(worker, "wsgi", None)
    for name in ("kg_store", "kg_sandbox"):  # the store closes its query processes
        helper = app.extensions.get(name) if app is not None else None
        if helper is not None:
            helper.close()


def _child_exit(server: Arbiter, worker: Worker) -> None:
    from prometheus_client import multiprocess  # noqa: PLC0415

    multiprocess.mark_process_dead(worker.pid)


def threads(args: argparse.Namespace) -> int:
    return int(getattr(args, "threads", None) or THREADS)


def options(args: argparse.Namespace, settings: dict[str, Any]) -> dict[str, Any]:
    workers = getattr(args, "workers", None) or settings["WORKERS"]
    sync = getattr(args, "server", None) == "gunicorn-sync"  # bench/bench_light.py compares
    return {
        "bind": f"{args.host}:{args.port}",
        "workers": int(workers),
        "worker_class": "sync" if sync else "gthread",
        "threads": 1 if sync else threads(args),
        "timeout": int(float(settings["QUERY_TIMEOUT"]) + 30),
        "graceful_timeout": int(float(settings["QUERY_TIMEOUT"]) + 5),
        "keepalive": 5,
        "limit_request_line": 0,
        "accesslog": None,
        "errorlog": "-",
        "loglevel": "warning",
        "post_worker_init": _post_worker_init,
        "post_request": _post_request,
        # and every worker is replaced after this many requests anyway (jitter: not all at once)
        "max_requests": MAX_REQUESTS,
        "max_requests_jitter": MAX_REQUESTS // 10,
        "worker_exit": _worker_exit,
        "child_exit": _child_exit,
        "proc_name": "sgkg",
    }


RUN_PREFIX = "sgkg-run-"


def _start_time(pid: int) -> str | None:
    """The kernel's start time of ``pid`` (tells a live process from a reused pid)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat.rsplit(")", 1)[-1].split()[19]


def reclaim_stale(tmp: str | os.PathLike[str]) -> list[Path]:
    """Remove the run directories of servers that are gone (killed: no atexit ran)."""
    removed = []
    for path in Path(tmp).glob(f"{RUN_PREFIX}*"):
        try:
            pid_text, started = (path / "owner").read_text().split()
        except (OSError, ValueError):
            continue  # not ours, or being created right now
        if _start_time(int(pid_text)) != started:
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
    return removed


def run_dir() -> Path:
    """A fresh directory for this server's shared state: Prometheus' multiprocess files
    (``metrics/``) and the rate-limit ledger (``ratelimit.sqlite``). It names its owner
    (pid and start time), so the next ``kg serve`` reclaims it if this one is killed."""
    reclaim_stale(tempfile.gettempdir())
    path = Path(tempfile.mkdtemp(prefix=RUN_PREFIX))
    (path / "metrics").mkdir()
    (path / "owner.tmp").write_text(f"{os.getpid()} {_start_time(os.getpid())}\n")
    (path / "owner.tmp").rename(path / "owner")
    atexit.register(_remove_if_owner, path, os.getpid())
    return path


def _remove_if_owner(path: Path, owner: int) -> None:
    """atexit: forked workers inherit the handler, and must not remove what all share."""
    if os.getpid() == owner:
        shutil.rmtree(path, ignore_errors=True)


def publish_dumps(settings: dict[str, Any]) -> None:
    """Dumps are always published: when an embedded store has none yet (``kg build`` or
    ``kg load`` without ``kg dump``), the first start writes them, so that VoID lists its
    ``void:dataDump`` and /dumps/ answers. ``kg dump`` runs in a child process: the store is
    never opened in the master that forks the workers. A failure is reported, not fatal."""
    from kg.publish.void import read_manifest  # noqa: PLC0415

    store, dumps = str(settings["STORE"]), str(settings["DUMPS"])
    if store.startswith(("http://", "https://")) or not Path(store).is_dir():
        return
    if read_manifest(dumps):
        return
    print(f"kg serve: no dumps yet; writing them to {dumps}", flush=True)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "kg.cli",
            "--store",
            store,
            "--base-iri",
            str(settings["BASE_IRI"]),
            "dump",
            dumps,
        ],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        print(
            f"kg serve: warning: the dumps could not be written: {done.stderr.strip()}", flush=True
        )


def cli(args: argparse.Namespace, settings: dict[str, Any]) -> int:
    publish_dumps(settings)
    run = run_dir()
    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(run / "metrics")
    server = getattr(args, "server", None) or "gunicorn"
    app_config = {
        "STORE": settings["STORE"],
        "BASE_IRI": settings["BASE_IRI"],
        "QUERY_WORKERS": 1 if server == "gunicorn-sync" else threads(args),
        "RATE_LIMIT_DB": str(run / "ratelimit.sqlite"),
        "LEAN_SPARQL": getattr(args, "lean", True),
    }
    if server == "granian":
        try:
            import granian  # noqa: F401, PLC0415
        except ImportError:
            print("kg serve --server granian: granian is not installed (pip install granian)")
            return 2
    print(f"kg serve: http://{args.host}:{args.port}/ (store {settings['STORE']})", flush=True)
    if server == "granian":
        return _granian(args, settings, app_config)
    _Gunicorn(options(args, settings), app_config).run()
    return 0


# --- granian (measured against gunicorn: bench/bench_light.py) ---------------------------

_GRANIAN_CONFIG = "SGKG_GRANIAN_APP_CONFIG"


def granian_app() -> Flask:
    """Granian's factory: the app of one granian worker, its query processes started."""
    import json  # noqa: PLC0415

    from server import create_app  # noqa: PLC0415

    app = create_app(json.loads(os.environ[_GRANIAN_CONFIG]))
    with app.app_context():
        from server.store import get_store  # noqa: PLC0415

        get_store().warm()
    return app


def _granian(args: argparse.Namespace, settings: dict[str, Any], app_config: dict[str, Any]) -> int:
    """The same app under granian (a Rust HTTP server; WSGI calls on a pool of blocking
    threads), ``kg serve --server granian``: workers and threads as for gunicorn, query
    processes started with each worker, metrics shared through the same directory. It
    halves the fixed cost of a light request (bench/bench_light.py) but is not the default:
    a worker that grew is restarted when granian's RSS sampling notices it
    (``workers_max_rss``, ``KG_MAX_MEMORY_MB`` above a fresh worker's ~300 MB), not right
    after the request that grew it, and workers are not replaced after a number of
    requests."""
    import json  # noqa: PLC0415

    from granian.constants import Interfaces  # noqa: PLC0415
    from granian.server import Server  # noqa: PLC0415

    os.environ[_GRANIAN_CONFIG] = json.dumps(app_config)
    workers = int(getattr(args, "workers", None) or settings["WORKERS"])
    Server(
        "server.serve:granian_app",
        address=args.host,
        port=int(args.port),
        interface=Interfaces.WSGI,
        workers=workers,
        blocking_threads=threads(args),
        factory=True,
        websockets=False,
        log_access=False,
        respawn_failed_workers=True,
        workers_max_rss=int(settings["MAX_MEMORY_MB"]) + 300,
        workers_kill_timeout=int(float(settings["QUERY_TIMEOUT"]) + 5),
    ).serve()
    return 0
