"""Talking to the store's writer process (:mod:`kg.store.writer`): find it, start it, send it
an update and wait for the acknowledgement — from any process (gunicorn workers, the CLI).

Frames on the socket: 4-byte length + UTF-8 JSON, ``{"op": "update", "sparql": …,
"base_iri": …}`` → ``{"ok": true}`` or ``{"ok": false, "type": "SyntaxError", "message": …}``.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from kg.sockets import recv_exact

_LEN = struct.Struct("!I")
MAX_FRAME = 64 * 1024 * 1024


def address(root: Path) -> str:
    """The abstract socket of the writer of ``root`` (no file, no path-length limit)."""
    digest = hashlib.sha256(str(Path(root).resolve()).encode()).hexdigest()[:24]
    return f"\0sgkg-writer-{digest}"


def send_frame(sock: socket.socket, obj: dict[str, Any]) -> None:
    data = json.dumps(obj).encode()
    sock.sendall(_LEN.pack(len(data)) + data)


def recv_frame(sock: socket.socket) -> dict[str, Any] | None:
    """The next frame, or None when the other side has gone."""
    try:
        (size,) = _LEN.unpack(recv_exact(sock, _LEN.size))
        if size > MAX_FRAME:
            raise ValueError("frame too large")
        body = recv_exact(sock, size)
    except EOFError:
        return None
    result: dict[str, Any] = json.loads(body)
    return result


# --- the client side: any process that wants to update -------------------------------------

_spawned: dict[str, float] = {}
_spawn_lock = threading.Lock()


def ensure_running(root: Path, memory_mb: int | None = None) -> None:
    """Start a writer for ``root`` unless one answers (at most one start per second here).

    ``memory_mb`` (``KG_MAX_MEMORY_MB``) bounds what one update may add to the writer."""
    key = address(root)
    with _spawn_lock:
        if time.monotonic() - _spawned.get(key, -10.0) < 1.0:
            return
        _spawned[key] = time.monotonic()
    with contextlib.suppress(OSError), socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.connect(key)
        return
    root = Path(root).resolve()
    root.mkdir(parents=True, exist_ok=True)
    with open(root / "writer.log", "ab") as log_file:  # the writer's faults, for operators
        subprocess.Popen(  # noqa: S603 - our own module, by the running interpreter
            [sys.executable, "-m", "kg.store.writer", str(root), str(memory_mb or 0)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=log_file,
            start_new_session=True,  # outlives a recycled web worker; exits when idle
            close_fds=True,
        )


def _connect(root: Path, timeout: float, memory_mb: int | None = None) -> socket.socket:
    key = address(root)
    deadline = time.monotonic() + timeout
    delay = 0.005
    while True:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            sock.connect(key)
            return sock
        except OSError:
            sock.close()
            if time.monotonic() > deadline:
                raise
            ensure_running(root, memory_mb)
            time.sleep(delay)
            delay = min(delay * 2, 0.1)


def _wait_gone(pid: int, timeout: float = 5.0) -> None:
    """Wait until ``pid`` no longer runs (or is a zombie: its socket is closed then)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with open(f"/proc/{pid}/stat", "rb") as stat:
                if stat.read().rsplit(b")", 1)[1].split()[0] == b"Z":
                    return
        except (OSError, IndexError):
            return
        time.sleep(0.01)


def peer_credentials(sock: socket.socket) -> tuple[int, int]:
    """(pid, uid) of the process at the other end of a Unix socket (``SO_PEERCRED``)."""
    with contextlib.suppress(OSError):
        creds = sock.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
        pid, uid, _gid = struct.unpack("3i", creds)
        return pid, uid
    return 0, -1


_ERROR_TYPES: dict[str, type[Exception]] = {
    "SyntaxError": SyntaxError,
    "ValueError": ValueError,
    "RuntimeError": RuntimeError,
    "OSError": OSError,
    "MemoryError": MemoryError,
}


def submit(
    root: Path, request: dict[str, Any], timeout: float = 120.0, memory_mb: int | None = None
) -> None:
    """Send one request to the writer of ``root`` and wait for its acknowledgement.

    Raises the engine's own exception type (``SyntaxError``, ``OSError`` …) on refusal.
    An update still running after ``timeout`` seconds is stopped the only way pyoxigraph
    allows, by killing the writer (SIGKILL: the update is not committed, nothing
    acknowledged is lost, the next writer publishes it): :class:`TimeoutError`."""
    sock = _connect(root, timeout=min(timeout, 30.0), memory_mb=memory_mb)
    with sock:
        sock.settimeout(timeout)
        send_frame(sock, request)
        try:
            reply = recv_frame(sock)
        except TimeoutError:
            pid = peer_credentials(sock)[0]
            if pid:
                with contextlib.suppress(OSError):
                    os.kill(pid, signal.SIGKILL)
                _wait_gone(pid)  # the next update must not reach the dying writer
            raise TimeoutError(
                f"the update ran past {timeout:g} s and was stopped; none of it was applied"
            ) from None
    if reply is None:
        raise OSError("the store's writer process went away before answering")
    if not reply.get("ok"):
        kind = str(reply.get("type", "RuntimeError"))
        raise _ERROR_TYPES.get(kind, RuntimeError)(str(reply.get("message", "update failed")))
