"""Real server processes for the tests (and the benchmarks): ``oxigraph serve`` and
``kg serve`` (gunicorn) on free loopback ports, and :func:`require`, which skips a test whose
tool is missing or, under ``KG_REQUIRE_ALL=1`` (set by ``.ci/run``), fails it.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parents[1]
NODE_DIR = ROOT / "tests" / "node"
VENV_BIN = Path(sys.executable).parent
REQUIRE_ALL = os.environ.get("KG_REQUIRE_ALL") == "1"


def require(condition: bool, reason: str) -> None:
    """Skip (or, under ``KG_REQUIRE_ALL=1``, fail) when ``condition`` is false."""
    if condition:
        return
    if REQUIRE_ALL:
        pytest.fail(f"required in CI: {reason}")
    pytest.skip(reason)


def which(name: str) -> str | None:
    found = VENV_BIN / name
    return str(found) if found.exists() else shutil.which(name)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def spawn(argv: list[str], **kwargs) -> subprocess.Popen:
    """Start a server process whose output goes to a temporary log file (an unread pipe
    would fill up and block a long-running server)."""
    log = tempfile.NamedTemporaryFile(prefix="sgkg-server-", suffix=".log", delete=False)  # noqa: SIM115
    proc = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, **kwargs)
    proc.log_path = log.name  # type: ignore[attr-defined]
    log.close()
    return proc


def server_output(proc: subprocess.Popen) -> str:
    path = getattr(proc, "log_path", None)
    if path is None:
        return proc.stdout.read().decode(errors="replace") if proc.stdout else ""
    return Path(path).read_text(errors="replace")


def wait_http(url: str, proc: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            out = server_output(proc)
            raise RuntimeError(f"server exited with {proc.returncode}: {out[-3000:]}")
        with contextlib.suppress(requests.RequestException):
            if requests.get(url, timeout=2).status_code < 500:
                return
        time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer within {timeout}s")


@dataclass
class Process:
    """A started server: its base URL and the process (so a test can stop it)."""

    url: str
    proc: subprocess.Popen

    def stop(self) -> None:
        stop(self.proc)

    @property
    def alive(self) -> bool:
        return self.proc.poll() is None


def stop(proc: subprocess.Popen) -> None:
    """Terminate a server process, then kill it if it lingers."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def start_oxigraph(binary: str, location: Path, data: list[Path] | None = None) -> Process:
    """``oxigraph serve`` on a free port (files loaded first with ``oxigraph load``)."""
    for path in data or []:
        subprocess.run(
            [binary, "load", "--location", str(location), "--file", str(path)],
            check=True,
            capture_output=True,
        )
    port = free_port()
    proc = spawn([binary, "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}"])
    process = Process(f"http://127.0.0.1:{port}", proc)
    try:
        wait_http(process.url + "/query?query=ASK%7B%7D", proc)
    except BaseException:
        process.stop()
        raise
    return process


def start_gunicorn(env: dict[str, str], workers: int = 2) -> Process:
    """``kg serve`` (gunicorn) on a free port with the given ``KG_*`` environment."""
    port = free_port()
    # each server its own dumps folder: `kg serve` writes the dumps of its store there first
    dumps = tempfile.mkdtemp(prefix="sgkg-test-dumps-")
    proc = spawn(
        [sys.executable, "-m", "kg.cli", "serve", "--port", str(port), "--workers", str(workers)],
        env={**os.environ, "KG_QUERY_TIMEOUT": "10", "KG_DUMPS": dumps, **env},
        cwd=ROOT,
    )
    process = Process(f"http://127.0.0.1:{port}", proc)
    try:
        wait_http(process.url + "/sparql?query=ASK%7B%7D", proc)
    except BaseException:
        process.stop()
        raise
    return process


def node_ready() -> bool:
    return (
        which("node") is not None
        and (NODE_DIR / "node_modules" / "@comunica" / "query-sparql").is_dir()
    )


def run_node(script: str, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    """Run ``tests/node/<script>`` with node; stdout is the script's JSON answer."""
    return subprocess.run(
        [which("node") or "node", str(NODE_DIR / script), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=NODE_DIR,
    )
