"""Endpoint benchmark: our ``kg serve`` against ``oxigraph serve`` on the same data.

``python -m bench.bench_endpoint [-n 1000000] [--rounds 2] [--requests 30] [--seconds 3]``

Data: the article graph (``kg build`` without the reasoner: ~1 s) plus the generated
geopolitical graph (``bench.generate``, N triples, in its own named graph). Our store is
dumped to N-Quads and that file is what ``oxigraph load`` reads (then ``oxigraph
optimize``), so both servers hold the same quads; ``oxigraph serve-read-only
--union-default-graph`` answers with the same default graph as ours (the union). A second
baseline is what a user would pick instead: the same triples loaded into oxigraph's default
graph (no named graphs) and plain ``oxigraph serve-read-only``.

All servers run at once; for each query they are measured back to back (order rotating
by round), so all see the same machine load: on a shared 2-core machine only ratios from
the same round are compared. Per query: median and p99 latency with 1 client
(``--requests`` sequential requests) and throughput with 8 client *processes* (keep-alive
``http.client`` connections, ``--seconds`` long). Every request carries a distinct comment,
so neither server answers from a cache: these are engine + protocol numbers. Cached
numbers are reported apart: the same text repeated (our per-process answer cache) and
``If-None-Match`` revalidation (304).

Targets (the issue): engine-bound queries (join, GROUP BY, label search, CONSTRUCT and
DESCRIBE of one entity) median ≤ 1.2× and throughput ≥ 0.8× oxigraph; light queries (ASK,
point lookup) throughput ≥ 0.25×. Results: ``bench/results/endpoint.json``.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import itertools
import json
import multiprocessing
import multiprocessing.pool
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

from tests.servers import free_port  # one copy of the server-process helpers

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
SG = "https://w3id.org/sgkg/ontology/"
GEN = "https://example.org/bench/"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
JSON_RESULTS = "application/sparql-results+json"
CLIENTS = 8

QUERIES: dict[str, tuple[str, str, bool]] = {
    # name: (query, Accept, engine-bound? — as classified by the issue)
    "ask": ("ASK {}", JSON_RESULTS, False),
    "point": (f"SELECT ?p ?o WHERE {{ <{GEN}id/country/7> ?p ?o }}", JSON_RESULTS, False),
    "join2_filter": (
        f"SELECT ?b ?m ?l WHERE {{ ?b <{SG}hasMember> ?m . ?m <{RDFS_LABEL}> ?l "
        'FILTER(lang(?l) = "en") }',
        JSON_RESULTS,
        True,
    ),
    "group_by": (
        "SELECT ?t (COUNT(*) AS ?n) WHERE { ?s a ?t } GROUP BY ?t ORDER BY DESC(?n)",
        JSON_RESULTS,
        True,
    ),
    "construct": (
        f"CONSTRUCT {{ <{GEN}id/country/7> ?p ?o }} WHERE {{ <{GEN}id/country/7> ?p ?o }}",
        "text/turtle",
        True,
    ),
    "describe": (f"DESCRIBE <{GEN}id/country/7>", "text/turtle", True),
    "label_search": (
        f"SELECT ?s ?l WHERE {{ ?s <{RDFS_LABEL}> ?l "
        'FILTER(CONTAINS(LCASE(STR(?l)), "mar")) } LIMIT 50',
        JSON_RESULTS,
        True,
    ),
}
#: queries also measured with caching (a repeated text; revalidation with If-None-Match)
CACHED = ("point", "join2_filter", "describe")


def _get(conn: http.client.HTTPConnection, path: str, headers: dict[str, str]) -> tuple[int, str]:
    conn.request("GET", path, headers=headers)
    response = conn.getresponse()
    body = response.read()
    return response.status, response.getheader("ETag") or body[:300].decode(errors="replace")


def wait(url: str, proc: subprocess.Popen, timeout: float = 180) -> None:
    host, _, rest = url.removeprefix("http://").partition("/")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{proc.args} exited with {proc.returncode}")
        with contextlib.suppress(OSError, http.client.HTTPException):
            conn = http.client.HTTPConnection(host, timeout=5)
            if _get(conn, "/" + rest, {})[0] < 500:
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


def prepare(workdir: Path, data: Path, oxigraph: str) -> dict[str, float]:
    """Our store (article + generated graph) and oxigraph's two, loaded from a dump of ours:
    the same quads (named graphs), and the same triples in the default graph. Reused when
    ``workdir`` already holds them (``--workdir``)."""
    ours_dir, oxi_dir = workdir / "ours", workdir / "oxigraph"
    default_dir = workdir / "oxigraph-default"
    if (
        (ours_dir / "current").exists()
        and (oxi_dir / "done").exists()
        and (default_dir / "done").exists()
    ):
        print(f"reusing the stores in {workdir}")
        return {}
    import pyoxigraph as ox

    from kg.build import build
    from kg.store import EmbeddedStore

    for path in (ours_dir, oxi_dir, default_dir):
        shutil.rmtree(path, ignore_errors=True)
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    store = EmbeddedStore(ours_dir)
    build(store, reasoner=False)  # the article graph (SHACL included; HermiT is not timed here)
    with store.writer() as oxstore:
        oxstore.bulk_load(
            path=str(data), format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(GEN + "graph")
        )
    timings["load_ours_s"] = time.perf_counter() - t0
    dump = workdir / "all.nq"
    store.reader().dump(str(dump), format=ox.RdfFormat.N_QUADS)
    quads = len(store.reader())
    t0 = time.perf_counter()
    subprocess.run(
        [oxigraph, "load", "--location", str(oxi_dir), "--file", str(dump)],
        check=True,
        capture_output=True,
    )
    subprocess.run([oxigraph, "optimize", "--location", str(oxi_dir)], check=True)
    timings["load_oxigraph_s"] = time.perf_counter() - t0
    triples = workdir / "all.nt"  # the union: every quad's triple, graph names dropped
    ox.serialize(
        (ox.Triple(q.subject, q.predicate, q.object) for q in ox.parse(path=str(dump))),
        str(triples),
        ox.RdfFormat.N_TRIPLES,
    )
    subprocess.run(
        [oxigraph, "load", "--location", str(default_dir), "--file", str(triples)],
        check=True,
        capture_output=True,
    )
    subprocess.run([oxigraph, "optimize", "--location", str(default_dir)], check=True)
    triples.unlink()
    dump.unlink()
    (oxi_dir / "done").write_text(str(quads))
    (default_dir / "done").write_text("default graph")
    print(
        f"loaded {quads} quads: ours {timings['load_ours_s']:.1f} s, oxigraph "
        f"{timings['load_oxigraph_s']:.1f} s (load + optimize)"
    )
    return timings


# --- measuring ------------------------------------------------------------------------------

_run_ids = itertools.count()


def _path(endpoint_path: str, query: str, distinct: bool) -> str:
    text = f"{query}\n# run {os.getpid()}-{next(_run_ids)}" if distinct else query
    return f"{endpoint_path}?query={quote(text)}"


def _client(args: tuple[str, str, str, str, float, bool, float]) -> int:
    """One client process: requests until ``stop_at``; returns how many succeeded."""
    host, endpoint_path, query, accept, stop_at, distinct, start_at = args
    conn = http.client.HTTPConnection(host, timeout=120)
    headers = {"Accept": accept}
    while time.time() < start_at:
        time.sleep(0.001)
    done = 0
    while time.time() < stop_at:
        status, detail = _get(conn, _path(endpoint_path, query, distinct), headers)
        if status != 200:
            raise RuntimeError(f"{host}{endpoint_path}: {status} {detail}")
        done += 1
    return done


def latency(
    url: str, query: str, accept: str, n: int, *, distinct: bool = True, revalidate: bool = False
) -> dict[str, float]:
    """Median and p99 of ``n`` sequential requests on one keep-alive connection."""
    host, _, rest = url.removeprefix("http://").partition("/")
    conn = http.client.HTTPConnection(host, timeout=120)
    headers = {"Accept": accept}
    expect = 200
    if revalidate:
        status, etag = _get(conn, _path("/" + rest, query, False), headers)
        headers["If-None-Match"] = etag
        expect = 304
    for _ in range(3):
        _get(conn, _path("/" + rest, query, distinct), headers)
    times = []
    for _ in range(n):
        path = _path("/" + rest, query, distinct)
        started = time.perf_counter()
        status, detail = _get(conn, path, headers)
        times.append(time.perf_counter() - started)
        if status != expect:
            raise RuntimeError(f"{url}: {status} {detail}")
    times.sort()
    return {
        "median_ms": statistics.median(times) * 1000,
        "p99_ms": times[min(n - 1, int(n * 0.99))] * 1000,
    }


def throughput(
    pool: multiprocessing.pool.Pool, url: str, query: str, accept: str, seconds: float
) -> float:
    host, _, rest = url.removeprefix("http://").partition("/")
    start_at = time.time() + 0.3  # all clients start together
    stop_at = start_at + seconds
    jobs = [(host, "/" + rest, query, accept, stop_at, True, start_at)] * CLIENTS
    return sum(pool.map(_client, jobs)) / seconds


def measure(
    pool: multiprocessing.pool.Pool, url: str, query: str, accept: str, args: argparse.Namespace
) -> dict[str, float]:
    result = latency(url, query, accept, args.requests)
    result["throughput_rps"] = throughput(pool, url, query, accept, args.seconds)
    return result


def verdict(name: str, engine: bool, median_ratio: float, rps_ratio: float) -> str:
    if engine:
        return (
            f"med≤1.2 {'ok' if median_ratio <= 1.2 else 'MISS'} "
            f"rps≥0.8 {'ok' if rps_ratio >= 0.8 else 'MISS'}"
        )
    return f"rps≥0.25 {'ok' if rps_ratio >= 0.25 else 'MISS'}"


CONTENDERS = ("ours", "oxigraph", "oxigraph_default")


def one_round(
    number: int, pool: multiprocessing.pool.Pool, urls: dict[str, str], args: argparse.Namespace
) -> dict[str, object]:
    shift = number % len(CONTENDERS)
    order = list(CONTENDERS[shift:] + CONTENDERS[:shift])
    queries: dict[str, object] = {}
    print(f"round {number + 1}: {' then '.join(order)} for each query")
    print(
        f"{'query':14} {'ours med/p99 ms':>17} {'oxi med/p99 ms':>17} {'dflt med/p99':>17} "
        f"{'rps ours/oxi/dflt':>19} {'med ×':>6} {'rps ×':>6} {'dflt ×':>11} target"
    )
    for name, (query, accept, engine) in QUERIES.items():
        measured = {who: measure(pool, urls[who], query, accept, args) for who in order}
        ours, oxi, dflt = measured["ours"], measured["oxigraph"], measured["oxigraph_default"]
        median_ratio = ours["median_ms"] / oxi["median_ms"]
        rps_ratio = ours["throughput_rps"] / oxi["throughput_rps"]
        median_default = ours["median_ms"] / dflt["median_ms"]
        rps_default = ours["throughput_rps"] / dflt["throughput_rps"]
        queries[name] = {
            "engine_bound": engine,
            "ours": ours,
            "oxigraph": oxi,
            "oxigraph_default": dflt,
            "median_ratio": median_ratio,
            "throughput_ratio": rps_ratio,
            "median_ratio_default": median_default,
            "throughput_ratio_default": rps_default,
            "target": verdict(name, engine, median_ratio, rps_ratio),
            "target_default": verdict(name, engine, median_default, rps_default),
        }
        print(
            f"{name:14} {ours['median_ms']:7.2f}/{ours['p99_ms']:8.2f} "
            f"{oxi['median_ms']:7.2f}/{oxi['p99_ms']:8.2f} "
            f"{dflt['median_ms']:7.2f}/{dflt['p99_ms']:8.2f} "
            f"{ours['throughput_rps']:5.0f}/{oxi['throughput_rps']:5.0f}/"
            f"{dflt['throughput_rps']:5.0f}   "
            f"{median_ratio:6.2f} {rps_ratio:6.2f} {median_default:5.2f}/{rps_default:5.2f} "
            f"{queries[name]['target']}"  # type: ignore[index]
        )
    cached: dict[str, object] = {}
    print(
        "cached answers apart (1 client, median ms): "
        f"\n  {'query':14} {'uncached':>8} {'repeated':>8} {'304':>8} {'oxi rep.':>8}"
    )
    for name in (n for n in CACHED if n in QUERIES):
        query, accept, _ = QUERIES[name]
        cached[name] = {
            "ours_repeated_text": latency(
                urls["ours"], query, accept, args.requests, distinct=False
            ),
            "ours_if_none_match_304": latency(
                urls["ours"], query, accept, args.requests, distinct=False, revalidate=True
            ),
            "oxigraph_repeated_text": latency(
                urls["oxigraph"], query, accept, args.requests, distinct=False
            ),
            "ours_distinct_text": latency(urls["ours"], query, accept, args.requests),
        }
        c = cached[name]
        print(
            f"  {name:14} {c['ours_distinct_text']['median_ms']:8.2f} "  # type: ignore[index]
            f"{c['ours_repeated_text']['median_ms']:8.2f} "  # type: ignore[index]
            f"{c['ours_if_none_match_304']['median_ms']:8.2f} "  # type: ignore[index]
            f"{c['oxigraph_repeated_text']['median_ms']:8.2f}"  # type: ignore[index]
        )
    return {"order": order, "queries": queries, "cached": cached}


def summary(rounds: list[dict[str, object]]) -> dict[str, object]:
    """Per query: the median over rounds of each round's ratios (never ratios across rounds)."""
    out: dict[str, object] = {}
    for name, (_, _, engine) in QUERIES.items():
        row: dict[str, object] = {}
        for suffix in ("", "_default"):
            med = statistics.median(r["queries"][name][f"median_ratio{suffix}"] for r in rounds)  # type: ignore[index]
            rps = statistics.median(
                r["queries"][name][f"throughput_ratio{suffix}"]  # type: ignore[index]
                for r in rounds
            )
            row[f"median_ratio{suffix}"] = med
            row[f"throughput_ratio{suffix}"] = rps
            row[f"target{suffix}"] = verdict(name, engine, med, rps)
        out[name] = row
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.bench_endpoint", description=__doc__)
    parser.add_argument("-n", type=int, default=1_000_000, help="generated triples")
    parser.add_argument("--rounds", type=int, default=2, help="rounds (order alternates)")
    parser.add_argument("--requests", type=int, default=30, help="sequential requests per query")
    parser.add_argument("--seconds", type=float, default=3.0, help="8-client phase per query")
    parser.add_argument("--workers", type=int, default=2, help="kg serve worker processes")
    parser.add_argument("--threads", type=int, default=None, help="threads per worker")
    parser.add_argument(
        "--server", default="gunicorn", choices=("gunicorn", "gunicorn-sync", "granian")
    )
    parser.add_argument("--no-lean", action="store_true", help="/sparql through Flask only")
    parser.add_argument("--only", action="append", help="measure only this query (repeatable)")
    parser.add_argument("--workdir", type=Path, help="keep (and reuse) the loaded stores here")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "endpoint.json")
    args = parser.parse_args(argv)
    if args.only:
        for name in list(QUERIES):
            if name not in args.only:
                del QUERIES[name]
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
    results: dict[str, object] = {
        "n": args.n,
        "workers": args.workers,
        "threads": args.threads,
        "clients": CLIENTS,
        "cpus": os.cpu_count(),
        "server": args.server,
        "lean": not args.no_lean,
        "load_average_start": os.getloadavg()[0],
    }
    with contextlib.ExitStack() as stack:
        if args.workdir:
            workdir = args.workdir
            workdir.mkdir(parents=True, exist_ok=True)
        else:
            workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="sgkg-bench-")))
        results.update(prepare(workdir, data, oxigraph))
        our_port, oxi_port = free_port(), free_port()
        env = {
            **os.environ,
            "KG_STORE": str(workdir / "ours"),
            "KG_MAX_ROWS": "1000000",
            "KG_DUMPS": str(workdir / "dumps"),
            # a benchmark is one client making thousands of requests: no per-client budgets
            "KG_RATE_LIMIT_REQUESTS": "0",
            "KG_RATE_LIMIT_QUERY_SECONDS": "0",
        }
        env.pop("PROMETHEUS_MULTIPROC_DIR", None)
        serve = (
            "import argparse, sys; from kg import settings; from server import serve; "
            "sys.exit(serve.cli(argparse.Namespace(host='127.0.0.1', port=int(sys.argv[1]), "
            "workers=int(sys.argv[2]), threads=int(sys.argv[3]) or None, server=sys.argv[4], "
            "lean=sys.argv[5] == '1'), settings.load()))"
        )
        ours_cmd = [
            sys.executable,
            "-c",
            serve,
            str(our_port),
            str(args.workers),
            str(args.threads or 0),
            args.server,
            "0" if args.no_lean else "1",
        ]
        oxi_cmd = [
            oxigraph,
            "serve-read-only",
            "--location",
            str(workdir / "oxigraph"),
            "--bind",
            f"127.0.0.1:{oxi_port}",
            "--union-default-graph",
        ]
        default_port = free_port()
        default_cmd = [
            oxigraph,
            "serve-read-only",
            "--location",
            str(workdir / "oxigraph-default"),
            "--bind",
            f"127.0.0.1:{default_port}",
        ]
        urls = {
            "ours": f"http://127.0.0.1:{our_port}/sparql",
            "oxigraph": f"http://127.0.0.1:{oxi_port}/query",
            "oxigraph_default": f"http://127.0.0.1:{default_port}/query",
        }
        stack.enter_context(running(ours_cmd, f"http://127.0.0.1:{our_port}/healthz", env))
        stack.enter_context(running(oxi_cmd, f"{urls['oxigraph']}?query=ASK%7B%7D"))
        stack.enter_context(running(default_cmd, f"{urls['oxigraph_default']}?query=ASK%7B%7D"))
        # every web worker builds its label index in the background after its first
        # request (server.pages.search): let that finish before measuring anything
        for _ in range(4 * args.workers):
            latency(urls["ours"], "ASK {}", JSON_RESULTS, 1)
        time.sleep(8)
        pool = stack.enter_context(multiprocessing.get_context("fork").Pool(CLIENTS))
        rounds = [one_round(i, pool, urls, args) for i in range(args.rounds)]
    results["rounds"] = rounds
    results["summary"] = summary(rounds)
    results["load_average_end"] = os.getloadavg()[0]
    print(
        "summary (median over rounds of each round's ratio), against oxigraph serve "
        "--union-default-graph on the same quads | against oxigraph serve, default graph:"
    )
    for name, row in results["summary"].items():  # type: ignore[union-attr]
        print(
            f"  {name:14} med × {row['median_ratio']:5.2f}  rps × "
            f"{row['throughput_ratio']:5.2f}  {row['target']:24} | med × "
            f"{row['median_ratio_default']:5.2f}  rps × {row['throughput_ratio_default']:5.2f}  "
            f"{row['target_default']}"
        )
    print(
        f"load average {results['load_average_start']:.1f} → "
        f"{results['load_average_end']:.1f} on {os.cpu_count()} CPUs"
    )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"written {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
