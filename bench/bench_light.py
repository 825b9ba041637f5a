"""The light path: what a tiny query costs on each way of serving the app, side by side.

``python -m bench.bench_light [-n 100000] [--requests 300] [--seconds 4] [--only OPTION]``

Light queries (``ASK {}``, a point lookup of one subject) cost the engine ~0.1 ms, so what
they measure is the fixed cost of a request: HTTP server, WSGI app, the hop to the query
process. Options (issue 10, item 6), each started in turn on the same store while
``oxigraph serve`` (the same quads, ``--union-default-graph``) keeps running, and measured
back to back with it (order alternating), so every ratio compares the same minutes:

======================  ==================================================================
``gunicorn-gthread``    ``kg serve`` as it was: gunicorn gthread workers, every request
                        through Flask
``gunicorn-sync``       gunicorn sync workers (one request at a time per worker), Flask
``granian``             granian (Rust HTTP server, WSGI on blocking threads), Flask
``gunicorn-lean``       gthread workers, ``/sparql`` answered by the lean WSGI path
                        (:mod:`server.sparql.lean`) in front of Flask
``granian-lean``        granian and the lean path
======================  ==================================================================

Every request carries a distinct comment (no cache answers). Per option and query: median
and p99 with 1 client (keep-alive), throughput with 8 client processes, and both as ratios
to ``oxigraph serve``; and the server's CPU time per request in the 8-client phase (the
server's whole process tree, from ``/proc``: master, workers, query processes), which a
busy shared machine inflates much less than wall-clock figures. Then, in-process (no
HTTP): what each hop costs for ``ASK {}`` — pyoxigraph alone, one round trip to a query
process (:mod:`kg.store.engine`), the WSGI app with and without the lean path. Writes
``bench/results/light.json``.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import multiprocessing
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import quote

from bench.bench_endpoint import GEN, JSON_RESULTS, latency, throughput, wait
from tests.servers import free_port, stop

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent

QUERIES = {
    "ask": "ASK {}",
    "point": f"SELECT ?p ?o WHERE {{ <{GEN}id/country/7> ?p ?o }}",
}
#: option: (server, lean path?, workers, threads per worker)
OPTIONS: dict[str, tuple[str, bool, int, int]] = {
    "gunicorn-gthread": ("gunicorn", False, 2, 4),
    "gunicorn-sync": ("gunicorn-sync", False, 4, 1),
    "granian": ("granian", False, 2, 4),
    "gunicorn-lean": ("gunicorn", True, 2, 4),
    "granian-lean": ("granian", True, 2, 4),
}

SERVE = (
    "import argparse, sys; from kg import settings; from server import serve; "
    "sys.exit(serve.cli(argparse.Namespace(host='127.0.0.1', port=int(sys.argv[1]), "
    "workers=int(sys.argv[2]), threads=int(sys.argv[3]), server=sys.argv[4], "
    "lean=sys.argv[5] == '1'), settings.load()))"
)


def prepare(workdir: Path, n: int, oxigraph: str) -> None:
    """The article graph plus ``n`` generated triples in our store, the same quads in
    oxigraph's (reused when ``workdir`` holds both)."""
    ours, oxi = workdir / "ours", workdir / "oxigraph"
    if (ours / "current").exists() and (oxi / "done").exists():
        print(f"reusing the stores in {workdir}")
        return
    import pyoxigraph as ox

    from bench.generate import generate
    from kg.build import build
    from kg.store import EmbeddedStore

    for path in (ours, oxi):
        shutil.rmtree(path, ignore_errors=True)
    data = workdir / f"geo-{n}.nt"
    generate(n, data)
    store = EmbeddedStore(ours)
    build(store, reasoner=False)
    with store.writer() as writer:
        writer.bulk_load(
            path=str(data), format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(GEN + "graph")
        )
    dump = workdir / "all.nq"
    store.reader().dump(str(dump), format=ox.RdfFormat.N_QUADS)
    subprocess.run(
        [oxigraph, "load", "--location", str(oxi), "--file", str(dump)],
        check=True,
        capture_output=True,
    )
    (oxi / "done").write_text("ok")
    dump.unlink()
    data.unlink()


