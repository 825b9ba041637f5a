"""Memory ceilings and leftovers (issue 10): a query over ``KG_MAX_MEMORY_MB`` is a 503 naming
the limit and the server goes on; a worker that grew is recycled; a killed server's run
directory (metrics, rate-limit ledger) is reclaimed by the next start."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest
import requests

from server.serve import RUN_PREFIX
from tests.servers import start_gunicorn

pytestmark = [pytest.mark.server, pytest.mark.slow]

#: sorting a cartesian product holds every row: hundreds of MB within a second or two
HUNGRY = "SELECT ?a ?b ?c { ?a ?p ?o . ?b ?q ?r . ?c ?x ?y } ORDER BY ?a ?b ?c LIMIT 1"


def _workers(master: int) -> list[int]:
    return [int(p) for p in Path(f"/proc/{master}/task/{master}/children").read_text().split()]


def test_a_query_over_the_memory_limit_is_a_503_naming_it(store_dir: Path) -> None:
    server = start_gunicorn(
        {"KG_STORE": str(store_dir), "KG_MAX_MEMORY_MB": "150", "KG_QUERY_TIMEOUT": "120"},
        workers=1,
    )
    try:
        response = requests.post(
            server.url + "/sparql",
            data={"query": HUNGRY},
            headers={"Accept": "application/sparql-results+json"},
            timeout=180,
        )
        assert response.status_code == 503, response.text[:300]
        assert "KG_MAX_MEMORY_MB" in response.text and "150 MB" in response.text
        ok = requests.get(server.url + "/sparql", params={"query": "ASK { ?s ?p ?o }"}, timeout=60)
        assert ok.status_code == 200
    finally:
        server.stop()


def test_a_worker_that_grew_is_recycled(store_dir: Path) -> None:
    server = start_gunicorn({"KG_STORE": str(store_dir), "KG_MAX_MEMORY_MB": "8"}, workers=1)
    try:
        first = _workers(server.proc.pid)
        pages = ["/ontology", "/void", "/search?q=france", "/shapes", "/", "/browse"]
        statuses = []
        deadline = time.monotonic() + 90
        while _workers(server.proc.pid) == first and time.monotonic() < deadline:
            for page in pages:
                statuses.append(
                    requests.get(
                        server.url + page, headers={"Connection": "close"}, timeout=60
                    ).status_code
                )
        assert _workers(server.proc.pid) != first, "the worker was never recycled"
        assert all(status < 500 for status in statuses)
        time.sleep(0.5)
        again = requests.get(server.url + "/void", timeout=60)
        assert again.status_code == 200
    finally:
        server.stop()


def test_a_killed_servers_run_directory_is_reclaimed(store_dir: Path, tmp_path: Path) -> None:
    env = {"KG_STORE": str(store_dir), "TMPDIR": str(tmp_path)}
    killed = start_gunicorn(env, workers=1)
    runs = list(tmp_path.glob(f"{RUN_PREFIX}*"))
    assert len(runs) == 1 and (runs[0] / "metrics").is_dir()
    assert list((runs[0] / "metrics").iterdir())  # the workers wrote their samples there
    os.kill(killed.proc.pid, signal.SIGKILL)
    killed.proc.wait()
    assert runs[0].exists()  # no atexit ran
    second = start_gunicorn(env, workers=1)
    try:
        assert not runs[0].exists()
        assert len(list(tmp_path.glob(f"{RUN_PREFIX}*"))) == 1
    finally:
        second.stop()
    assert not list(tmp_path.glob(f"{RUN_PREFIX}*"))  # a clean stop removes its own
