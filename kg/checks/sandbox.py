"""Heavy or unsafe work in a child process with a memory and time ceiling: one fork per job.

Why: pySHACL validates through rdflib's SPARQL parser, which is not thread-safe (rdflib
#1282, #765): two threads of one gunicorn worker validating at once broke that worker for
good. And one large validation left a worker holding ~1 GB. So validation never runs in a
web process. Each web process owns a :class:`Sandbox`: one small *service* process
(started on first use with multiprocessing's ``forkserver``, so it never inherits an open
RocksDB store or the web worker's threads) that imports the heavy modules once and then,
for each job, ``fork()``s a child that

* sets its limits: data = its size at the fork + ``memory_mb`` (``RLIMIT_DATA``,
  ``KG_MAX_MEMORY_MB``), CPU time = the job's timeout (``RLIMIT_CPU``), and dies with the
  service (``PR_SET_PDEATHSIG``);
* runs ``module:function(*args)`` single-threaded, pickles the answer into a pipe, exits.

The memory of a job is returned to the system when its child exits, so neither the web
process nor the service grows; the service kills a child that outlives the wall-clock
deadline. Jobs of one web process run one at a time (a lock): the service is one loop.

Errors come back typed: a :class:`~kg.errors.KGError` raised in the job keeps its status;
a job that ran out of memory (``MemoryError``, or killed by the allocator's abort) is a 503
naming ``KG_MAX_MEMORY_MB``; a timeout is a 503 naming the time limit.
"""

from __future__ import annotations

import contextlib
import importlib
import logging
import math
import multiprocessing
import os
import pickle
import resource
import select
import signal
import socket
import struct
import sys
import threading
import time
from collections.abc import Iterator
from typing import Any

from kg.errors import KGError, MemoryLimit, QueryTimeout
from kg.sockets import recv_exact

log = logging.getLogger(__name__)
_LENGTH = struct.Struct("!Q")
_MB = 1024 * 1024


class SandboxFailed(KGError):
    """The service process itself failed (not the job): 503, it is restarted."""

    status = 503


class _JobError(KGError):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


# --- frames ----------------------------------------------------------------------------


def _send(sock: socket.socket, obj: Any) -> None:
    data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    sock.sendall(_LENGTH.pack(len(data)) + data)


def _recv(sock: socket.socket) -> Any:
    (length,) = _LENGTH.unpack(recv_exact(sock, _LENGTH.size, "the sandbox"))
    # only ever our own process at the other end of a private socket pair
    return pickle.loads(recv_exact(sock, length, "the sandbox"))  # noqa: S301


# --- limits ----------------------------------------------------------------------------


def data_bytes() -> int:
    """This process's data size (``VmData``: heap and private writable mappings), 0 when
    unknown. Not ``VmSize``: opening RocksDB reserves ~400 MB of address space that is never
    used (thread arenas), while its data grows by what is really allocated."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmData:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0


def rss_bytes(pid: int | str = "self") -> int:
    """Resident set size of a process (``/proc/<pid>/statm``), 0 when unknown."""
    try:
        with open(f"/proc/{pid}/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def limit_memory(memory_mb: int | None) -> None:
    """Let this process allocate at most ``memory_mb`` MB more than it holds now
    (``RLIMIT_DATA``: an allocation past it fails: ``MemoryError`` in Python, an abort in
    native code)."""
    if not memory_mb:
        return
    ceiling = data_bytes() + memory_mb * _MB
    with contextlib.suppress(ValueError, OSError):
        _soft, hard = resource.getrlimit(resource.RLIMIT_DATA)
        if hard != resource.RLIM_INFINITY:
            ceiling = min(ceiling, hard)
        resource.setrlimit(resource.RLIMIT_DATA, (ceiling, hard))


def _die_with_parent() -> None:
    with contextlib.suppress(Exception):
        import ctypes  # noqa: PLC0415

        ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def memory_message(what: str, memory_mb: int | None) -> str:
    return (
        f"the {what} needed more memory than the limit of {memory_mb} MB "
        "(KG_MAX_MEMORY_MB) and was stopped"
    )


def timeout_message(what: str, timeout: float) -> str:
    return f"the {what} exceeded the time limit of {timeout:g} s (KG_QUERY_TIMEOUT); it was stopped"


# --- the service process ---------------------------------------------------------------


def _call(target: str, args: tuple[Any, ...]) -> Any:
    module, _, name = target.partition(":")
    return getattr(importlib.import_module(module), name)(*args)


def _child(
    write_fd: int, target: str, args: tuple, timeout: float, memory_mb: int | None, what: str
) -> None:
    """In the forked child: limits, the job, the answer into the pipe. Never returns."""
    try:
        _die_with_parent()
        limit_memory(memory_mb)
        cpu = max(1, math.ceil(timeout))
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 2))
        try:
            answer: tuple = ("ok", _call(target, args))
        except KGError as exc:
            answer = ("error", exc.status, exc.message)
        except MemoryError:
            answer = ("error", 503, memory_message(what, memory_mb))
        except Exception as exc:  # a fault of the job: a 500 without a trace
            answer = ("error", 500, f"the {what} failed: {exc.__class__.__name__}: {exc}")
        try:
            data = pickle.dumps(answer, protocol=pickle.HIGHEST_PROTOCOL)
        except MemoryError:
            data = pickle.dumps(("error", 503, memory_message(what, memory_mb)))
        view = memoryview(data)
        while view:
            written = os.write(write_fd, view)
            view = view[written:]
    finally:
        os._exit(0)


def run_forked(target: str, args: tuple, timeout: float, memory_mb: int | None, what: str) -> tuple:
    """Run one job in a forked child; ("ok", value) or ("error", status, message)."""
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        os.close(read_fd)
        _child(write_fd, target, args, timeout, memory_mb, what)
    os.close(write_fd)
    deadline = time.monotonic() + timeout
    chunks: list[bytes] = []
    timed_out = False
    try:
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                timed_out = True
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
                break
            ready, _, _ = select.select([read_fd], [], [], remaining)
            if not ready:
                continue
            chunk = os.read(read_fd, 1 << 20)
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(read_fd)
        _, status = os.waitpid(pid, 0)
    if timed_out:
        return ("error", 503, timeout_message(what, timeout))
    data = b"".join(chunks)
    if data:
        with contextlib.suppress(Exception):
            return pickle.loads(data)  # noqa: S301  (our own child)
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        if sig == signal.SIGXCPU:
            return ("error", 503, timeout_message(what, timeout))
        # an allocation that fails in native code aborts (Rust) or faults
        return ("error", 503, memory_message(what, memory_mb) + f" (signal {sig})")
    return ("error", 500, f"the {what} ended without an answer (exit status {status})")


def _service_main(sock: socket.socket, preload: tuple[str, ...], memory_mb: int | None) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _die_with_parent()
    for module in preload:
        importlib.import_module(module)
    while True:
        try:
            target, args, timeout, what, warm = _recv(sock)
        except (EOFError, OSError, struct.error):
            return
        if warm is not None:  # e.g. parse a schema once, here, for every forked job
            try:
                _call(*warm)
            except Exception as exc:
                log.warning("sandbox warm-up %s failed: %s", warm[0], exc)
        try:
            answer = run_forked(target, args, timeout, memory_mb, what)
        except Exception as exc:  # fork failed (no memory, no pids)
            answer = ("error", 503, f"the {what} could not be started: {exc}")
        try:
            _send(sock, answer)
        except OSError:
            return


# --- in the web process ----------------------------------------------------------------


@contextlib.contextmanager
def _main_hidden() -> Iterator[None]:
    """Start the service without re-running the parent's ``__main__`` in it (gunicorn's
    script, pytest); the service's code lives in this module (as in kg.store.engine)."""
    main = sys.modules.get("__main__")
    if main is None:
        yield
        return
    saved: dict[str, Any] = {
        n: main.__dict__[n] for n in ("__file__", "__spec__") if n in main.__dict__
    }
    main.__dict__.pop("__file__", None)
    if "__spec__" in saved:
        main.__dict__["__spec__"] = None
    try:
        yield
    finally:
        main.__dict__.update(saved)


