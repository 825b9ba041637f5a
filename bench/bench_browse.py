"""/browse benchmark: faceted browsing on the article plus the 1M-triple generated graph.

``python -m bench.bench_browse [-n 1000000] [--requests 200] [--store DIR]``

Data: the article graph (``kg.build``, reasoner off) plus the generated geopolitical graph
(``bench.generate``: states, blocs, guarantees, commitments with types, statuses and
conditions, assertions with kinds and sources), bulk-loaded into one temporary embedded store
(reused with ``--store``), as :mod:`bench.bench_pages` does. Then:

1. the facet index of that version (:mod:`kg.indexes.facets`) is built from scratch: build time
   (SPARQL extraction, SQLite writing) and file size are reported;
2. the app (``create_app``) answers ``/browse`` in-process through the Flask test client for
   ``--requests`` different combinations of facet values (1–3 facets, 1–2 values each, drawn
   from the values the unfiltered page lists; some on page 2), JSON and HTML: every request
   differs from the others and nothing answers from an answer cache (there is none);
3. the same requests again ("cached": the per-version label and provenance caches are warm).

Reported: median and p95 of the in-process time per request, and the ``Server-Timing``
figure. Target (issue 13): median ≤ 50 ms. Results go to ``bench/results/browse.json``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import random
import re
import shutil
import statistics
import tempfile
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
BASE = "https://w3id.org/sgkg/"
JSON = {"Accept": "application/json"}


def prepare(path: Path, n: int) -> None:
    """The article graph and N generated triples in an embedded store at ``path``."""
    from bench.bench_pages import prepare_store

    if (path / "current").exists():
        print(f"reusing the store in {path}")
        return
    prepare_store(path, n)


def build_index(path: Path) -> dict[str, Any]:
    """Build the facet index of the store's current version from scratch, timed."""
    import sqlite3

    from kg.indexes import facets as facet_index
    from kg.store import EmbeddedStore

    store = EmbeddedStore(path)
    target = facet_index.index_path(store, BASE)
    with contextlib.suppress(FileNotFoundError):
        target.unlink()
    started = time.perf_counter()
    extract = facet_index.collect(store, BASE)
    extracted = time.perf_counter() - started
    facet_index.write_index(target, extract)
    seconds = time.perf_counter() - started
    db = sqlite3.connect(target)
    items, pairs = (
        int(db.execute(f"SELECT value FROM meta WHERE key = '{k}'").fetchone()[0])
        for k in ("items", "pairs")
    )
    values = int(db.execute("SELECT count(*) FROM term").fetchone()[0])
    db.close()
    started = time.perf_counter()
    facet_index.FacetIndex(target)
    loaded = time.perf_counter() - started
    info = {
        "triples": len(store.reader()),
        "index_build_s": round(seconds, 2),
        "index_extract_s": round(extracted, 2),
        "index_write_s": round(seconds - extracted, 2),
        "index_load_s": round(loaded, 3),
        "index_bytes": target.stat().st_size,
        "items": items,
        "pairs": pairs,
        "values": values,
    }
    print(
        f"facet index: {info['triples']:,} quads → {items:,} items, {pairs:,} (item, value) "
        f"pairs, {values} values; built in {seconds:.1f} s (SPARQL {extracted:.1f} s, "
        f"SQLite {seconds - extracted:.1f} s), {info['index_bytes'] / 1e6:.1f} MB; "
        f"loaded by a process in {loaded * 1000:.0f} ms"
    )
    return info


def combinations(index: Any, count: int, seed: int) -> list[str]:
    """``count`` distinct query strings, chosen the way a person narrows: 1–3 facets, each
    value (1–2 per facet) among those the current state lists with a count (so no
    combination is empty), some on page 2."""
    from kg.indexes.facets import FACETS

    rng = random.Random(seed)
    found: list[str] = []
    seen: set[str] = set()
    while len(found) < count:
        chosen: dict[str, list[str]] = {}
        for _ in range(rng.choice((1, 2, 2, 3))):
            counts = index.state(chosen).counts()
            names = [f.name for f in FACETS if f.name not in chosen and counts[f.name]]
            if not names:
                break
            name = rng.choice(names)
            values = [c.value for c in counts[name][:25]]
            chosen[name] = rng.sample(values, min(len(values), rng.choice((1, 1, 2))))
        params = [(name, value) for name in sorted(chosen) for value in chosen[name]]
        if rng.random() < 0.2 and index.state(chosen).total() > 20:
            params.append(("page", "2"))
        text = "&".join(f"{k}={quote(v)}" for k, v in params)
        if text not in seen:
            seen.add(text)
            found.append(text)
    return found


