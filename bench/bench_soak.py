"""Soak: mixed traffic from 8 clients for 90 s against ``kg serve`` (real gunicorn).

``python -m bench.bench_soak [--seconds 90] [--clients 8] [--workers 3] [-n 100000]
[--store DIR] [--no-updates]``

Data: the article graph (``kg.build``, reasoner off) plus ``-n`` generated triples
(:func:`bench.bench_pages.prepare_store`; ``--store`` keeps and reuses it). ``kg serve``
runs with several gunicorn workers, its own dumps folder, per-client rate limits off (the
clients all come from 127.0.0.1; 429s would still be counted) and, unless
``--no-updates``, a ``KG_UPDATE_TOKEN`` so that a few authorized small updates run too.

Each client process draws request kinds by weight from one seeded sequence, every
SPARQL request with a varying constant (no two texts alike, so no cache answers them):
ASK, point lookup, 2-hop join, GROUP BY, label search (CONTAINS), CONSTRUCT and DESCRIBE,
malformed queries (which must be 4xx), entity pages (HTML and Turtle), search (HTML and
JSON), /browse (JSON), VoID, ``HEAD`` of a dump file, and the updates.

A warm-up (``--warmup``, 15 s of the same mix, not measured) fills caches and indexes
first. Reported per kind: count, unexpected answers (a 4xx where a 200 was due, a 200 where a
4xx was), 5xx and connection errors apart, p50 and p99 latency; and per gunicorn worker
(the master's children, from ``/proc``) its RSS and its query processes' RSS at the
start (after warm-up) and the end, sampled every 10 s. Writes ``bench/results/soak.json``.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import multiprocessing
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote, urlencode

import requests

from bench.bench_pages import entity_paths, prepare_store
from tests.servers import free_port

ROOT = Path(__file__).resolve().parent.parent
GEN = "https://example.org/bench/"
SG = "https://w3id.org/sgkg/ontology/"
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
JSON_RESULTS = "application/sparql-results+json"
TOKEN = "soak-token-not-secret"
SAMPLE_EVERY = 10.0

#: kind: weight (per 1000 requests)
WEIGHTS = {
    "sparql_ask": 80,
    "sparql_point": 140,
    "sparql_join": 60,
    "sparql_group_by": 30,
    "sparql_label_search": 50,
    "sparql_construct": 50,
    "sparql_describe": 30,
    "sparql_bad": 30,
    "page_html": 160,
    "page_turtle": 50,
    "search_html": 50,
    "search_json": 70,
    "browse_json": 50,
    "void": 20,
    "dumps_head": 20,
    "update": 3,
}
WORDS = ["france", "ukraine", "coalition", "guarantee", "state", "etat", "nato", "russ", "treaty"]
SYLLABLES = ["ar", "an", "ia", "on", "er", "st", "ra", "en", "or", "in"]


def _sparql(query: str, accept: str = JSON_RESULTS, post: bool = False) -> tuple:
    if post:
        return ("POST", "/sparql", {"Accept": accept, "Content-Type": "application/sparql-query"},
                query.encode())  # fmt: skip
    return ("GET", "/sparql?query=" + quote(query), {"Accept": accept}, None)


def request_for(kind: str, rng: random.Random, n: int, tag: str, env: dict) -> tuple:
    """(method, path, headers, body) of one request of ``kind``; ``tag`` makes it unique."""
    states, blocs = min(600, max(20, n // 4000)), max(5, n // 20000)
    country = f"<{GEN}id/country/{rng.randrange(states)}>"
    if kind == "sparql_ask":
        return _sparql(f"ASK {{ {country} ?p ?o }} # {tag}")
    if kind == "sparql_point":
        return _sparql(f"SELECT ?p ?o WHERE {{ {country} ?p ?o }} # {tag}", post=rng.random() < 0.3)
    if kind == "sparql_join":
        bloc = f"<{GEN}id/bloc/{rng.randrange(blocs)}>"
        return _sparql(
            f"SELECT ?m ?l WHERE {{ {bloc} <{SG}hasMember> ?m . ?m <{LABEL}> ?l "
            f'FILTER(lang(?l) = "en") }} # {tag}'
        )
    if kind == "sparql_group_by":
        return _sparql(
            "SELECT ?t (COUNT(*) AS ?n) WHERE { ?s a ?t } GROUP BY ?t ORDER BY DESC(?n) "
            f"LIMIT {rng.randrange(5, 50)}"
        )
    if kind == "sparql_label_search":
        word = rng.choice(SYLLABLES) + rng.choice("aeiou")
        return _sparql(
            f"SELECT ?s ?l WHERE {{ ?s <{LABEL}> ?l "
            f'FILTER(CONTAINS(LCASE(STR(?l)), "{word}")) }} LIMIT 50 # {tag}'
        )
    if kind == "sparql_construct":
        return _sparql(
            f"CONSTRUCT {{ {country} ?p ?o }} WHERE {{ {country} ?p ?o }} # {tag}", "text/turtle"
        )
    if kind == "sparql_describe":
        return _sparql(f"DESCRIBE {country} # {tag}", "text/turtle")
    if kind == "sparql_bad":
        broken = rng.choice(
            [
                f"SELECT ?s WHERE {{ ?s ?p ?o  # {tag}",
                f"SELEC ?s WHERE {{ ?s ?p ?o }} # {tag}",
                f"SELECT ?s WHERE {{ ?s <not an iri {tag}> ?o }}",
                f'SELECT ?s WHERE {{ ?s ?p "{tag}"^^ }}',
            ]
        )
        return _sparql(broken)
    if kind in ("page_html", "page_turtle"):
        path = rng.choice(env["pages"])
        return ("GET", path, {"Accept": "text/html" if kind == "page_html" else "text/turtle"},
                None)  # fmt: skip
    if kind in ("search_html", "search_json"):
        q = rng.choice(WORDS)
        accept = "text/html" if kind == "search_html" else "application/json"
        return ("GET", f"/search?q={quote(q)}", {"Accept": accept}, None)
    if kind == "browse_json":
        params = {"type": rng.choice(env["types"])} if env["types"] and rng.random() < 0.7 else {}
        path = "/browse" + (f"?{urlencode(params)}" if params else "")
        return ("GET", path, {"Accept": "application/json"}, None)
    if kind == "void":
        return ("GET", "/void", {"Accept": "text/turtle"}, None)
    if kind == "dumps_head":
        return ("HEAD", rng.choice(env["dumps"]) if env["dumps"] else "/dumps/", {}, None)
    if kind == "update":
        text = (
            f"INSERT DATA {{ GRAPH <{GEN}graph/soak> {{ <{GEN}id/soak/{tag}> <{LABEL}> "
            f'"soak {tag}" }} }}'
        )
        headers = {"Content-Type": "application/sparql-update", "Authorization": f"Bearer {TOKEN}"}
        return ("POST", "/update", headers, text.encode())
    raise ValueError(kind)


def expected(kind: str, status: int) -> bool:
    if kind == "sparql_bad":
        return 400 <= status < 500
    if kind == "update":
        return status in (200, 204)
    return status == 200


def _client(job: tuple) -> dict:
    """One client process: requests until ``stop_at``; per kind, outcomes and latencies."""
    host, number, seed, start_at, stop_at, n, env, kinds, weights = job
    rng = random.Random(seed * 1000 + number)
    conn = http.client.HTTPConnection(host, timeout=60)
    stats: dict[str, dict] = {}
    sequence = 0
    while time.time() < start_at:
        time.sleep(0.001)
    while time.time() < stop_at:
        kind = rng.choices(kinds, weights)[0]
        sequence += 1
        method, path, headers, body = request_for(kind, rng, n, f"{number}-{sequence}", env)
        row = stats.setdefault(
            kind,
            {"count": 0, "ok": 0, "unexpected": 0, "status_5xx": 0, "connection_errors": 0,
             "rate_limited": 0, "latencies_ms": [], "statuses": {}},
        )  # fmt: skip
        row["count"] += 1
        started = time.perf_counter()
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            response.read()
            status = response.status
            if response.getheader("Connection", "").lower() == "close":
                conn.close()
        except (OSError, http.client.HTTPException):
            row["connection_errors"] += 1
            conn.close()
            conn = http.client.HTTPConnection(host, timeout=60)
            continue
        row["latencies_ms"].append((time.perf_counter() - started) * 1000)
        row["statuses"][str(status)] = row["statuses"].get(str(status), 0) + 1
        if status >= 500:
            row["status_5xx"] += 1
        elif status == 429:
            row["rate_limited"] += 1
        elif expected(kind, status):
            row["ok"] += 1
        else:
            row["unexpected"] += 1
    return stats


# --- processes and memory ------------------------------------------------------------------


def _children(pid: int) -> list[int]:
    with contextlib.suppress(OSError), open(f"/proc/{pid}/task/{pid}/children") as fh:
        return [int(p) for p in fh.read().split()]
    return []


def _descendants(pid: int) -> list[int]:
    out = []
    for child in _children(pid):
        out.append(child)
        out += _descendants(child)
    return out


def _rss_kb(pid: int) -> int:
    with contextlib.suppress(OSError), open(f"/proc/{pid}/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def memory(master: int) -> dict[str, dict[str, int]]:
    """Per gunicorn worker (the master's children): its RSS and its query processes' RSS
    (the worker's descendants: fork server and query processes), in kB."""
    out = {}
    for worker in _children(master):
        helpers = _descendants(worker)
        out[str(worker)] = {
            "worker_rss_kb": _rss_kb(worker),
            "query_processes": len(helpers),
            "query_processes_rss_kb": sum(_rss_kb(p) for p in helpers),
        }
    return out


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))]


