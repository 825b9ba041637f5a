"""The ``kg`` command line. Each subcommand lives in the module that does the work:

``build`` → kg.build, ``validate`` → kg.checks.validate, ``serve`` → server.serve,
``load`` → kg.load, ``query`` → kg.query_cli, ``link`` → kg.publish.link,
``dump`` → kg.publish.dump, ``stats`` → kg.publish.stats, ``source`` → kg.sources.cli,
``release`` → kg.publish.releases.

Each handler is ``cli(args, settings) -> int``. Exit codes: 0 success, 1 the data has
violations (SHACL, quotes, inconsistency), 2 an error (bad input, bad config, I/O).
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from kg import __version__
from kg import settings as kg_settings
from kg.errors import KGError

EXIT_OK, EXIT_VIOLATIONS, EXIT_ERROR = 0, 1, 2

COMMANDS = {
    "build": (
        "kg.build",
        "compile sources, validate (SHACL), reason (OWL), load the store atomically",
    ),
    "validate": ("kg.checks.validate", "SHACL-validate the curated graph, or the given files"),
    "serve": ("server.serve", "serve the app under gunicorn (several workers)"),
    "load": ("kg.load", "bulk-load external RDF into the store (gzip too), with a progress bar"),
    "query": ("kg.query_cli", "run SPARQL against the configured store and print the results"),
    "link": (
        "kg.publish.link",
        "refresh external links (Wikidata) or keep the committed link sets offline",
    ),
    "dump": ("kg.publish.dump", "write dumps (N-Quads gz, TriG, Turtle) with SHA-256 checksums"),
    "stats": ("kg.publish.stats", "triples per graph, classes, properties, links"),
    "source": ("kg.sources.cli", "add, check and list curated sources"),
    "release": ("kg.publish.releases", "freeze the graph as a dated release: dumps, diff, IRI"),
}


def _settings_epilog() -> str:
    lines = ["environment (CLI flags override):"]
    for s in kg_settings.SETTINGS:
        lines.append(f"  KG_{s.name:<18} {s.help} (default: {s.default})")
    return "\n".join(lines)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kg",
        description="Security Guarantees Knowledge Graph",
        epilog=_settings_epilog(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"kg {__version__}")
    parser.add_argument("--store", help="override KG_STORE (directory or http(s):// endpoint)")
    parser.add_argument("--base-iri", help="override KG_BASE_IRI")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("build", help=COMMANDS["build"][1])
    p.add_argument("--strict", action="store_true", help="fail when the reasoner cannot run")
    p.add_argument("--skip-reasoner", action="store_true", help="do not run the OWL reasoner")

    p = sub.add_parser("validate", help=COMMANDS["validate"][1])
    p.add_argument("files", nargs="*", help="RDF files to validate (default: the curated graph)")
    p.add_argument("--format", choices=["text", "turtle"], default="text")

    p = sub.add_parser("serve", help=COMMANDS["serve"][1])
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=5000)
    p.add_argument("--workers", type=int, help="override KG_WORKERS")
    p.add_argument("--threads", type=int, help="threads per worker (default 4)")
    p.add_argument(
        "--server",
        choices=["gunicorn", "granian"],
        default="gunicorn",
        help="HTTP server (granian: pip install granian; see bench/README.md)",
    )

    p = sub.add_parser("load", help=COMMANDS["load"][1])
    p.add_argument("files", nargs="+", help="nt, nq, ttl, trig, rdf/xml, jsonld; .gz too")
    p.add_argument("--graph", help="named graph IRI for triples (default: one per file)")
    p.add_argument("--replace", action="store_true", help="replace the graph atomically")
    p.add_argument("--no-progress", action="store_true")
    p.add_argument(
        "--lenient", action="store_true", help="skip IRI/literal validation (trusted input only)"
    )

    p = sub.add_parser("query", help=COMMANDS["query"][1])
    p.add_argument("query", help="a SPARQL query, @FILE, or - for standard input")
    p.add_argument(
        "--format", default="table", help="table, json, xml, csv, tsv, turtle, ntriples, …"
    )

    p = sub.add_parser("link", help=COMMANDS["link"][1])
    p.add_argument("--endpoint", help="Wikidata-compatible SPARQL endpoint to reconcile against")
    p.add_argument("--offline", action="store_true", help="keep the committed link sets")
    p.add_argument("--dry-run", action="store_true", help="report changes without writing")

    p = sub.add_parser("dump", help=COMMANDS["dump"][1])
    p.add_argument("dir", nargs="?", default=None, help="output directory (default: var/dumps)")

    p = sub.add_parser("stats", help=COMMANDS["stats"][1])
    p.add_argument("--format", choices=["table", "json"], default="table")

    p = sub.add_parser("release", help=COMMANDS["release"][1])
    p.add_argument("version", nargs="?", help="release version (default: today, YYYY-MM-DD)")

    from kg.sources.cli import add_arguments

    add_arguments(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        settings = kg_settings.load(STORE=args.store, BASE_IRI=args.base_iri)
        module = importlib.import_module(COMMANDS[args.command][0])
        return int(module.cli(args, settings) or 0)
    except KGError as exc:
        print(f"kg {args.command}: error: {exc}", file=sys.stderr)
        if exc.detail:
            print(exc.detail, file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
