"""Page benchmark: entity pages and search on a real gunicorn server with 1M extra triples.

``python -m bench.bench_pages [-n 1000000] [--requests 200] [--seconds 5] [--store DIR]``

Data: the article graph (``kg.build``, reasoner off) plus the generated geopolitical graph
(``bench.generate``: N triples of states, blocs, commitments and assertions with labels in
four languages), bulk-loaded into one embedded store (reused with ``--store``). Then
``kg serve`` (gunicorn, 2 workers) answers:

* entity pages (HTML) of the article's entities, round-robin;
* searches (HTML and JSON) for words that hit both the article and the generated labels.

Reported: server-side median and p99 (the ``Server-Timing: app;dur=`` header the pages set),
client-side median, and throughput with 8 client threads (keep-alive sessions) for
``--seconds``. Targets: entity page ≤ 5 ms median and ≥ 500 pages/s; search ≤ 20 ms median.
Results go to ``bench/results/pages.json``.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import itertools
import json
import multiprocessing
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

import requests

from tests.servers import free_port  # one copy of the server-process helpers

ROOT = Path(__file__).resolve().parent.parent
BASE = "https://w3id.org/sgkg/"
SEARCHES = ["france", "ukraine", "coalition", "guarantee", "state 12", "etat", "nato", "russ"]


def prepare_store(path: Path, n: int) -> None:
    """Build the article graph into ``path`` and bulk-load N generated triples beside it."""
    from kg.build import build
    from kg.store import EmbeddedStore

    store = EmbeddedStore(path)
    started = time.perf_counter()
    build(store, reasoner=False)
    print(f"built the article graph in {time.perf_counter() - started:.1f}s")
    name = "geo-1m.nt" if n == 1_000_000 else f"geo-{n}.nt"  # bench.generate's default name
    data = ROOT / "bench" / "data" / name
    if not data.exists():
        data.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [sys.executable, "-m", "bench.generate", "-n", str(n), "-o", str(data)],
            check=True,
            cwd=ROOT,
        )
    import pyoxigraph as ox

    started = time.perf_counter()
    with store.writer() as ox_store:
        ox_store.bulk_load(
            path=str(data),
            format=ox.RdfFormat.N_TRIPLES,
            to_graph=ox.NamedNode(f"{BASE}graph/bench"),
        )
    print(f"loaded {n} extra triples in {time.perf_counter() - started:.1f}s")


def entity_paths(url: str) -> list[str]:
    """Entity pages to ask for: every article entity the search finds for a few words."""
    paths: set[str] = set()
    for word in ("a", "e", "o", "i"):
        r = requests.get(
            f"{url}/search",
            params={"q": word, "size": 100},
            headers={"Accept": "application/json"},
            timeout=30,
        )
        paths.update(h["url"] for h in r.json() if h["url"].startswith("/id/"))
    return sorted(paths) or ["/id/country/france"]


def server_ms(response: requests.Response) -> float:
    match = re.search(r"dur=([\d.]+)", response.headers.get("Server-Timing", ""))
    return float(match.group(1)) if match else float("nan")


def latency(url: str, paths: list[str], count: int, accept: str) -> dict[str, float]:
    session = requests.Session()
    server, client = [], []
    for path in itertools.islice(itertools.cycle(paths), count):
        started = time.perf_counter()
        r = session.get(url + path, headers={"Accept": accept}, timeout=30)
        client.append((time.perf_counter() - started) * 1000)
        assert r.status_code == 200, (path, r.status_code)
        server.append(server_ms(r))
    server.sort()
    return {
        "server_median_ms": round(statistics.median(server), 3),
        "server_p99_ms": round(server[int(len(server) * 0.99) - 1], 3),
        "client_median_ms": round(statistics.median(client), 3),
    }


def _client(job: tuple[str, list[str], str, float, float]) -> int:
    """One client process on one keep-alive connection (a threaded client in one Python
    process tops out near 300 requests/s here and would measure itself, not the server)."""
    host, paths, accept, start_at, stop_at = job
    conn = http.client.HTTPConnection(host, timeout=30)
    while time.time() < start_at:
        time.sleep(0.001)
    done = 0
    for path in itertools.cycle(paths):
        if time.time() > stop_at:
            break
        conn.request("GET", path, headers={"Accept": accept})
        response = conn.getresponse()
        response.read()
        if response.status == 200:
            done += 1
    return done


def throughput(url: str, paths: list[str], seconds: float, clients: int, accept: str) -> float:
    host = url.removeprefix("http://")
    start_at = time.time() + 0.5
    stop_at = start_at + seconds
    jobs = [(host, paths[i:] + paths[:i], accept, start_at, stop_at) for i in range(clients)]
    with multiprocessing.Pool(clients) as pool:
        done = pool.map(_client, jobs)
    return sum(done) / seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("-n", type=int, default=1_000_000, help="extra generated triples")
    parser.add_argument("--requests", type=int, default=200, help="sequential requests per kind")
    parser.add_argument("--seconds", type=float, default=5.0, help="throughput run length")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--store", type=Path, help="reuse (or create) the store here")
    args = parser.parse_args(argv)

    tmp = None
    store_dir = args.store
    if store_dir is None:
        tmp = tempfile.TemporaryDirectory(prefix="bench-pages-")
        store_dir = Path(tmp.name) / "store"
    if not (store_dir / "current").exists():
        prepare_store(store_dir, args.n)

    port = free_port()
    env = {**os.environ, "KG_STORE": str(store_dir)}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "kg.cli",
            "serve",
            "--port",
            str(port),
            "--workers",
            str(args.workers),
        ],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            with contextlib.suppress(requests.RequestException):
                if requests.get(url + "/healthz", timeout=2).status_code < 500:
                    break
            time.sleep(0.1)
        started = time.perf_counter()
        for _ in range(args.workers * 2):  # each worker builds its search index once
            requests.get(url + "/search?q=warmup", timeout=300)
        print(f"search index warm-up: {time.perf_counter() - started:.1f}s")
        pages = entity_paths(url)
        searches = [f"/search?q={quote(q)}" for q in SEARCHES]
        for path in pages + searches:  # warm the label caches of every worker
            for _ in range(args.workers):
                requests.get(url + path, timeout=30)
        results = {
            "extra_triples": args.n,
            "entity_pages": len(pages),
            "entity": latency(url, pages, args.requests, "text/html"),
            "entity_turtle": latency(url, pages, args.requests, "text/turtle"),
            "search_html": latency(url, searches, args.requests, "text/html"),
            "search_json": latency(url, searches, args.requests, "application/json"),
        }
        results["entity"]["pages_per_s"] = round(
            throughput(url, pages, args.seconds, args.clients, "text/html"), 1
        )
        results["search_json"]["per_s"] = round(
            throughput(url, searches, args.seconds, args.clients, "application/json"), 1
        )
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        if tmp is not None:
            tmp.cleanup()
    print(json.dumps(results, indent=2))
    out = ROOT / "bench" / "results" / "pages.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
