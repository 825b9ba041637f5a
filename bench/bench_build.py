"""Time ``kg build`` of the article: compile, SHACL, OWL reasoner (HermiT), atomic load.

    python -m bench.bench_build [--repeat 3] [--no-reasoner]

Calls :func:`kg.build.build` into a fresh temporary store per run; prints each step's seconds
(best of runs) and writes ``bench/results/build.json``. Without Java the reasoner step is
reported as skipped, not silently left out.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

from kg.build import build
from kg.store import EmbeddedStore

RESULTS = Path(__file__).resolve().parent / "results"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.bench_build", description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-reasoner", action="store_true")
    args, _ = parser.parse_known_args(argv)

    runs = []
    with tempfile.TemporaryDirectory(prefix="bench-build-") as tmp:
        for r in range(args.repeat):
            start = time.perf_counter()

            def log(message: str, start: float = start) -> None:
                print(f"    {time.perf_counter() - start:7.2f}s  {message}", file=sys.stderr)

            report = build(
                EmbeddedStore(Path(tmp) / f"store-{r}"), reasoner=not args.no_reasoner, log=log
            )
            wall = time.perf_counter() - start
            runs.append({"wall": wall, **report.timings})
            print(f"  run {r + 1}: {report.summary()}", file=sys.stderr)
    steps = list(runs[0])
    best = {step: min(run.get(step, float("inf")) for run in runs) for step in steps}
    print(f"\nkg build of the article: {report.quads:,} quads, {report.graphs} graphs, "
          f"{report.assertions} assertions; reasoner: {report.reasoner}")  # fmt: skip
    print(f"{'step':<12} {'best s':>8} {'runs':>30}")
    for step in steps:
        shown = ", ".join(f"{run.get(step, 0):.2f}" for run in runs)
        print(f"{step:<12} {best[step]:>8.2f} {shown:>30}")
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / "build.json"
    out.write_text(
        json.dumps(
            {
                "quads": report.quads,
                "graphs": report.graphs,
                "assertions": report.assertions,
                "reasoner": report.reasoner,
                "cpus": os.cpu_count(),
                "load_average": os.getloadavg()[0],
                "best": best,
                "runs": runs,
            },
            indent=2,
        )
        + "\n"
    )
    print(f"wrote {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
