"""Bulk load, side by side on the same N-Triples file, a fresh store for each run: load
time (compaction included), the store's size on disk, and query speed on the store as each
tool leaves it.

    python -m bench.bench_load [-n 1000000] [--repeat 2] [--file F] [--query-runs 5]

Contenders: ``oxigraph load`` (the CLI from the PyPI package: the target), ``kg load``
(:func:`kg.load.load_files`, our library path: new store generation, one ``bulk_load`` per
file, ``optimize`` before publishing), pyoxigraph ``Store.bulk_load(path=…)`` raw (one
call, no compaction), and, for the record, rdflib ``Graph.parse`` on a 100k-line subset,
extrapolated. Runs alternate in order (ABC, CBA, …) so that a noisy neighbour on a shared
machine does not always hit the same one; the best run of each counts.

After each load, as the tool left it: the disk usage of the store directory (``du``: every
file under it, generations and all) and, opened read-only in this process, the median time
of a few representative queries (the default graph as the union, as ``kg serve`` asks):
a label search (``FILTER(CONTAINS(LCASE(STR(?l)), …))`` over every label), a 2-hop join
(bloc → member → English label) and a ``GROUP BY`` over every typed subject. Prints the
tables with ratios to ``oxigraph load`` and writes ``bench/results/load.json``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from bench.generate import generate
from kg.load import load_files
from kg.store import EmbeddedStore

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
GRAPH = "https://example.org/bench/graph"
SG = "https://w3id.org/sgkg/ontology/"
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
QUERIES = {
    "label_search": (
        f"SELECT (COUNT(*) AS ?n) WHERE {{ ?s <{LABEL}> ?l "
        'FILTER(CONTAINS(LCASE(STR(?l)), "mar")) }'
    ),
    "join_2hop": (
        f"SELECT ?b ?m ?l WHERE {{ ?b <{SG}hasMember> ?m . ?m <{LABEL}> ?l "
        'FILTER(lang(?l) = "en") }'
    ),
    "group_by": "SELECT ?t (COUNT(*) AS ?n) WHERE { ?s a ?t } GROUP BY ?t ORDER BY DESC(?n)",
}


def disk_usage(path: Path) -> int:
    """Bytes on disk under ``path`` (``du``: allocated blocks, every file)."""
    total = 0
    for root, _, files in os.walk(path):
        for name in files:
            with contextlib.suppress(FileNotFoundError):
                total += os.lstat(os.path.join(root, name)).st_blocks * 512
    return total


def query_times(store: ox.Store, runs: int) -> dict[str, dict[str, float]]:
    """Per query: the first run and the median of ``runs`` more, in ms (rows consumed)."""
    out = {}
    for name, text in QUERIES.items():
        times = []
        rows = 0
        for _ in range(runs + 1):
            start = time.perf_counter()
            rows = sum(1 for _ in store.query(text, use_default_graph_as_union=True))
            times.append((time.perf_counter() - start) * 1000)
        out[name] = {"first_ms": times[0], "median_ms": statistics.median(times[1:]), "rows": rows}
    return out


def open_as_left(name: str, location: Path) -> ox.Store:
    """The store a contender left, opened read-only (``kg load``: its published generation)."""
    if name.startswith("kg load"):
        return EmbeddedStore(location).reader()
    return ox.Store.read_only(str(location))


def _oxigraph_binary() -> str | None:
    local = Path(sys.executable).parent / "oxigraph"
    return str(local) if local.exists() else shutil.which("oxigraph")


def cpu_seconds() -> float:
    """CPU time (user + system) of this process, all threads, plus its waited-for children."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def run_oxigraph(binary: str, path: Path, location: Path) -> tuple[float, float, int]:
    cpu = cpu_seconds()
    start = time.perf_counter()
    subprocess.run(
        [binary, "load", "--location", str(location), "--file", str(path), "--graph", GRAPH],
        check=True,
        capture_output=True,
    )
    seconds, cpu = time.perf_counter() - start, cpu_seconds() - cpu
    store = ox.Store.read_only(str(location))
    count = len(store)
    del store
    return seconds, cpu, count


def run_kg(path: Path, location: Path) -> tuple[float, float, int]:
    store = EmbeddedStore(location)
    cpu = cpu_seconds()
    start = time.perf_counter()
    load_files(store, [path], graph=GRAPH, progress=False)
    seconds, cpu = time.perf_counter() - start, cpu_seconds() - cpu
    return seconds, cpu, len(store.reader())


def run_raw(path: Path, location: Path) -> tuple[float, float, int]:
    cpu = cpu_seconds()
    start = time.perf_counter()
    store = ox.Store(str(location))
    store.bulk_load(path=str(path), format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(GRAPH))
    store.flush()
    seconds, cpu = time.perf_counter() - start, cpu_seconds() - cpu
    count = len(store)
    del store
    return seconds, cpu, count


