"""The embedded store's write path: small updates through the one writer process, whole
generations for builds and loads, and what kill -9 leaves behind (issue 10, item 7 and 10).

Real processes throughout: the writer is a real ``python -m kg.store.writer`` found through
its socket, killed with SIGKILL; ``kg load`` runs as a real CLI process."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.store import EmbeddedStore
from kg.store.generations import KEEP_GENERATIONS

G = "http://example.org/g"


def count(store: EmbeddedStore, subject: str | None = None) -> int:
    where = f"<{subject}> ?p ?o" if subject else "?s ?p ?o"
    rows = list(store.query(f"SELECT (COUNT(*) AS ?n) {{ {where} }}"))
    return int(rows[0]["n"].value)


def insert(store: EmbeddedStore, subject: str, value: int) -> None:
    store.update(f"INSERT DATA {{ GRAPH <{G}> {{ <{subject}> <http://example.org/p> {value} }} }}")


def writer_pids(root: Path) -> list[int]:
    """The writer processes of ``root`` (their command line names the store)."""
    pids = []
    needle = str(root.resolve()).encode()
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            cmdline = Path(f"/proc/{entry}/cmdline").read_bytes()
        except OSError:
            continue
        if b"kg.store.writer" in cmdline and needle in cmdline:
            pids.append(int(entry))
    return pids


@pytest.fixture
def store(tmp_path: Path):
    s = EmbeddedStore(tmp_path / "store")
    s.write_dataset([])  # a built, empty store
    yield s
    s.close()
    for pid in writer_pids(tmp_path / "store"):
        os.kill(pid, signal.SIGKILL)


def test_concurrent_writers_read_their_own_writes(store: EmbeddedStore) -> None:
    errors: list[str] = []

    def work(k: int) -> None:
        mine = EmbeddedStore(store.root)
        subject = f"http://example.org/w{k}"
        for i in range(60):
            insert(mine, subject, i)
            seen = count(mine, subject)  # visible to the next read, in any process
            if seen != i + 1:
                errors.append(f"writer {k}: {seen} triples after {i + 1} updates")
        mine.close()

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert count(store) == 240


def test_a_failed_update_changes_nothing_and_names_the_position(store: EmbeddedStore) -> None:
    from kg.errors import QueryError

    insert(store, "http://example.org/a", 1)
    with pytest.raises(QueryError) as info:
        store.update(f"INSERT DATA {{ GRAPH <{G}> {{ <http://example.org/b> ?p 1 }} }}")
    assert "line" in str(info.value).lower() or info.value.line is not None
    # one update that fails half-way (CREATE of an existing graph) is all or nothing
    with pytest.raises(QueryError):
        store.update(
            f"INSERT DATA {{ GRAPH <{G}> {{ <http://example.org/c> <http://example.org/p> 2 }} }};"
            f"CREATE GRAPH <{G}>"
        )
    assert count(store) == 1


def test_graph_store_writes_and_updates_interleave(store: EmbeddedStore) -> None:
    insert(store, "http://example.org/a", 1)
    # a whole-generation write sees the update ...
    store.add_to_graph(
        "http://example.org/h",
        [ox.Quad(ox.NamedNode("http://example.org/h1"), ox.NamedNode("http://p"), ox.Literal("x"))],
    )
    assert count(store) == 2
    # ... and the writer follows the generation it published
    insert(store, "http://example.org/b", 2)
    assert count(store) == 3
    assert sorted(store.named_graphs()) == [G, "http://example.org/h"]


def test_disk_stays_bounded_over_thousands_of_updates(store: EmbeddedStore) -> None:
    def work(k: int) -> None:
        mine = EmbeddedStore(store.root)
        for i in range(500):
            insert(mine, f"http://example.org/w{k}", i)
        mine.close()

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert count(store) == 2000
    root = store.root
    gens = [p for p in root.iterdir() if p.name.startswith("gen-")]
    # the newest few, plus at most one per open reader (this process's, retired ones)
    assert len(gens) <= KEEP_GENERATIONS + 4, sorted(p.name for p in gens)
    assert not [p for p in root.iterdir() if p.name.endswith(".tmp")]
    for folder in [*gens, root / "live"]:
        names = os.listdir(folder)
        assert not [n for n in names if n.startswith("LOG.old")], folder
        assert sum(n.endswith(".sst") for n in names) < 200, (folder, len(names))
    size = sum(f.stat().st_size for f in root.rglob("*") if f.is_file())
    assert size < 64 * 1024 * 1024, size  # 2000 triples; the old path took gigabytes


def test_kill_9_of_the_writer_loses_no_acknowledged_update(store: EmbeddedStore) -> None:
    insert(store, "http://example.org/start", 0)  # starts the writer
    acknowledged: list[int] = []
    failed: list[int] = []
    reasons: list[str] = []
    stop = threading.Event()

    def work() -> None:
        mine = EmbeddedStore(store.root)
        i = 0
        while not stop.is_set():
            i += 1
            try:
                insert(mine, "http://example.org/k", i)
                acknowledged.append(i)
            except Exception as exc:  # in flight when the writer died: not acknowledged
                failed.append(i)
                reasons.append(f"{type(exc).__name__}: {exc}")
        mine.close()

    thread = threading.Thread(target=work)
    thread.start()
    for _ in range(3):
        deadline = time.monotonic() + 10
        before = len(acknowledged)
        while len(acknowledged) < before + 40 and time.monotonic() < deadline:
            time.sleep(0.01)
        pids = writer_pids(store.root)
        assert pids, "no writer process found"
        for pid in pids:
            os.kill(pid, signal.SIGKILL)
    time.sleep(0.2)
    stop.set()
    thread.join()
    assert len(acknowledged) >= 120
    rows = store.query(f"SELECT ?o {{ GRAPH <{G}> {{ <http://example.org/k> ?p ?o }} }}")
    present = {int(r["o"].value) for r in rows}
    lost = set(acknowledged) - present
    assert not lost, f"{len(lost)} acknowledged updates lost"
    # the update in flight, and one that connected to a dying writer, per kill
    assert len(failed) <= 6, reasons


def test_kill_9_during_a_load_leaves_nothing_behind(tmp_path: Path, store: EmbeddedStore) -> None:
    from bench.generate import generate

    insert(store, "http://example.org/before", 1)
    data = tmp_path / "big.nt"
    generate(300_000, data)
    env = {**os.environ, "KG_STORE": str(store.root)}
    load = subprocess.Popen(
        [sys.executable, "-m", "kg.cli", "load", str(data)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:  # kill it while it writes its generation
        if any(p.name.endswith(".tmp") for p in store.root.iterdir()):
            break
        time.sleep(0.02)
    time.sleep(0.5)
    os.kill(load.pid, signal.SIGKILL)
    load.wait()
    leftovers = [p for p in store.root.iterdir() if p.name.endswith(".tmp")]
    assert leftovers, "the load finished before it could be killed: use a bigger file"
    # the next start (a server worker warming up) reclaims it; the data is as before
    fresh = EmbeddedStore(store.root)
    fresh.generations.reclaim()
    assert not [p for p in store.root.iterdir() if p.name.endswith(".tmp")]
    assert count(fresh, "http://example.org/before") == 1
    insert(fresh, "http://example.org/after", 2)
    assert count(fresh) == 2
    fresh.close()


@pytest.mark.server
def test_kill_9_of_server_and_writer_during_updates_loses_nothing_acknowledged(
    tmp_path: Path,
) -> None:
    import requests

    from tests.servers import start_gunicorn

    root = tmp_path / "store"
    EmbeddedStore(root).write_dataset([])
    env = {"KG_STORE": str(root), "KG_UPDATE_TOKEN": "kill-token", "KG_RATE_LIMIT_REQUESTS": "0"}
    headers = {"Authorization": "Bearer kill-token", "Content-Type": "application/sparql-update"}
    server = start_gunicorn(env, workers=2)
    acknowledged: list[int] = []
    stop = threading.Event()

    def work(k: int) -> None:
        session = requests.Session()
        i = 0
        while not stop.is_set():
            i += 1
            n = k * 100_000 + i
            try:
                response = session.post(
                    server.url + "/update",
                    data=f"INSERT DATA {{ GRAPH <{G}> {{ <http://example.org/n> "
                    f"<http://example.org/p> {n} }} }}",
                    headers=headers,
                    timeout=10,
                )
            except requests.RequestException:
                return  # the server is gone
            if response.status_code == 204:
                acknowledged.append(n)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 30
    while len(acknowledged) < 150 and time.monotonic() < deadline:
        time.sleep(0.02)
    # everything at once: gunicorn's master and workers, their query processes, the writer
    victims = [server.proc.pid, *writer_pids(root)]
    children = subprocess.run(
        ["pgrep", "-P", str(server.proc.pid)], capture_output=True, text=True
    ).stdout.split()
    victims += [int(c) for c in children]
    for pid in victims:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    stop.set()
    for t in threads:
        t.join()
    server.proc.wait()
    assert len(acknowledged) >= 150

    again = start_gunicorn(env, workers=1)  # a new start on what was left
    try:
        rows = requests.post(
            again.url + "/sparql",
            data=f"SELECT ?o {{ GRAPH <{G}> {{ <http://example.org/n> ?p ?o }} }}",
            headers={
                "Content-Type": "application/sparql-query",
                "Accept": "application/sparql-results+json",
            },
            timeout=30,
        ).json()["results"]["bindings"]
    finally:
        again.stop()
    present = {int(r["o"]["value"]) for r in rows}
    lost = set(acknowledged) - present
    assert not lost, f"{len(lost)} of {len(acknowledged)} acknowledged updates lost"
    assert not [p for p in root.iterdir() if p.name.endswith(".tmp")]
    for pid in writer_pids(root):
        os.kill(pid, signal.SIGKILL)


def test_an_update_past_the_timeout_is_stopped_and_nothing_is_lost(tmp_path: Path) -> None:
    from kg.errors import QueryTimeout

    root = tmp_path / "store"
    store = EmbeddedStore(root, update_timeout=1.5)
    store.write_dataset(
        [
            ox.Quad(
                ox.NamedNode(f"http://example.org/s{i}"),
                ox.NamedNode("http://p"),
                ox.Literal(i),
                ox.NamedNode(G),
            )
            for i in range(300)
        ]
    )
    insert(store, "http://example.org/kept", 1)  # acknowledged just before
    runaway = (  # a cartesian product of 300^4 rows: runs for minutes
        "INSERT { GRAPH <http://example.org/x> { ?a <http://p> ?d } } "
        "WHERE { GRAPH ?g1 { ?a ?p ?b } GRAPH ?g2 { ?c ?q ?d } GRAPH ?g3 { ?e ?r ?f } "
        "GRAPH ?g4 { ?g ?t ?h } }"
    )
    started = time.monotonic()
    with pytest.raises(QueryTimeout, match="stopped"):
        store.update(runaway)
    assert time.monotonic() - started < 30  # stopped, not left running
    assert count(store, "http://example.org/kept") == 1
    assert "http://example.org/x" not in store.named_graphs()
    insert(store, "http://example.org/after", 2)  # a new writer takes over
    assert count(store, "http://example.org/after") == 1
    store.close()
    for pid in writer_pids(root):
        os.kill(pid, signal.SIGKILL)