def merge(parts: list[dict]) -> dict[str, dict]:
    total: dict[str, dict] = {}
    for part in parts:
        for kind, row in part.items():
            into = total.setdefault(
                kind,
                {"count": 0, "ok": 0, "unexpected": 0, "status_5xx": 0, "connection_errors": 0,
                 "rate_limited": 0, "latencies_ms": [], "statuses": {}},
            )  # fmt: skip
            for key in ("count", "ok", "unexpected", "status_5xx", "connection_errors"):
                into[key] += row[key]
            into["rate_limited"] += row["rate_limited"]
            into["latencies_ms"] += row["latencies_ms"]
            for status, count in row["statuses"].items():
                into["statuses"][status] = into["statuses"].get(status, 0) + count
    return total


def _wait(url: str, proc: subprocess.Popen, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"kg serve exited with {proc.returncode}")
        with contextlib.suppress(requests.RequestException):
            if requests.get(url, timeout=5).status_code < 500:
                return
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not come up")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.bench_soak", description=__doc__)
    parser.add_argument("--seconds", type=float, default=90.0)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers")
    parser.add_argument("-n", type=int, default=100_000, help="generated triples")
    parser.add_argument("--store", type=Path, help="reuse (or create) the store here")
    parser.add_argument("--no-updates", action="store_true", help="no KG_UPDATE_TOKEN")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--warmup", type=float, default=15.0, help="seconds of the same mix before measuring"
    )
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "soak.json")
    args = parser.parse_args(argv)

    with contextlib.ExitStack() as stack:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="sgkg-soak-")))
        store_dir = args.store or tmp / "store"
        if not (store_dir / "current").exists():
            prepare_store(store_dir, args.n)
        port = free_port()
        env = {
            **os.environ,
            "KG_STORE": str(store_dir),
            "KG_DUMPS": str(tmp / "dumps"),
            "KG_RATE_LIMIT_REQUESTS": "0",
            "KG_RATE_LIMIT_QUERY_SECONDS": "0",
        }
        env.pop("PROMETHEUS_MULTIPROC_DIR", None)
        if args.no_updates:
            env.pop("KG_UPDATE_TOKEN", None)
        else:
            env["KG_UPDATE_TOKEN"] = TOKEN
        log = stack.enter_context(open(tmp / "serve.log", "w+"))
        proc = subprocess.Popen(
            [sys.executable, "-m", "kg.cli", "serve", "--port", str(port),
             "--workers", str(args.workers)],
            env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        stack.callback(proc.wait, 30)
        stack.callback(proc.terminate)
        url = f"http://127.0.0.1:{port}"
        _wait(url + "/healthz", proc)
        # warm-up: every worker answers, builds its search index and facet counts
        for _ in range(3 * args.workers):
            requests.get(url + "/search?q=warmup", timeout=300)
            requests.get(url + "/browse", headers={"Accept": "application/json"}, timeout=300)
        time.sleep(3)
        pages = entity_paths(url)
        browse = requests.get(url + "/browse", headers={"Accept": "application/json"}, timeout=60)
        types = [
            v["value"] for v in browse.json().get("facets", {}).get("type", [])[:8] if "value" in v
        ]
        listing = requests.get(url + "/dumps/", timeout=60).text
        dumps = sorted(set(re.findall(r'href="(/dumps/[^"?#]+)"', listing)))[:4]
        client_env = {"pages": pages, "types": types, "dumps": dumps}
        kinds = [k for k in WEIGHTS if k != "update" or not args.no_updates]
        weights = [WEIGHTS[k] for k in kinds]

        host = f"127.0.0.1:{port}"
        if args.warmup > 0:  # the same mix, not measured: caches and indexes fill up first
            start_at = time.time() + 0.5
            warm = [
                (host, 100 + i, args.seed, start_at, start_at + args.warmup, args.n,
                 client_env, kinds, weights)
                for i in range(args.clients)
            ]  # fmt: skip
            with multiprocessing.get_context("fork").Pool(args.clients) as pool:
                pool.map(_client, warm)
            time.sleep(2)
        memory_start = memory(proc.pid)
        load_start = os.getloadavg()
        samples = [{"t": 0.0, "memory": memory_start}]
        start_at = time.time() + 1.0
        stop_at = start_at + args.seconds
        jobs = [
            (host, i, args.seed, start_at, stop_at, args.n, client_env, kinds, weights)
            for i in range(args.clients)
        ]
        print(
            f"soak: {args.clients} clients × {args.seconds:.0f} s against {args.workers} "
            f"workers ({len(pages)} entity pages, {len(dumps)} dumps, "
            f"updates {'off' if args.no_updates else 'on'})",
            flush=True,
        )
        with multiprocessing.get_context("fork").Pool(args.clients) as pool:
            pending = pool.map_async(_client, jobs)
            while not pending.ready():
                pending.wait(SAMPLE_EVERY)
                if not pending.ready():
                    samples.append(
                        {"t": round(time.time() - start_at, 1), "memory": memory(proc.pid)}
                    )
            parts = pending.get()
        memory_end = memory(proc.pid)
        samples.append({"t": round(time.time() - start_at, 1), "memory": memory_end})
        load_end = os.getloadavg()
        alive = proc.poll() is None
        log.flush()
        log.seek(0)
        server_log = log.read()

    kinds_out = {}
    totals = {"count": 0, "ok": 0, "unexpected": 0, "status_5xx": 0, "connection_errors": 0,
              "rate_limited": 0}  # fmt: skip
    merged = merge(parts)
    print(
        f"\n{'kind':20} {'count':>7} {'ok':>7} {'unexp':>6} {'5xx':>5} {'conn':>5} "
        f"{'p50 ms':>8} {'p99 ms':>8}"
    )
    for kind in kinds:
        row = merged.get(kind)
        if row is None:
            continue
        lat = row.pop("latencies_ms")
        row["p50_ms"] = round(percentile(lat, 0.50), 2)
        row["p99_ms"] = round(percentile(lat, 0.99), 2)
        row["max_ms"] = round(max(lat), 1) if lat else None
        kinds_out[kind] = row
        for key in totals:
            totals[key] += row[key]
        print(
            f"{kind:20} {row['count']:7} {row['ok']:7} {row['unexpected']:6} "
            f"{row['status_5xx']:5} {row['connection_errors']:5} "
            f"{row['p50_ms']:8.2f} {row['p99_ms']:8.2f}"
        )
    all_lat = [x for part in parts for row in part.values() for x in row["latencies_ms"]]
    totals["p50_ms"] = round(percentile(all_lat, 0.50), 2)
    totals["p99_ms"] = round(percentile(all_lat, 0.99), 2)
    totals["requests_per_s"] = round(totals["count"] / args.seconds, 1)
    print(
        f"{'all':20} {totals['count']:7} {totals['ok']:7} {totals['unexpected']:6} "
        f"{totals['status_5xx']:5} {totals['connection_errors']:5} "
        f"{totals['p50_ms']:8.2f} {totals['p99_ms']:8.2f}   ({totals['requests_per_s']} req/s)"
    )
    growth = {}
    print("\nRSS per gunicorn worker (MB): start → end (query processes: start → end)")
    for pid in sorted(set(memory_start) | set(memory_end)):
        a, b = memory_start.get(pid), memory_end.get(pid)
        if a and b:
            growth[pid] = {
                "worker_mb": round((b["worker_rss_kb"] - a["worker_rss_kb"]) / 1024, 1),
                "query_processes_mb": round(
                    (b["query_processes_rss_kb"] - a["query_processes_rss_kb"]) / 1024, 1
                ),
            }
            print(
                f"  worker {pid}: {a['worker_rss_kb'] / 1024:7.1f} → "
                f"{b['worker_rss_kb'] / 1024:7.1f} ({growth[pid]['worker_mb']:+.1f}); query "
                f"processes ×{b['query_processes']}: {a['query_processes_rss_kb'] / 1024:7.1f} → "
                f"{b['query_processes_rss_kb'] / 1024:7.1f} "
                f"({growth[pid]['query_processes_mb']:+.1f})"
            )
        else:
            print(f"  worker {pid}: {'started during the run' if b else 'gone by the end'}")
    half = next((x for x in samples if x["t"] >= args.seconds / 2), None)
    second_half = {}
    if half is not None:
        for pid, end in memory_end.items():
            mid = half["memory"].get(pid)
            if mid:
                second_half[pid] = round((end["worker_rss_kb"] - mid["worker_rss_kb"]) / 1024, 1)
        print(
            f"  worker RSS growth over the second half (from t={half['t']} s): "
            + ", ".join(f"{pid} {mb:+.1f} MB" for pid, mb in second_half.items())
        )
    tracebacks = server_log.count("Traceback")
    print(
        f"server alive at the end: {alive}; tracebacks in its log: {tracebacks}; load average "
        f"{load_start[0]:.1f} → {load_end[0]:.1f} on {os.cpu_count()} CPUs"
    )
    result = {
        "seconds": args.seconds,
        "clients": args.clients,
        "workers": args.workers,
        "n": args.n,
        "updates": not args.no_updates,
        "cpus": os.cpu_count(),
        "load_average": [load_start[0], load_end[0]],
        "totals": totals,
        "kinds": kinds_out,
        "memory_start": memory_start,
        "memory_end": memory_end,
        "rss_growth": growth,
        "rss_growth_second_half_mb": second_half,
        "warmup_seconds": args.warmup,
        "memory_samples": samples,
        "server_alive": alive,
        "server_log_tracebacks": tracebacks,
        "server_log_tail": server_log[-3000:],
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"written {args.out}")
    failed = totals["status_5xx"] + totals["connection_errors"] + totals["unexpected"]
    return 1 if failed or not alive else 0


if __name__ == "__main__":
    sys.exit(main())