def run_rdflib(path: Path, lines: int) -> tuple[float, int]:
    import rdflib

    subset = path.with_name(f"{path.stem}-rdflib-{lines}.nt")
    with open(path, "rb") as src, open(subset, "wb") as dst:
        for i, line in enumerate(src):
            if i >= lines:
                break
            dst.write(line)
    start = time.perf_counter()
    graph = rdflib.Graph()
    graph.parse(subset, format="nt")
    seconds = time.perf_counter() - start
    subset.unlink()
    return seconds, len(graph)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.bench_load", description=__doc__)
    parser.add_argument("-n", type=int, default=1_000_000, help="triples in the generated file")
    parser.add_argument("--file", type=Path, help="an existing N-Triples file instead")
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--rdflib-lines", type=int, default=100_000)
    parser.add_argument("--no-rdflib", action="store_true")
    parser.add_argument("--query-runs", type=int, default=5, help="timed runs per query")
    args = parser.parse_args(argv)

    size = f"{args.n // 1_000_000}m" if args.n % 1_000_000 == 0 else f"{args.n // 1000}k"
    path = args.file or ROOT / "bench" / "data" / f"geo-{size}.nt"
    if not path.exists():
        print(f"generating {path} ({args.n:,} triples)…", file=sys.stderr)
        generate(args.n, path)
    with open(path, "rb") as fh:
        triples = sum(1 for _ in fh)
    binary = _oxigraph_binary()

    contenders: dict[str, Any] = {}
    if binary:
        contenders["oxigraph load (CLI)"] = lambda loc: run_oxigraph(binary, path, loc)
    contenders["kg load (kg.load.load_files)"] = lambda loc: run_kg(path, loc)
    contenders["pyoxigraph bulk_load (raw)"] = lambda loc: run_raw(path, loc)

    best: dict[str, float] = {}
    runs: dict[str, list[float]] = {name: [] for name in contenders}
    cpu: dict[str, list[float]] = {name: [] for name in contenders}
    sizes: dict[str, list[int]] = {name: [] for name in contenders}
    queries: dict[str, list[dict[str, dict[str, float]]]] = {name: [] for name in contenders}
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="bench-load-") as tmp:
        for r in range(args.repeat):
            order = list(contenders) if r % 2 == 0 else list(reversed(contenders))
            for name in order:
                location = Path(tmp) / f"{r}-{len(runs[name])}-{abs(hash(name))}"
                seconds, cpu_used, count = contenders[name](location)
                cpu[name].append(cpu_used)
                if count != triples:
                    raise SystemExit(f"{name} loaded {count} triples, expected {triples}")
                runs[name].append(seconds)
                sizes[name].append(disk_usage(location))
                store = open_as_left(name, location)
                queries[name].append(query_times(store, args.query_runs))
                del store
                print(
                    f"  run {r + 1}: {name}: {seconds:.2f}s wall, {cpu[name][-1]:.2f}s CPU, "
                    f"{sizes[name][-1] / 1e6:.1f} MB, queries "
                    + ", ".join(
                        f"{q} {v['median_ms']:.1f} ms" for q, v in queries[name][-1].items()
                    ),
                    file=sys.stderr,
                )
                shutil.rmtree(location, ignore_errors=True)
    for name, times in runs.items():
        best[name] = min(times)
    if not args.no_rdflib:
        lines = min(args.rdflib_lines, triples)
        seconds, count = run_rdflib(path, lines)
        label = f"rdflib parse ({lines // 1000}k lines, extrapolated)"
        best[label] = seconds * triples / count
        runs[label] = [seconds]
        cpu[label] = [seconds * triples / count]
    load_after = os.getloadavg()

    reference = best.get("oxigraph load (CLI)")
    ref_name = "oxigraph load (CLI)" if reference else None
    rows = []
    print(f"\nbulk load of {triples:,} N-Triples ({path.stat().st_size:,} bytes), best of runs")
    print(f"{'loader':<44} {'seconds':>8} {'triples/s':>12} {'vs oxigraph':>12} {'CPU s':>7}")
    for name, seconds in best.items():
        rate = triples / seconds
        ratio = reference / seconds if reference else None
        row: dict[str, Any] = {
            "loader": name,
            "seconds": seconds,
            "triples_per_s": rate,
            "ratio": ratio,
            "runs": runs[name],
        }
        if sizes.get(name):
            row["disk_bytes"] = min(sizes[name])
            row["queries_ms"] = {
                q: min(run[q]["median_ms"] for run in queries[name]) for q in QUERIES
            }
            row["queries_first_ms"] = {
                q: min(run[q]["first_ms"] for run in queries[name]) for q in QUERIES
            }
        rows.append(row)
        shown = f"{ratio:.2f}×" if ratio else "n/a"
        print(f"{name:<44} {seconds:>8.2f} {rate:>12,.0f} {shown:>12} {min(cpu[name]):>7.2f}")
    by_name = {row["loader"]: row for row in rows}
    ref = by_name.get(ref_name) if ref_name else None
    print("\nthe store as each tool leaves it: disk usage and query medians (ms), × oxigraph load")
    print(f"{'loader':<32} {'MB':>7} {'×':>5} " + " ".join(f"{q:>19}" for q in QUERIES))
    for row in rows:
        if "disk_bytes" not in row:
            continue
        size_ratio = row["disk_bytes"] / ref["disk_bytes"] if ref else None
        row["disk_ratio"] = size_ratio
        row["query_ratios"] = {
            q: row["queries_ms"][q] / ref["queries_ms"][q] if ref else None for q in QUERIES
        }
        cells = " ".join(
            f"{row['queries_ms'][q]:9.1f} ({row['query_ratios'][q] or 0:5.2f}×)" for q in QUERIES
        )
        print(
            f"{row['loader'][:32]:<32} {row['disk_bytes'] / 1e6:7.1f} "
            f"{size_ratio or 0:5.2f} {cells}"
        )
    print(
        f"machine: {os.cpu_count()} CPUs, load average {load_before[0]:.1f} → {load_after[0]:.1f}"
    )

    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / "load.json"
    out.write_text(
        json.dumps(
            {
                "file": str(path),
                "triples": triples,
                "bytes": path.stat().st_size,
                "repeat": args.repeat,
                "cpus": os.cpu_count(),
                "load_average": [load_before[0], load_after[0]],
                "python": platform.python_version(),
                "pyoxigraph": ox.__version__,
                "results": rows,
            },
            indent=2,
        )
        + "\n"
    )
    print(f"wrote {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
