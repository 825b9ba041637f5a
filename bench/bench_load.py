"""Bulk-load speed, side by side on the same N-Triples file, a fresh store for each run.

    python -m bench.bench_load [-n 1000000] [--repeat 2] [--file F]

Contenders: ``oxigraph load`` (the CLI from the PyPI package: the target), ``kg load``
(:func:`kg.load.load_files`, our library path: new store generation, parallel chunks,
publish), pyoxigraph ``Store.bulk_load(path=…)`` raw (one call, one thread), and, for the
record, rdflib ``Graph.parse`` on a 100k-line subset, extrapolated. Runs alternate in order
(ABC, CBA, …) so that a noisy neighbour on a shared machine does not always hit the same one;
the best run of each counts. Prints a table (triples/s, ratio to ``oxigraph load``) and writes
``bench/results/load.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
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
                print(
                    f"  run {r + 1}: {name}: {seconds:.2f}s wall, {cpu[name][-1]:.2f}s CPU",
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
    rows = []
    print(f"\nbulk load of {triples:,} N-Triples ({path.stat().st_size:,} bytes), best of runs")
    print(f"{'loader':<44} {'seconds':>8} {'triples/s':>12} {'vs oxigraph':>12} {'CPU s':>7}")
    for name, seconds in best.items():
        rate = triples / seconds
        ratio = reference / seconds if reference else None
        rows.append(
            {
                "loader": name,
                "seconds": seconds,
                "triples_per_s": rate,
                "ratio": ratio,
                "runs": runs[name],
            }  # fmt: skip
        )
        shown = f"{ratio:.2f}×" if ratio else "n/a"
        print(f"{name:<44} {seconds:>8.2f} {rate:>12,.0f} {shown:>12} {min(cpu[name]):>7.2f}")
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