def server_ms(response: Any) -> float:
    match = re.search(r"dur=([\d.]+)", response.headers.get("Server-Timing", ""))
    return float(match.group(1)) if match else float("nan")


def measure(client: Any, queries: list[str], headers: dict[str, str]) -> dict[str, Any]:
    times, server, totals = [], [], []
    for query in queries:
        started = time.perf_counter()
        response = client.get("/browse?" + query, headers=headers)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (query, response.status_code, response.text[:200])
        server.append(server_ms(response))
        if headers is JSON:
            totals.append(response.get_json()["total"])
    times.sort()
    out = {
        "requests": len(times),
        "median_ms": round(statistics.median(times), 2),
        "p95_ms": round(times[max(0, int(len(times) * 0.95) - 1)], 2),
        "max_ms": round(times[-1], 2),
        "server_median_ms": round(statistics.median(server), 2),
    }
    if totals:
        out["results_min_median_max"] = [min(totals), int(statistics.median(totals)), max(totals)]
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.bench_browse", description=__doc__)
    parser.add_argument("-n", type=int, default=1_000_000, help="generated triples")
    parser.add_argument("--requests", type=int, default=200, help="combinations measured")
    parser.add_argument("--store", type=Path, help="keep (and reuse) the loaded store here")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "browse.json")
    args = parser.parse_args(argv)
    results: dict[str, Any] = {"n": args.n}
    with contextlib.ExitStack() as stack:
        if args.store:
            path = args.store
        else:
            tmp = Path(tempfile.mkdtemp(prefix="sgkg-browse-"))
            stack.callback(shutil.rmtree, tmp, ignore_errors=True)
            path = tmp / "store"
        prepare(path, args.n)
        results.update(build_index(path))

        from server import create_app

        app = create_app({"STORE": str(path)})
        client = app.test_client()
        started = time.perf_counter()
        first = client.get("/browse", headers=JSON)
        results["first_request_ms"] = round((time.perf_counter() - started) * 1000, 1)
        assert first.status_code == 200, first.text[:300]
        body = first.get_json()
        print(
            f"unfiltered: {body['total']:,} things; first request {results['first_request_ms']} ms"
        )
        # the first request starts the per-process label/search indexes in the background
        for thread in threading.enumerate():
            if thread.name == "search-index":
                thread.join()
        from kg.indexes import facets as facet_index
        from server.store import get_store

        with app.app_context():
            index = facet_index.open_index(get_store(), BASE)
        queries = combinations(index, args.requests, args.seed)
        html_queries = combinations(index, args.requests * 2, args.seed + 1)
        html_queries = [q for q in html_queries if q not in set(queries)][: args.requests]
        results["json"] = measure(client, queries, JSON)
        results["html"] = measure(client, html_queries, {"Accept": "text/html"})
        results["json_cached"] = measure(client, queries, JSON)
        results["unfiltered"] = measure(client, ["size=20"] * 20, JSON)
    print(f"{'/browse':<24} {'requests':>8} {'median':>9} {'p95':>9} {'max':>9} {'server':>9}")
    for name in ("json", "html", "json_cached", "unfiltered"):
        r = results[name]
        print(
            f"{name:<24} {r['requests']:>8} {r['median_ms']:>7.1f}ms {r['p95_ms']:>7.1f}ms "
            f"{r['max_ms']:>7.1f}ms {r['server_median_ms']:>7.1f}ms"
        )
    spread = results["json"]["results_min_median_max"]
    print(f"results per JSON combination (min, median, max): {spread}")
    verdict = "met" if results["json"]["median_ms"] <= 50 else "NOT met"
    print(f"target median ≤ 50 ms on new combinations: {verdict}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