def in_process(store_dir: Path, count: int) -> dict[str, float]:
    """Microseconds per ``ASK {}`` at each hop, in this process (no HTTP, one thread)."""
    import pyoxigraph as ox

    from kg.store import QueryJob
    from kg.store.engine import execute
    from server import create_app

    def per_call(fn, n: int = count) -> float:  # type: ignore[no-untyped-def]
        for _ in range(50):
            fn()
        start = time.perf_counter()
        for _ in range(n):
            fn()
        return (time.perf_counter() - start) / n * 1e6

    base = {"STORE": str(store_dir), "QUERY_WORKERS": 1, "RATE_LIMIT_REQUESTS": 0}
    base["RATE_LIMIT_QUERY_SECONDS"] = 0
    job = QueryJob(
        query="ASK {}",
        default_graph=None,
        named_graphs=None,
        union_default=True,
        base_iri="https://w3id.org/sgkg/",
        result_format="json",
        graph_format="turtle",
        max_rows=100_000,
    )
    out: dict[str, float] = {}
    counter = iter(range(10**9))

    def environ() -> dict[str, object]:
        return {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": "/sparql",
            "QUERY_STRING": "query=" + quote(f"ASK {{}} # {next(counter)}"),
            "SERVER_NAME": "bench",
            "SERVER_PORT": "80",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": "127.0.0.1",
            "HTTP_ACCEPT": JSON_RESULTS,
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(),
            "wsgi.errors": sys.stderr,
        }

    for lean in (False, True):
        app = create_app({**base, "LEAN_SPARQL": lean})
        store = app.extensions["kg_store"]
        store.warm()
        if not lean:
            reader = store.reader()
            out["pyoxigraph_query_and_serialize_us"] = per_call(lambda: execute(reader, job))
            del reader
            out["query_process_round_trip_us"] = per_call(lambda: store.answer(job, 10, 10))

        def call(app=app) -> None:  # type: ignore[no-untyped-def]
            statuses: list[str] = []
            b"".join(app(environ(), lambda s, h, e=None: statuses.append(s)))
            assert statuses[0].startswith("200"), statuses

        call()  # Flask's first request starts the search-index warm-up thread: let it end
        for thread in threading.enumerate():
            if thread.name == "search-index":
                thread.join()
        out["wsgi_lean_us" if lean else "wsgi_flask_us"] = per_call(call)
        store.close()
    _ = ox  # pyoxigraph is what both hops call
    return out


_TICK = os.sysconf("SC_CLK_TCK")


def _tree(pid: int) -> list[int]:
    out = [pid]
    with contextlib.suppress(OSError), open(f"/proc/{pid}/task/{pid}/children") as fh:
        for child in fh.read().split():
            out += _tree(int(child))
    return out


