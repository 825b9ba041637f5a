"""Killable query execution: a small pool of pre-started worker processes.

pyoxigraph cannot cancel a query (oxigraph#1926): an aggregate over a cartesian product
blocks inside one native ``next()`` call, and a Python thread left behind keeps burning a
core. So queries never run in the web process. Each web (gunicorn) worker owns a pool of
``size`` processes — one per request thread, so concurrent requests never queue behind a
runaway query — started with the ``forkserver`` method: the fork server is a fresh
interpreter that never opened RocksDB (forking a process with the store open is unsafe).

Each process opens the store read-only itself (``EmbeddedStore.reader()``, which reopens
when a new generation is published), runs the query, serializes the answer to bytes with
pyoxigraph's Rust writers and the row cap applied (:mod:`kg.store.results`) and sends
it back. The request thread waits with a deadline; on timeout it SIGKILLs that process,
starts a replacement and raises :class:`QueryTimeout` (503). No process is started per
request.

The protocol is a Unix socket pair per process carrying length-prefixed frames, not a
``multiprocessing.Connection``: the job goes as one small pickled tuple, the answer as a
15-byte header (body length, outcome, header-text length), a short UTF-8 text (kind and
format, or status and message) and the body bytes as the worker produced them, never
pickled (which copied every answer twice). Waiting with the deadline is the socket timeout
of the first ``recv``.

Answers are produced completely before the status line is sent: a timeout or the row cap
must become an error status, never a 200 cut short. The row cap bounds their size.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import pickle
import queue
import select
import signal
import socket
import struct
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from kg.errors import KGError, MemoryLimit, QueryError, QueryTimeout, StoreError, engine_error
from kg.sockets import recv_exact
from kg.store.base import NoAcceptableFormat, QueryAnswer, QueryJob

log = logging.getLogger(__name__)


class _RemoteError(KGError):
    """A typed error raised in a worker, re-raised in the web process with its status."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


#: errors that cross back from a query process as their own type
_TYPED = ("QueryError", "ResultTooLarge", "QueryTimeout", "StoreError", "NotFound")


def _rebuild(text: str) -> KGError:
    """The typed error a worker reported (``status, class, line:column, message``)."""
    from kg.errors import NotFound  # noqa: PLC0415
    from kg.store.base import ResultTooLarge  # noqa: PLC0415

    status, name, where, message = (text.split("\t", 3) + ["", "", ""])[:4]
    line, _, column = where.partition(":")
    if name == "QueryError":
        return QueryError(
            message, line=int(line) if line else None, column=int(column) if column else None
        )
    classes: dict[str, type[KGError]] = {
        "ResultTooLarge": ResultTooLarge,
        "QueryTimeout": QueryTimeout,
        "StoreError": StoreError,
        "NotFound": NotFound,
    }
    if name in classes:
        return classes[name](message)
    return _RemoteError(int(status), message)


# --- the wire format ---------------------------------------------------------------------

#: a query process that waited this long for a job closes a stale generation
_IDLE_RELEASE_SECONDS = 2.0

#: frame header: body length, outcome, length of the UTF-8 text that follows the header
_HEADER = struct.Struct("!QBH")
_OK, _NOT_ACCEPTABLE, _ERROR = 0, 1, 2
#: bodies up to this size are sent in one ``sendall`` with their header (one syscall)
_JOIN_LIMIT = 64 * 1024


def _send_frame(sock: socket.socket, outcome: int, text: str, body: bytes = b"") -> None:
    head = text.encode("utf-8", "replace")[:65535]
    header = _HEADER.pack(len(body), outcome, len(head)) + head
    if len(body) <= _JOIN_LIMIT:
        sock.sendall(header + body)
    else:  # no copy of a large body just to prepend 15 bytes
        sock.sendall(header)
        sock.sendall(body)


def _recv_frame(sock: socket.socket) -> tuple[int, str, bytes]:
    length, outcome, text_length = _HEADER.unpack(recv_exact(sock, _HEADER.size, "the web process"))
    text = recv_exact(sock, text_length).decode("utf-8", "replace") if text_length else ""
    return outcome, text, recv_exact(sock, length) if length else b""


# --- inside the worker process -----------------------------------------------------------


def _dataset_kwargs(ox: Any, job: QueryJob) -> dict[str, Any]:
    kwargs: dict[str, Any] = {}
    try:
        if job.default_graph is not None:
            kwargs["default_graph"] = [ox.NamedNode(g) for g in job.default_graph]
        if job.named_graphs is not None:
            kwargs["named_graphs"] = [ox.NamedNode(g) for g in job.named_graphs]
    except ValueError as exc:
        raise QueryError(f"invalid graph IRI in default-graph-uri/named-graph-uri: {exc}") from exc
    if job.union_default:
        kwargs["use_default_graph_as_union"] = True
    return kwargs


