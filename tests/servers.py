"""Real server processes for the tests (and the benchmarks): ``oxigraph serve`` and
``kg serve`` (gunicorn) on ports the kernel picks (bound to port 0, read back from ``/proc``),
Virtuoso 7 (which needs its ports in its ini: free ports), and :func:`require`, which skips a
test whose tool is missing or, under ``KG_REQUIRE_ALL=1`` (set by ``.ci/run``), fails it.
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


def listening_port(proc: subprocess.Popen, timeout: float = 60) -> int:
    """The TCP port a server started with port 0 listens on, read from ``/proc`` (the
    kernel picked it: no race with another test that looked for a free port meanwhile).
    Looks at the process and its children (gunicorn's master listens)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            out = server_output(proc)
            raise RuntimeError(f"server exited with {proc.returncode}: {out[-3000:]}")
        port = _listening_port(proc.pid)
        if port is not None:
            return port
        time.sleep(0.05)
    raise RuntimeError(f"process {proc.pid} did not listen within {timeout}s")


def _listening_port(pid: int) -> int | None:
    inodes: set[str] = set()
    for each in [str(pid), *_children(pid)]:
        with contextlib.suppress(OSError):
            for fd in os.listdir(f"/proc/{each}/fd"):
                with contextlib.suppress(OSError):
                    target = os.readlink(f"/proc/{each}/fd/{fd}")
                    if target.startswith("socket:["):
                        inodes.add(target[8:-1])
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError), open(table) as fh:
            next(fh)
            for line in fh:
                fields = line.split()
                if fields[3] == "0A" and fields[9] in inodes:  # LISTEN
                    return int(fields[1].rsplit(":", 1)[1], 16)
    return None


def _children(pid: int) -> list[str]:
    with contextlib.suppress(OSError), open(f"/proc/{pid}/task/{pid}/children") as fh:
        return fh.read().split()
    return []


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
    proc = spawn([binary, "serve", "--location", str(location), "--bind", "127.0.0.1:0"])
    process = Process("", proc)
    try:
        process.url = f"http://127.0.0.1:{listening_port(proc)}"
        wait_http(process.url + "/query?query=ASK%7B%7D", proc)
    except BaseException:
        process.stop()
        raise
    return process


VIRTUOSO_INI = """\
[Database]
DatabaseFile = {dir}/virtuoso.db
ErrorLogFile = {dir}/virtuoso.log
LockFile = {dir}/virtuoso.lck
TransactionFile = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
MaxCheckpointRemap = 2000
Striping = 0
TempStorage = TempDatabase
[TempDatabase]
DatabaseFile = {dir}/virtuoso-temp.db
TransactionFile = {dir}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping = 0
[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
CheckpointInterval = 60
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
MaxClientConnections = 8
DirsAllowed = ., {dir}
CaseMode = 2
[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {dir}
ServerThreads = 8
MaxClientConnections = 8
Charset = UTF-8
[SPARQL]
; above KG_MAX_ROWS: Virtuoso truncates silently at this many rows
ResultSetMaxRows = 10000000
MaxQueryExecutionTime = 60
MaxQueryCostEstimationTime = 0
"""

_PRIVATE = "http://www.openlinksw.com/schemas/virtrdf#PrivateGraphs"
#: the set-up of docs/deployment.md: SPARQL Update for the endpoint's anonymous user, and
#: Virtuoso's own graphs made private so the union default graph holds our data only
VIRTUOSO_SETUP = " ".join(
    [
        'GRANT SPARQL_UPDATE TO "SPARQL";',
        f"DB.DBA.RDF_GRAPH_GROUP_CREATE ('{_PRIVATE}', 1);",
        *(
            f"DB.DBA.RDF_GRAPH_GROUP_INS ('{_PRIVATE}', '{graph}');"
            for graph in (
                "http://www.openlinksw.com/schemas/virtrdf#",
                "http://www.w3.org/ns/ldp#",
                "http://localuriqaserver/sparql",
            )
        ),
        "DB.DBA.RDF_DEFAULT_USER_PERMS_SET ('nobody', 0, 1);",
        "DB.DBA.RDF_DEFAULT_USER_PERMS_SET ('nobody', 7);",
    ]
)


def virtuoso_binaries() -> tuple[str, str] | None:
    """``(virtuoso-t, isql-vt)`` when the Debian package ``virtuoso-opensource`` is here."""
    server, isql = shutil.which("virtuoso-t"), shutil.which("isql-vt")
    return (server, isql) if server and isql else None


def start_virtuoso(directory: Path, timeout: float = 120) -> Process:
    """Virtuoso 7 with its own ``virtuoso.ini`` in ``directory`` on free loopback ports,
    SPARQL Update granted to the endpoint's user. ``Process.url`` is the store URL
    (``…/sparql#flavour=virtuoso``)."""
    binaries = virtuoso_binaries()
    if binaries is None:
        raise RuntimeError("virtuoso-t / isql-vt not found (apt-get install virtuoso-opensource)")
    server, isql = binaries
    sql_port, http_port = free_port(), free_port()
    ini = directory / "virtuoso.ini"
    ini.write_text(VIRTUOSO_INI.format(dir=directory, sql_port=sql_port, http_port=http_port))
    proc = spawn([server, "+configfile", str(ini), "+foreground"], cwd=directory)
    base = f"http://127.0.0.1:{http_port}"
    process = Process(f"{base}/sparql#flavour=virtuoso", proc)
    try:
        wait_http(f"{base}/sparql?query=ASK%7B%7D", proc, timeout=timeout)
        done = subprocess.run(
            [isql, str(sql_port), "dba", "dba", f"exec={VIRTUOSO_SETUP}"],
            capture_output=True,
            text=True,
            timeout=60,
        )
        if done.returncode != 0 or "Error" in done.stdout + done.stderr:
            raise RuntimeError(f"the Virtuoso set-up failed: {done.stdout}{done.stderr}")
    except BaseException:
        process.stop()
        raise
    process.sql_port = sql_port  # type: ignore[attr-defined]
    return process


def start_gunicorn(env: dict[str, str], workers: int = 2) -> Process:
    """``kg serve`` (gunicorn) on a free port with the given ``KG_*`` environment."""
    # each server its own dumps folder: `kg serve` writes the dumps of its store there first
    dumps = tempfile.mkdtemp(prefix="sgkg-test-dumps-")
    proc = spawn(
        [sys.executable, "-m", "kg.cli", "serve", "--port", "0", "--workers", str(workers)],
        env={**os.environ, "KG_QUERY_TIMEOUT": "10", "KG_DUMPS": dumps, **env},
        cwd=ROOT,
    )
    process = Process("", proc)
    try:
        process.url = f"http://127.0.0.1:{listening_port(proc)}"
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