def tree_cpu(pid: int) -> float:
    """CPU seconds (user + system) used so far by ``pid`` and its live descendants: the
    server's cost, which another tenant's load on the machine does not inflate."""
    total = 0
    for each in _tree(pid):
        with contextlib.suppress(OSError, IndexError, ValueError):
            fields = Path(f"/proc/{each}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
    return total / _TICK


def measure(pool, url: str, pid: int, args: argparse.Namespace) -> dict[str, dict[str, float]]:  # type: ignore[no-untyped-def]
    result = {}
    for name, query in QUERIES.items():
        row = latency(url, query, JSON_RESULTS, args.requests)
        cpu = tree_cpu(pid)
        row["throughput_rps"] = throughput(pool, url, query, JSON_RESULTS, args.seconds)
        done = row["throughput_rps"] * args.seconds
        row["server_cpu_us_per_request"] = (tree_cpu(pid) - cpu) / max(1.0, done) * 1e6
        result[name] = row
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.bench_light", description=__doc__)
    parser.add_argument("-n", type=int, default=100_000, help="generated triples")
    parser.add_argument("--requests", type=int, default=300, help="sequential requests")
    parser.add_argument("--seconds", type=float, default=4.0, help="8-client phase per query")
    parser.add_argument("--only", action="append", help="measure only this option")
    parser.add_argument("--workdir", type=Path, help="keep (and reuse) the stores here")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "light.json")
    args = parser.parse_args(argv)
    options = {k: v for k, v in OPTIONS.items() if not args.only or k in args.only}
    if "granian" in {v[0] for v in options.values()}:
        try:
            import granian  # noqa: F401
        except ImportError:
            print("granian is not installed: its options are skipped", file=sys.stderr)
            options = {k: v for k, v in options.items() if v[0] != "granian"}
    oxigraph = shutil.which("oxigraph", path=f"{VENV_BIN}:{os.environ.get('PATH', '')}")
    if oxigraph is None:
        print("the `oxigraph` binary is missing (pip install oxigraph)", file=sys.stderr)
        return 2
    results: dict[str, object] = {"n": args.n, "cpus": os.cpu_count(), "clients": 8}
    load_before = os.getloadavg()
    with contextlib.ExitStack() as stack:
        if args.workdir:
            workdir = args.workdir
            workdir.mkdir(parents=True, exist_ok=True)
        else:
            workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="sgkg-light-")))
        prepare(workdir, args.n, oxigraph)
        results["in_process_us"] = in_process(workdir / "ours", 2000)
        print("in-process, µs per ASK {}:")
        for key, value in results["in_process_us"].items():  # type: ignore[attr-defined]
            print(f"  {key:36} {value:8.1f}")
        env = {
            **os.environ,
            "KG_STORE": str(workdir / "ours"),
            "KG_DUMPS": str(workdir / "dumps"),
            "KG_RATE_LIMIT_REQUESTS": "0",
            "KG_RATE_LIMIT_QUERY_SECONDS": "0",
        }
        env.pop("PROMETHEUS_MULTIPROC_DIR", None)
        oxi_port = free_port()
        oxi_url = f"http://127.0.0.1:{oxi_port}/query"
        oxi_proc = subprocess.Popen(
            [
                oxigraph,
                "serve-read-only",
                "--location",
                str(workdir / "oxigraph"),
                "--bind",
                f"127.0.0.1:{oxi_port}",
                "--union-default-graph",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        stack.callback(stop, oxi_proc)
        wait(f"{oxi_url}?query=ASK%7B%7D", oxi_proc)
        pool = stack.enter_context(multiprocessing.get_context("fork").Pool(8))
        measured: dict[str, object] = {}
        print(
            f"\n{'option':18} {'query':6} {'ours med/p99 ms':>16} {'oxi med/p99 ms':>16} "
            f"{'rps ours/oxi':>14} {'med ×':>6} {'rps ×':>6} {'CPU µs/req ours/oxi':>20}"
        )
        for number, (option, (server, lean, workers, threads)) in enumerate(options.items()):
            port = free_port()
            cmd = [sys.executable, "-c", SERVE, str(port), str(workers), str(threads), server]
            cmd.append("1" if lean else "0")
            url = f"http://127.0.0.1:{port}/sparql"
            proc = subprocess.Popen(
                cmd, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
            )
            try:
                wait(f"http://127.0.0.1:{port}/healthz", proc)
                for _ in range(4 * workers):  # every worker answers once before timing
                    latency(url, "ASK {}", JSON_RESULTS, 1)
                time.sleep(2)
                order = ["ours", "oxigraph"] if number % 2 == 0 else ["oxigraph", "ours"]
                got = {
                    who: measure(
                        pool,
                        url if who == "ours" else oxi_url,
                        proc.pid if who == "ours" else oxi_proc.pid,
                        args,
                    )
                    for who in order
                }
            finally:
                stop(proc)
            rows = {}
            for name in QUERIES:
                ours, oxi = got["ours"][name], got["oxigraph"][name]
                rows[name] = {
                    "ours": ours,
                    "oxigraph": oxi,
                    "median_ratio": ours["median_ms"] / oxi["median_ms"],
                    "throughput_ratio": ours["throughput_rps"] / oxi["throughput_rps"],
                    "cpu_per_request_ratio": ours["server_cpu_us_per_request"]
                    / oxi["server_cpu_us_per_request"],
                }
                print(
                    f"{option:18} {name:6} {ours['median_ms']:7.2f}/{ours['p99_ms']:7.2f} "
                    f"{oxi['median_ms']:7.2f}/{oxi['p99_ms']:7.2f} "
                    f"{ours['throughput_rps']:6.0f}/{oxi['throughput_rps']:6.0f} "
                    f"{rows[name]['median_ratio']:6.2f} {rows[name]['throughput_ratio']:6.2f} "
                    f"{ours['server_cpu_us_per_request']:8.0f}/"
                    f"{oxi['server_cpu_us_per_request']:5.0f} "
                    f"({rows[name]['cpu_per_request_ratio']:4.1f}×)"
                )
            measured[option] = {
                "server": server,
                "lean": lean,
                "workers": workers,
                "threads": threads,
                "order": order,
                "queries": rows,
            }
    results["options"] = measured
    results["load_average"] = [load_before[0], os.getloadavg()[0]]
    print(f"load average {load_before[0]:.1f} → {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    best = max(
        measured,
        key=lambda o: statistics.mean(
            q["throughput_ratio"]  # type: ignore[index]
            for q in measured[o]["queries"].values()  # type: ignore[index]
        ),
    )
    results["best_throughput"] = best
    print(f"best 8-client throughput (mean ratio over the queries): {best}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"written {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
