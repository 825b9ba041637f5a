"""Small SPARQL updates: our `/update` (kg serve, embedded store) against `oxigraph serve`.

The same stream of small, all-different ``INSERT DATA`` updates (one triple each, in a named
graph) is sent by ``--writers`` concurrent clients (default 4) for ``--seconds`` to each
server in one run, over keep-alive HTTP connections. Reported per contender: updates per
second, acknowledgement latency p50/p99, errors, and afterwards the store's size on disk and
(ours) how many generations are left — and, for ours, that every acknowledged update is
there (a count query).

    python -m bench.run --only writes -- --seconds 15 --triples 100000

The issue's target: at least 200 updates/s with 4 writers, disk bounded.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

from bench.generate import generate
from tests.servers import start_gunicorn, start_oxigraph, which

RESULTS = Path(__file__).resolve().parent / "results"
TOKEN = "bench-writes-token"
G = "http://example.org/bench/updates"


def du(path: Path) -> int:
    """Bytes on disk under ``path``, each file once (generations share hard-linked tables)."""
    seen: dict[tuple[int, int], int] = {}
    for f in path.rglob("*"):
        if f.is_file() and not f.is_symlink():
            st = f.stat()
            seen[(st.st_dev, st.st_ino)] = st.st_blocks * 512
    return sum(seen.values())


def drive(url: str, path: str, headers: dict[str, str], writers: int, seconds: float) -> dict:
    """``writers`` threads, each on its own connection, posting updates until time is up."""
    parts = urlsplit(url)
    stop = time.monotonic() + seconds
    latencies: list[float] = []
    errors: list[str] = []
    acked: list[int] = []
    lock = threading.Lock()

    def work(k: int) -> None:
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
        i = 0
        mine: list[float] = []
        while time.monotonic() < stop:
            i += 1
            body = (
                f"INSERT DATA {{ GRAPH <{G}> {{ <http://example.org/w{k}/{i}> "
                f'<http://example.org/p> "{k}-{i}" }} }}'
            )
            t = time.perf_counter()
            try:
                conn.request("POST", path, body=body.encode(), headers=headers)
                response = conn.getresponse()
                response.read()
            except OSError as exc:
                with lock:
                    errors.append(str(exc))
                conn.close()
                conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
                continue
            mine.append(time.perf_counter() - t)
            if response.status >= 300:
                with lock:
                    errors.append(f"{response.status}")
            else:
                with lock:
                    acked.append(1)
        with lock:
            latencies.extend(mine)
        conn.close()

    threads = [threading.Thread(target=work, args=(k,)) for k in range(writers)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    latencies.sort()
    return {
        "updates": len(acked),
        "per_second": round(len(acked) / elapsed, 1),
        "p50_ms": round(statistics.median(latencies) * 1000, 2) if latencies else None,
        "p99_ms": round(latencies[int(len(latencies) * 0.99) - 1] * 1000, 2) if latencies else None,
        "errors": len(errors),
        "error_sample": errors[:3],
    }


def count(url: str, path: str) -> int:
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    query = f"SELECT (COUNT(*) AS ?n) {{ GRAPH <{G}> {{ ?s ?p ?o }} }}"
    conn.request(
        "POST",
        path,
        body=query.encode(),
        headers={
            "Content-Type": "application/sparql-query",
            "Accept": "application/sparql-results+json",
        },
    )
    data = json.loads(conn.getresponse().read())
    return int(data["results"]["bindings"][0]["n"]["value"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--writers", type=int, default=4)
    parser.add_argument("--triples", type=int, default=100_000, help="data in the store first")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers of ours")
    args = parser.parse_args(argv)
    oxigraph = which("oxigraph")
    if oxigraph is None:
        print("bench_writes: the oxigraph CLI is missing", file=sys.stderr)
        return 1
    results: dict[str, dict] = {}
    with tempfile.TemporaryDirectory(prefix="bench-writes-") as tmp:
        work = Path(tmp)
        data = work / "data.nt"
        generate(args.triples, data)
        # ours: kg load into an embedded store, then kg serve with writes enabled
        from kg.load import load_files  # noqa: PLC0415
        from kg.store import EmbeddedStore  # noqa: PLC0415

        ours_root = work / "ours"
        store = EmbeddedStore(ours_root)
        load_files(store, [data], graph="http://example.org/bench/data")
        store.close()
        before = du(ours_root)
        server = start_gunicorn(
            {"KG_STORE": str(ours_root), "KG_UPDATE_TOKEN": TOKEN, "KG_RATE_LIMIT_REQUESTS": "0"},
            workers=args.workers,
        )
        try:
            headers = {
                "Content-Type": "application/sparql-update",
                "Authorization": f"Bearer {TOKEN}",
            }
            ours = drive(server.url, "/update", headers, args.writers, args.seconds)
            ours["present"] = count(server.url, "/sparql")
        finally:
            server.stop()
        ours["disk_before_mb"] = round(before / 1e6, 1)
        ours["disk_after_mb"] = round(du(ours_root) / 1e6, 1)
        ours["generations_left"] = sum(1 for p in ours_root.iterdir() if p.name.startswith("gen-"))
        ours["disk_by_entry_mb"] = {
            p.name: round(du(p) / 1e6, 1) for p in sorted(ours_root.iterdir()) if p.is_dir()
        }
        print("ours on disk after the run:", ours["disk_by_entry_mb"])
        results["kg serve /update"] = ours

        ox_root = work / "oxigraph"
        process = start_oxigraph(oxigraph, ox_root, [data])
        try:
            before = du(ox_root)
            theirs = drive(
                process.url,
                "/update",
                {"Content-Type": "application/sparql-update"},
                args.writers,
                args.seconds,
            )
            theirs["present"] = count(process.url, "/query")
        finally:
            process.stop()
        theirs["disk_before_mb"] = round(before / 1e6, 1)
        theirs["disk_after_mb"] = round(du(ox_root) / 1e6, 1)
        results["oxigraph serve /update"] = theirs

    load = os.getloadavg()[0]
    print(f"\n{args.writers} writers, {args.seconds:.0f} s each, {args.triples} triples first")
    print(
        f"{'contender':26} {'upd/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7} "
        f"{'acked':>7} {'present':>8} {'disk MB':>12}"
    )
    for name, r in results.items():
        print(
            f"{name:26} {r['per_second']:>8} {r['p50_ms']:>8} {r['p99_ms']:>8} {r['errors']:>7} "
            f"{r['updates']:>7} {r['present']:>8} "
            f"{r['disk_before_mb']:>5}→{r['disk_after_mb']:<6}"
        )
    ratio = (
        results["kg serve /update"]["per_second"] / results["oxigraph serve /update"]["per_second"]
    )
    print(f"throughput ratio ours/oxigraph: {ratio:.2f}   (load average {load:.1f})")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "writes.json").write_text(
        json.dumps({"results": results, "ratio": ratio, "load_average": load}, indent=2)
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