def execute(ox_store: Any, job: QueryJob) -> QueryAnswer:
    """Run ``job`` against a pyoxigraph store and serialize the answer (any process)."""
    import pyoxigraph as ox  # noqa: PLC0415

    from kg.store import results  # noqa: PLC0415
    from kg.store.formats import GRAPH_FORMATS, RESULT_FORMATS, by_name  # noqa: PLC0415

    kwargs = _dataset_kwargs(ox, job)

    def run() -> Any:
        return ox_store.query(job.query, base_iri=job.base_iri, **kwargs)

    try:
        result = run()
        if isinstance(result, ox.QueryBoolean):
            fmt = by_name(job.result_format, RESULT_FORMATS) if job.result_format else None
            if fmt is None or fmt.results is None:
                raise NoAcceptableFormat("boolean")
            return QueryAnswer("boolean", fmt.name, results.serialize_boolean(result, fmt.results))
        if isinstance(result, ox.QuerySolutions):
            if job.result_format is None:
                raise NoAcceptableFormat("solutions")
            body = results.serialize_solutions(result, job.result_format, job.max_rows, run)
            return QueryAnswer("solutions", job.result_format, body)
        fmt = by_name(job.graph_format, GRAPH_FORMATS) if job.graph_format else None
        if fmt is None or fmt.rdf is None:
            raise NoAcceptableFormat("graph")
        return QueryAnswer(
            "graph", fmt.name, results.serialize_triples(result, fmt.rdf, job.max_rows)
        )
    except (SyntaxError, ValueError, RuntimeError, OSError, MemoryError) as exc:
        raise engine_error(exc) from exc  # the one mapping: user errors are 4xx


def _answer_frame(store: Any, payload: bytes) -> tuple[int, str, bytes]:
    """The frame that answers one job: never raises (a fault becomes a 500 frame)."""
    try:
        # the payload comes from our own web process over a private socket pair
        answer = execute(store.reader(), QueryJob(*pickle.loads(payload)))  # noqa: S301
        return _OK, f"{answer.kind}\t{answer.format}", answer.body
    except NoAcceptableFormat as exc:
        return _NOT_ACCEPTABLE, exc.kind, b""
    except KGError as exc:
        name = type(exc).__name__ if type(exc).__name__ in _TYPED else ""
        line = getattr(exc, "line", None)
        column = getattr(exc, "column", None)
        where = f"{line or ''}:{column or ''}"
        reason = getattr(exc, "reason", exc.message)
        return _ERROR, f"{exc.status}\t{name}\t{where}\t{reason}", b""
    except Exception as exc:  # a server fault: reported as such, without a trace
        return _ERROR, f"500\t\t:\tthe query failed: {exc.__class__.__name__}: {exc}", b""


