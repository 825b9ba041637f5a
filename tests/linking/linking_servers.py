"""Real server processes for the linking/federation/remote-store tests.

Kept apart from tests/conftest.py (not a package, so its helpers cannot be imported by name);
the semantics of :func:`require` are the same (``KG_REQUIRE_ALL=1`` turns a skip into a
failure).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
NODE_DIR = ROOT / "tests" / "node"
VENV_BIN = Path(sys.executable).parent
REQUIRE_ALL = os.environ.get("KG_REQUIRE_ALL") == "1"


def require(condition: bool, reason: str) -> None:
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


def wait_http(url: str, proc: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            out = proc.stdout.read().decode(errors="replace") if proc.stdout else ""
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
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    @property
    def alive(self) -> bool:
        return self.proc.poll() is None


def start_oxigraph(binary: str, location: Path, data: list[Path] | None = None) -> Process:
    """``oxigraph serve`` on a free port (files loaded first with ``oxigraph load``)."""
    for path in data or []:
        subprocess.run(
            [binary, "load", "--location", str(location), "--file", str(path)],
            check=True,
            capture_output=True,
        )
    port = free_port()
    proc = subprocess.Popen(
        [binary, "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
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
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "kg.cli",
            "serve",
            "--port",
            str(port),
            "--workers",
            str(workers),
        ],
        env={**os.environ, "KG_QUERY_TIMEOUT": "10", **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
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
