"""Endpoint benchmark: our ``kg serve`` against ``oxigraph serve`` on the same data.

``python -m bench.bench_endpoint [-n 1000000] [--requests 30] [--seconds 3]``

Data: the generated geopolitical graph (``bench.generate``, N triples; reused when the file
exists) plus, with ``--article``, the article graph (a full ``kg build``: slow); loaded
into our embedded store and into an ``oxigraph serve`` store. Query mix: ASK {}, point
lookup, 2-hop join with FILTER, GROUP BY aggregate, CONSTRUCT and DESCRIBE of one entity,
label search. Every
request carries a distinct comment so that neither server answers from a cache: these are
engine + protocol numbers. For each query: median and p99 latency with 1 client, and
throughput with 8 clients (threads with keep-alive sessions). Ratios ours/oxigraph are
printed and written to ``bench/results/endpoint.json``.

Targets: engine-bound queries median ≤ 1.2× and throughput ≥ 0.8× oxigraph; light queries
throughput ≥ 0.25×.
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
SG = "https://w3id.org/sgkg/ontology/"
GEN = "https://example.org/bench/"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"

QUERIES: dict[str, tuple[str, str, bool]] = {
    # name: (query, Accept, engine-bound?)
    "ask": ("ASK {}", "application/sparql-results+json", False),
    "point": (
        f"SELECT ?p ?o WHERE {{ <{GEN}id/country/7> ?p ?o }}",
        "application/sparql-results+json",
        False,
    ),
    "join2_filter": (
        f"SELECT ?b ?m ?l WHERE {{ ?b <{SG}hasMember> ?m . ?m <{RDFS_LABEL}> ?l "
        'FILTER(lang(?l) = "en") }',
        "application/sparql-results+json",
        True,
    ),
    "group_by": (
        "SELECT ?t (COUNT(*) AS ?n) WHERE { ?s a ?t } GROUP BY ?t ORDER BY DESC(?n)",
        "application/sparql-results+json",
        True,
    ),
    "construct": (
        f"CONSTRUCT {{ <{GEN}id/country/7> ?p ?o }} WHERE {{ <{GEN}id/country/7> ?p ?o }}",
        "text/turtle",
        False,
    ),
    "describe": (f"DESCRIBE <{GEN}id/country/7>", "text/turtle", False),
    "label_search": (
        f"SELECT ?s ?l WHERE {{ ?s <{RDFS_LABEL}> ?l "
        'FILTER(CONTAINS(LCASE(STR(?l)), "mar")) } LIMIT 50',
        "application/sparql-results+json",
        True,
    ),
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait(url: str, proc: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{proc.args} exited with {proc.returncode}")
        with contextlib.suppress(requests.RequestException):
            if requests.get(url, timeout=2).status_code < 500:
                return
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not come up")


@contextlib.contextmanager
def running(cmd: list[str], url: str, env: dict[str, str] | None = None) -> Iterator[None]:
    proc = subprocess.Popen(
        cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT
    )
    try:
        wait(url, proc)
        yield
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def load_ours(store_dir: Path, data: Path, article: bool) -> None:
    import pyoxigraph as ox

    from kg.store import EmbeddedStore

    store = EmbeddedStore(store_dir)
    if article:  # a full `kg build` (SHACL included) first: minutes, and tiny next to N
        try:
            from kg.build import build

            build(store, reasoner=False)
        except Exception as exc:  # the generated graph is the load that matters
            print(f"  (article graph not built: {exc.__class__.__name__}: {exc})")
    with store.writer() as oxstore:
        oxstore.bulk_load(
            path=str(data), format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(GEN + "graph")
        )


def measure(url: str, query: str, accept: str, n: int, seconds: float) -> dict[str, float]:
    counter = itertools.count()
    session = requests.Session()

    def once(s: requests.Session) -> float:
        q = f"{query}\n# run {next(counter)}"
        started = time.perf_counter()
        r = s.get(url, params={"query": q}, headers={"Accept": accept}, timeout=120)
        elapsed = time.perf_counter() - started
        if r.status_code != 200:
            raise RuntimeError(f"{url}: {r.status_code} {r.text[:300]}")
        return elapsed

    for _ in range(3):
        once(session)
    latencies = sorted(once(session) for _ in range(n))
    done = 0
    lock = threading.Lock()
    stop_at = time.perf_counter() + seconds

    def client() -> None:
        nonlocal done
        s = requests.Session()
        while time.perf_counter() < stop_at:
            once(s)
            with lock:
                done += 1

    started = time.perf_counter()
    threads = [threading.Thread(target=client) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    return {
        "median_ms": statistics.median(latencies) * 1000,
        "p99_ms": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000,
        "throughput_rps": done / elapsed,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.bench_endpoint", description=__doc__)
    parser.add_argument("-n", type=int, default=1_000_000, help="generated triples")
    parser.add_argument("--requests", type=int, default=30, help="sequential requests per query")
    parser.add_argument("--seconds", type=float, default=3.0, help="8-client phase per query")
    parser.add_argument("--workers", type=int, default=2, help="kg serve worker processes")
    parser.add_argument("--article", action="store_true", help="also `kg build` the article")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "endpoint.json")
    args = parser.parse_args(argv)
    oxigraph = shutil.which("oxigraph", path=f"{VENV_BIN}:{os.environ.get('PATH', '')}")
    if oxigraph is None:
        print("the `oxigraph` binary is missing (pip install oxigraph)", file=sys.stderr)
        return 2
    data = ROOT / "bench" / "data" / f"geo-{args.n}.nt"
    if args.n == 1_000_000 and (ROOT / "bench" / "data" / "geo-1m.nt").exists():
        data = ROOT / "bench" / "data" / "geo-1m.nt"
    if not data.exists():
        print(f"generating {args.n} triples → {data}")
        subprocess.run(
            [sys.executable, "-m", "bench.generate", "-n", str(args.n), "-o", str(data)],
            check=True,
            cwd=ROOT,
        )
    results: dict[str, object] = {"n": args.n, "workers": args.workers, "queries": {}}
    with tempfile.TemporaryDirectory(prefix="sgkg-bench-") as tmp:
        ours_dir, oxi_dir = Path(tmp) / "ours", Path(tmp) / "oxigraph"
        t0 = time.perf_counter()
        load_ours(ours_dir, data, args.article)
        results["load_ours_s"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        subprocess.run(
            [oxigraph, "load", "--location", str(oxi_dir), "--file", str(data)],
            check=True,
            capture_output=True,
        )
        results["load_oxigraph_s"] = time.perf_counter() - t0
        print(
            f"loaded: ours {results['load_ours_s']:.1f} s, "
            f"oxigraph {results['load_oxigraph_s']:.1f} s"
        )
        our_port, oxi_port = free_port(), free_port()
        env = {**os.environ, "KG_STORE": str(ours_dir), "KG_MAX_ROWS": "1000000"}
        ours_cmd = [
            sys.executable,
            "-m",
            "kg.cli",
            "serve",
            "--port",
            str(our_port),
            "--workers",
            str(args.workers),
        ]
        oxi_cmd = [
            oxigraph,
            "serve-read-only",
            "--location",
            str(oxi_dir),
            "--bind",
            f"127.0.0.1:{oxi_port}",
        ]
        ours_url = f"http://127.0.0.1:{our_port}/sparql"
        oxi_url = f"http://127.0.0.1:{oxi_port}/query"
        measured: dict[str, dict[str, dict[str, float]]] = {}
        with running(ours_cmd, f"http://127.0.0.1:{our_port}/healthz", env):
            for name, (query, accept, _) in QUERIES.items():
                measured.setdefault(name, {})["ours"] = measure(
                    ours_url, query, accept, args.requests, args.seconds
                )
        with running(oxi_cmd, f"{oxi_url}?query=ASK%7B%7D"):
            for name, (query, accept, _) in QUERIES.items():
                measured[name]["oxigraph"] = measure(
                    oxi_url, query, accept, args.requests, args.seconds
                )
    print(
        f"{'query':14} {'ours med/p99 ms':>18} {'oxi med/p99 ms':>18} {'rps ours/oxi':>16} "
        f"{'med ×':>6} {'rps ×':>6} target"
    )
    for name, (_, _, engine) in QUERIES.items():
        ours, oxi = measured[name]["ours"], measured[name]["oxigraph"]
        median_ratio = ours["median_ms"] / oxi["median_ms"]
        rps_ratio = ours["throughput_rps"] / oxi["throughput_rps"]
        target = (
            ("med≤1.2 " + ("ok" if median_ratio <= 1.2 else "MISS"))
            + (" rps≥0.8 " + ("ok" if rps_ratio >= 0.8 else "MISS"))
            if engine
            else "rps≥0.25 " + ("ok" if rps_ratio >= 0.25 else "MISS")
        )
        results["queries"][name] = {  # type: ignore[index]
            "engine_bound": engine,
            "ours": ours,
            "oxigraph": oxi,
            "median_ratio": median_ratio,
            "throughput_ratio": rps_ratio,
        }
        print(
            f"{name:14} {ours['median_ms']:8.2f}/{ours['p99_ms']:8.2f} "
            f"{oxi['median_ms']:8.2f}/{oxi['p99_ms']:8.2f} "
            f"{ours['throughput_rps']:7.0f}/{oxi['throughput_rps']:7.0f} "
            f"{median_ratio:6.2f} {rps_ratio:6.2f} {target}"
        )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"written {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