def _worker_main(sock: socket.socket, store_root: str, memory_mb: int | None = None) -> None:
    """Loop: receive a job, answer it. Exits when the web process goes away (EOF)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the parent to handle
    from kg.checks.sandbox import limit_memory  # noqa: PLC0415
    from kg.store.embedded import EmbeddedStore  # noqa: PLC0415

    store = EmbeddedStore(Path(store_root))
    with contextlib.suppress(Exception):
        store.reader()  # open RocksDB first: the limit is on what a query adds
    limit_memory(memory_mb)  # KG_MAX_MEMORY_MB more than now: RLIMIT_DATA (issue 10)
    while True:
        # idle for a while: let go of a generation that is no longer current, so that it
        # can be reclaimed (kg.store.generations) while nobody queries this process
        while not select.select([sock], [], [], _IDLE_RELEASE_SECONDS)[0]:
            store.release_stale()
        try:
            _, _, payload = _recv_frame(sock)
        except (EOFError, OSError):
            return
        try:
            _send_frame(sock, *_answer_frame(store, payload))
        except OSError:
            return


# --- in the web process ------------------------------------------------------------------


@contextlib.contextmanager
def _main_hidden() -> Iterator[None]:
    """Start children without re-running the parent's ``__main__`` in them.

    multiprocessing re-imports ``__main__`` in every child (by module name or by path):
    gunicorn's script, pytest, ``python -`` (which fails: there is no file). The worker
    needs none of it — its code lives in this module — so the hints are hidden meanwhile.
    """
    main = sys.modules.get("__main__")
    if main is None:
        yield
        return
    saved: dict[str, Any] = {
        name: main.__dict__[name] for name in ("__file__", "__spec__") if name in main.__dict__
    }
    for name in saved:
        main.__dict__[name] = None if name == "__spec__" else main.__dict__.pop(name)
    main.__dict__.pop("__file__", None)
    try:
        yield
    finally:
        main.__dict__.update(saved)


class _Worker:
    def __init__(self, ctx: Any, store_root: str, memory_mb: int | None = None) -> None:
        parent, child = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock = parent
        self.process = ctx.Process(
            target=_worker_main,
            args=(child, store_root, memory_mb),
            name="sgkg-query",
            daemon=True,
        )
        with _main_hidden():
            self.process.start()
        child.close()

    def ask(self, payload: bytes, deadline: float) -> tuple[int, str, bytes]:
        """Send a job and wait for its frame until ``deadline`` (``socket.timeout`` after)."""
        sock = self.sock
        sock.settimeout(None)
        _send_frame(sock, _OK, "", payload)
        sock.settimeout(max(0.0, deadline - time.monotonic()))
        head = recv_exact(sock, _HEADER.size, "the query process")
        length, outcome, text_length = _HEADER.unpack(head)
        # the worker writes a whole frame at once: the rest follows without waiting
        sock.settimeout(max(1.0, deadline - time.monotonic()))
        text = recv_exact(sock, text_length).decode("utf-8", "replace") if text_length else ""
        return outcome, text, recv_exact(sock, length) if length else b""

    def kill(self) -> None:
        with contextlib.suppress(Exception):
            if self.process.pid is not None:
                os.kill(self.process.pid, signal.SIGKILL)
        with contextlib.suppress(Exception):
            self.process.join(timeout=2)
        with contextlib.suppress(Exception):
            self.sock.close()


class Executor:
    """A pool of ``size`` query processes for one web process (see the module doc)."""

    def __init__(
        self, store_root: str | os.PathLike[str], size: int = 4, memory_mb: int | None = None
    ) -> None:
        self.store_root = str(store_root)
        self.size = max(1, size)
        self.memory_mb = memory_mb
        self.pid = os.getpid()
        self._ctx = multiprocessing.get_context("forkserver")
        with contextlib.suppress(ValueError):
            self._ctx.set_forkserver_preload(["kg.store.engine", "kg.store.results"])
        self._idle: queue.LifoQueue[_Worker] = queue.LifoQueue()
        self._all: set[_Worker] = set()
        self._lock = threading.Lock()
        self._started = False
        self.timeouts = 0

    def start(self) -> None:
        """Start the processes now (``kg serve`` warms each web worker this way)."""
        with self._lock:
            if self._started:
                return
            self._started = True
            for _ in range(self.size):
                self._add()

    def _add(self) -> None:
        worker = _Worker(self._ctx, self.store_root, self.memory_mb)
        self._all.add(worker)
        self._idle.put(worker)

    def _replace(self, worker: _Worker) -> None:
        worker.kill()
        with self._lock:
            self._all.discard(worker)
            self._add()

    def run(self, job: QueryJob, timeout: float, limit: float | None = None) -> QueryAnswer:
        """Answer ``job`` within ``timeout`` seconds or raise :class:`QueryTimeout`
        (whose message names ``limit``, the configured time limit, if given)."""
        limit = timeout if limit is None else limit
        if not self._started:
            self.start()
        deadline = time.monotonic() + timeout
        payload = pickle.dumps(tuple(vars(job).values()), protocol=pickle.HIGHEST_PROTOCOL)
        try:
            worker = self._idle.get(timeout=timeout)
        except queue.Empty:
            raise QueryTimeout(
                f"query exceeded the time limit of {limit:g} s (KG_QUERY_TIMEOUT) "
                "while waiting for a free query worker"
            ) from None
        healthy = False
        try:
            try:
                outcome, text, body = worker.ask(payload, deadline)
            except TimeoutError:
                self.timeouts += 1
                raise QueryTimeout(
                    f"query exceeded the time limit of {limit:g} s (KG_QUERY_TIMEOUT); "
                    "it was stopped"
                ) from None
            except (EOFError, OSError, struct.error) as exc:
                log.error("query worker %s died: %s", worker.process.pid, exc)
                raise MemoryLimit(  # the allocator aborts a process at its RLIMIT_DATA
                    f"the query process stopped while answering, at its memory limit of "
                    f"{self.memory_mb} MB (KG_MAX_MEMORY_MB) or by a crash; it was restarted"
                ) from exc
            healthy = True
        finally:
            if healthy:
                self._idle.put(worker)
            else:
                self._replace(worker)
        if outcome == _OK:
            kind, _, fmt = text.partition("\t")
            return QueryAnswer(kind, fmt, body)
        if outcome == _NOT_ACCEPTABLE:
            raise NoAcceptableFormat(text)
        raise _rebuild(text)

    def close(self) -> None:
        with self._lock:
            for worker in list(self._all):
                worker.kill()
            self._all.clear()
            self._started = False
        while not self._idle.empty():
            with contextlib.suppress(queue.Empty):
                self._idle.get_nowait()