class Sandbox:
    """One service process per web process (see the module doc); thread-safe."""

    #: seconds a first call may spend starting the service and importing ``preload``
    START_SECONDS = 60.0

    def __init__(self, preload: tuple[str, ...] = (), memory_mb: int | None = None) -> None:
        self.preload = preload
        self.memory_mb = memory_mb
        self.pid = os.getpid()
        self._lock = threading.Lock()
        self._process: Any = None
        self._sock: socket.socket | None = None
        self.jobs = 0

    def _start(self) -> socket.socket:
        ctx = multiprocessing.get_context("forkserver")
        parent, child = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        process = ctx.Process(
            target=_service_main,
            args=(child, self.preload, self.memory_mb),
            name="sgkg-sandbox",
            daemon=True,
        )
        with _main_hidden():
            process.start()
        child.close()
        self._process, self._sock = process, parent
        return parent

    def _stop(self) -> None:
        process, sock = self._process, self._sock
        self._process = self._sock = None
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.close()
        if process is not None:
            with contextlib.suppress(Exception):
                os.kill(process.pid, signal.SIGKILL)
            with contextlib.suppress(Exception):
                process.join(timeout=2)

    def call(
        self,
        target: str,
        *args: Any,
        timeout: float,
        what: str = "job",
        warm: tuple[str, tuple[Any, ...]] | None = None,
    ) -> Any:
        """``module:function(*args)`` in a forked child; its value, or its typed error.
        ``warm`` = (target, args) runs in the service first (trusted input only: a memo the
        forked children inherit)."""
        if not self._lock.acquire(timeout=timeout):
            raise QueryTimeout(
                f"the {what} waited {timeout:g} s (KG_QUERY_TIMEOUT) for the one running "
                "before it in this worker; try again"
            )
        try:
            sock = self._sock or self._start()
            wait = timeout + 5 + (self.START_SECONDS if self.jobs == 0 else 0)
            try:
                sock.settimeout(None)
                _send(sock, (target, args, timeout, what, warm))
                sock.settimeout(wait)
                answer = _recv(sock)
            except (OSError, EOFError, struct.error, pickle.PickleError) as exc:
                log.error("sandbox service failed: %s", exc)
                self._stop()
                raise SandboxFailed(f"the {what} could not be run ({exc}); try again") from exc
            self.jobs += 1
        finally:
            self._lock.release()
        if answer[0] == "ok":
            return answer[1]
        _, status, message = answer
        if status == 503 and "KG_MAX_MEMORY_MB" in message:
            raise MemoryLimit(message)
        raise _JobError(status, message)

    def close(self) -> None:
        with self._lock:
            self._stop()
