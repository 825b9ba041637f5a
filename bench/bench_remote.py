"""Remote-store mode against ``oxigraph serve``: bulk load and query overhead.

    python -m bench.bench_remote                 # 1M triples (generated once, cached)
    python -m bench.bench_remote -n 200000 --repeat 3

Two numbers, each beside the baseline it is judged against:

* **load**: ``RemoteStore.load_file`` into a new graph of a running ``oxigraph serve`` (for
  N-Triples: raw line-aligned 32 MB chunks, two in flight, bulk-loaded by the server into the
  target graph; blank-node lines in one last document), against
  ``oxigraph load`` of the same file into an offline store. Target: throughput ≥ 0.5× of
  ``oxigraph load``.
* **query**: engine-bound queries (small answers, much evaluation) sent to our app under
  gunicorn in remote mode (``KG_STORE=<oxigraph URL>``) against the same queries sent to
  ``oxigraph serve`` directly. Target: ≤ 1.3× the direct time (median of ``--repeat``
  rounds, direct and app interleaved; ``overhead_ms`` is the median per-round difference).

Writes ``bench/results/remote.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

from tests.servers import free_port, stop  # one copy of the server-process helpers

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
GRAPH = "https://example.org/bench/graph/data"

QUERIES = {
    "count-all": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
    "types-by-count": (
        "SELECT ?type (COUNT(?s) AS ?n) WHERE { ?s a ?type } GROUP BY ?type ORDER BY DESC(?n)"
    ),
    "join-labels": (
        "SELECT (COUNT(*) AS ?n) WHERE { ?s a ?t . ?s <http://www.w3.org/2000/01/rdf-schema#label>"
        " ?l . FILTER(LANG(?l) = 'en') }"
    ),
    "distinct-predicates": "SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?s ?p ?o }",
}


def _binary(name: str) -> str:
    found = Path(sys.executable).parent / name
    return str(found) if found.exists() else (shutil.which(name) or name)


def _wait(url: str, proc: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{url}: server exited with {proc.returncode}")
        try:
            if requests.get(url, timeout=2).status_code < 500:
                return
        except requests.RequestException:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer")


def _data(n: int) -> Path:
    size = f"{n // 1_000_000}m" if n % 1_000_000 == 0 else f"{n // 1000}k"
    path = ROOT / "bench" / "data" / f"geo-{size}.nt"  # bench.generate's naming
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [sys.executable, "-m", "bench.generate", "-n", str(n), "-o", str(path)],
            check=True,
            cwd=ROOT,
        )
    return path


def _serve(location: Path) -> tuple[str, subprocess.Popen]:
    port = free_port()
    proc = subprocess.Popen(
        [_binary("oxigraph"), "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    _wait(url + "/query?query=ASK%7B%7D", proc)
    return url, proc


def bench_load(data: Path, tmp: Path) -> dict[str, float]:
    from kg.store.remote import RemoteStore

    t = time.perf_counter()
    subprocess.run(
        [_binary("oxigraph"), "load", "--location", str(tmp / "offline"), "--file", str(data)],
        check=True,
        capture_output=True,
    )
    offline = time.perf_counter() - t
    url, proc = _serve(tmp / "served")
    try:
        remote = RemoteStore(url, timeout=600, checkpoint_dir=tmp / "checkpoints")
        report = remote.load_file(data, graph=GRAPH, replace=True)
        stored = remote.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{GRAPH}> {{ ?s ?p ?o }} }}")
        distinct = int(next(iter(stored))["n"].value)
    finally:
        stop(proc)
    return {
        "triples": report.triples,
        "oxigraph_load_s": offline,
        "remote_load_s": report.seconds,
        "oxigraph_load_triples_per_s": report.triples / offline,
        "remote_load_triples_per_s": report.triples / report.seconds,
        "ratio": offline / report.seconds,  # ≥ 0.5 is the target
        "chunks": report.chunks,
        "stored_quads": distinct,
    }


def _time_query(url: str, query: str, extra: dict[str, str]) -> float:
    """One request, a fresh connection (as a one-off client makes), in seconds."""
    # a fresh comment each time: no answer cache (ours or a proxy's) can serve it
    text = f"# run {time.time_ns()}\n{query}"
    t = time.perf_counter()
    response = requests.post(
        url,
        data={"query": text, **extra},
        headers={"Accept": "application/sparql-results+json"},
        timeout=600,
    )
    response.raise_for_status()
    return time.perf_counter() - t


def _time_pair(direct_url: str, app_url: str, query: str, repeat: int) -> dict[str, float]:
    """Medians over ``repeat`` rounds, direct and app interleaved (the order alternating),
    so a burst of load from elsewhere on the machine hits both sides alike; the median of
    the per-round differences is the overhead per request."""
    union = {"union-default-graph": ""}
    _time_query(direct_url, query, union)  # warm both
    _time_query(app_url, query, {})
    direct: list[float] = []
    app: list[float] = []
    for i in range(repeat):
        if i % 2:
            app.append(_time_query(app_url, query, {}))
            direct.append(_time_query(direct_url, query, union))
        else:
            direct.append(_time_query(direct_url, query, union))
            app.append(_time_query(app_url, query, {}))
    d, a = statistics.median(direct), statistics.median(app)
    return {
        "direct_s": d,
        "app_s": a,
        "ratio": a / d,
        "overhead_ms": 1000 * statistics.median(x - y for x, y in zip(app, direct, strict=True)),
        "direct_min_s": min(direct),
        "app_min_s": min(app),
    }


def bench_queries(data: Path, tmp: Path, repeat: int) -> dict[str, dict[str, float]]:
    subprocess.run(
        [_binary("oxigraph"), "load", "--location", str(tmp / "q"), "--file", str(data),
         "--graph", GRAPH],
        check=True,
        capture_output=True,
    )  # fmt: skip
    url, proc = _serve(tmp / "q")
    port = free_port()
    app = subprocess.Popen(
        [sys.executable, "-m", "kg.cli", "serve", "--port", str(port), "--workers", "2"],
        env={
            **os.environ,
            "KG_STORE": url,
            "KG_QUERY_TIMEOUT": "600",
            "KG_RATE_LIMIT_REQUESTS": "0",
            "KG_RATE_LIMIT_QUERY_SECONDS": "0",
        },
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=ROOT,
    )
    out: dict[str, dict[str, float]] = {}
    try:
        _wait(f"http://127.0.0.1:{port}/healthz", app)
        for name, query in QUERIES.items():
            out[name] = _time_pair(url + "/query", f"http://127.0.0.1:{port}/sparql", query, repeat)
    finally:
        stop(app)
        stop(proc)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench_remote", description=__doc__.split("\n")[0])
    parser.add_argument("-n", type=int, default=1_000_000, help="triples to generate")
    parser.add_argument("--repeat", type=int, default=9)
    parser.add_argument("--only", choices=["load", "query"], help="run one half only")
    args = parser.parse_args(argv)
    data = _data(args.n)
    results: dict[str, object] = {"n": args.n, "file": str(data)}
    with tempfile.TemporaryDirectory(prefix="bench-remote-") as tmp:
        if args.only in (None, "load"):
            load = bench_load(data, Path(tmp))
            results["load"] = load
            print(
                f"load {load['triples']:,} triples ({load['stored_quads']:,} stored): "
                f"oxigraph load {load['oxigraph_load_s']:.1f}s"
                f" ({load['oxigraph_load_triples_per_s']:,.0f}/s)"
                f" | remote {load['remote_load_s']:.1f}s"
                f" ({load['remote_load_triples_per_s']:,.0f}/s) | ratio {load['ratio']:.2f}"
                " (target >= 0.5)"
            )
        if args.only in (None, "query"):
            queries = bench_queries(data, Path(tmp), args.repeat)
            results["query"] = queries
            print(
                f"{'query':22} {'direct s':>9} {'app s':>9} {'ratio':>6} {'+ms/req':>8}"
                "  (target ratio <= 1.3)"
            )
            for name, row in queries.items():
                print(
                    f"{name:22} {row['direct_s']:9.3f} {row['app_s']:9.3f} {row['ratio']:6.2f}"
                    f" {row['overhead_ms']:8.1f}"
                )
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / "remote.json"
    if args.only and out.is_file():  # one half run: keep the other half's last results
        try:
            earlier = json.loads(out.read_text())
        except ValueError:
            earlier = {}
        if earlier.get("n") == args.n:
            results = {**earlier, **results}
    out.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
