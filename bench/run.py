"""Run the benchmarks: every ``bench/bench_*.py`` module's ``main(argv)``, one after another.

    python -m bench.run                 # all of them (``make bench``)
    python -m bench.run --only load     # bench_load only (repeatable: --only load --only build)
    python -m bench.run --only load -- -n 100000   # arguments after -- go to each main()

Each module prints its own side-by-side table and writes ``bench/results/<name>.json``.
A failing benchmark is reported and the others still run; the exit code is non-zero then.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import time
import traceback
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent


def discover() -> list[str]:
    """Benchmark names (``load`` for ``bench_load.py``), sorted."""
    return sorted(p.stem.removeprefix("bench_") for p in BENCH_DIR.glob("bench_*.py"))


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    passthrough: list[str] = []
    if "--" in argv:
        cut = argv.index("--")
        argv, passthrough = argv[:cut], argv[cut + 1 :]
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__)
    parser.add_argument("--only", action="append", metavar="NAME", help="run only this one")
    parser.add_argument("--list", action="store_true", help="list the benchmarks and exit")
    args = parser.parse_args(argv)

    names = discover()
    if args.list:
        print("\n".join(names))
        return 0
    if args.only:
        wanted = [n.removeprefix("bench_").removesuffix(".py") for n in args.only]
        unknown = [n for n in wanted if n not in names]
        if unknown:
            parser.error(f"unknown benchmark(s) {', '.join(unknown)}; known: {', '.join(names)}")
        names = wanted
    failed = []
    for name in names:
        print(f"\n=== bench_{name} ===", flush=True)
        start = time.perf_counter()
        try:
            module = importlib.import_module(f"bench.bench_{name}")
            code = module.main(list(passthrough))
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        except Exception:  # one broken benchmark must not hide the others' numbers
            traceback.print_exc()
            code = 1
        print(f"=== bench_{name}: exit {code or 0} in {time.perf_counter() - start:.1f}s ===")
        if code:
            failed.append(name)
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
