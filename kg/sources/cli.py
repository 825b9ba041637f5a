"""``kg source add | check | list``: a curator's workflow, with no Python to write.

``add`` starts a source folder (the text copied, its SHA-256 computed, a metadata skeleton and
an empty claims file); ``check`` tells what is wrong in ``file:line:column`` messages — quotes
not found, unknown kinds or terms, shape violations, and the sentences that no claim quotes
and no furniture mark excuses; ``list`` shows the sources with their counts.

Exit codes (as for every ``kg`` command): 0 fine, 1 the data has problems, 2 an error.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from kg import paths
from kg.errors import KGError, ParseError
from kg.sources import Compiled, compile_source, require_coverage
from kg.sources import vocab as v
from kg.sources.source import (
    CLAIMS_FILE,
    META_FILE,
    SLUG,
    TEXT_FILE,
    load_source,
    sha256_of,
    source_folders,
)
from kg.sources.yamlfile import dump

EXIT_OK, EXIT_PROBLEMS, EXIT_ERROR = 0, 1, 2


def add_arguments(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("source", help="add, check and list curated sources")
    p.add_argument("--dir", help="the folder of source folders (default: kg/data/sources)")
    actions = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    a = actions.add_parser("add", help="start a new source from a UTF-8 text file")
    a.add_argument("text", help="the text file (UTF-8), copied exactly")
    a.add_argument("--slug", required=True, help="lower-case ASCII words joined by hyphens")
    a.add_argument("--title")
    a.add_argument("--type", choices=sorted(v.DOCUMENT_TYPES), default="commentary")
    a.add_argument("--author", action="append", default=[], help="CURIE, e.g. person:jane-doe")
    a.add_argument("--party", action="append", default=[], help="CURIE, e.g. country:ukraine")
    a.add_argument("--publisher", help="CURIE of the publisher")
    a.add_argument("--date", help="YYYY-MM-DD")
    a.add_argument("--url")
    a.add_argument("--licence")
    a.add_argument("--language", default="en")
    a.add_argument("--obtained", help="how the text was obtained, what was normalised")
    a.add_argument("--prefix", help="assertion slug prefix (default: the slug's initials)")
    c = actions.add_parser("check", help="check sources' claims, quotes, shapes and coverage")
    c.add_argument("slugs", nargs="*", metavar="SLUG")
    c.add_argument("--no-shapes", action="store_true", help="skip the SHACL step")
    ls = actions.add_parser("list", help="the sources with their counts")
    ls.add_argument("--format", choices=["table", "json"], default="table")


def cli(args: Any, settings: dict[str, Any]) -> int:
    root = Path(args.dir) if args.dir else paths.sources_dir()
    if args.action == "add":
        return add(args, root)
    if args.action == "check":
        return check(root, args.slugs, shapes=not args.no_shapes)
    return list_sources(root, args.format)


# ---------------------------------------------------------------------------- add
CLAIMS_SKELETON = """\
# Claims of "{title}". One entry per atomic claim; docs/curation.md explains the format.
# Offsets, context, slugs, IRIs and the nanopublication graphs are computed: never type them.
#
# furniture: lines of text.txt that are not the document's content (a whole line, exactly,
#   or {{pattern: regex}}); headings: lines that name a section ({{pattern: "^Article "}}).
furniture: []
headings: []
claims: []
# - quote: "the exact words of the source"
#   kind: fact            # {kinds}
#   speaker: country:ukraine    # whose statement a fact reports (optional)
#   says: |
#     commitment:x sg:guarantor country:united-states ; sg:beneficiary country:ukraine .
"""


def _default_prefix(slug: str, taken: set[str]) -> str:
    words = [w for w in slug.split("-") if w and not w.isdigit()]
    base = "".join(w[0] for w in words)[:4] or "src"
    prefix, n = base, 2
    while prefix in taken:
        prefix, n = f"{base}{n}", n + 1
    return prefix


def add(args: Any, root: Path) -> int:
    slug = args.slug
    if not SLUG.match(slug):
        raise ParseError(f"slug {slug!r}: lower-case ASCII letters and digits joined by hyphens")
    folder = root / slug
    if folder.exists():
        raise KGError(f"{folder} already exists: a slug is never reused")
    source_path = Path(args.text)
    try:
        data = source_path.read_bytes()
        text = data.decode("utf-8")
    except OSError as exc:
        raise ParseError(f"cannot read: {exc}", source=str(source_path)) from exc
    except UnicodeDecodeError as exc:
        raise ParseError(
            f"not UTF-8 at byte {exc.start}: convert the text to UTF-8 first",
            source=str(source_path),
        ) from exc
    if "\r" in text:
        raise ParseError(
            "the text has carriage returns; store it with \\n line ends (and say so in `obtained`)",
            source=str(source_path),
        )
    taken = set()
    for other in source_folders(root):
        try:
            taken.add(str(load_source(other).prefix))
        except KGError:
            continue
    prefix = args.prefix or _default_prefix(slug, taken)
    if prefix in taken:
        raise KGError(f"assertion prefix {prefix!r} is used by another source")
    meta: dict[str, Any] = {
        "title": args.title,
        "type": args.type,
        "authors": args.author or None,
        "parties": args.party or None,
        "publisher": args.publisher,
        "date": args.date,
        "url": args.url,
        "licence": args.licence,
        "language": args.language,
        "sha256": sha256_of(text),
        "obtained": args.obtained,
        "assertion-prefix": prefix,
        "curated": None,
    }
    folder.mkdir(parents=True)
    (folder / TEXT_FILE).write_bytes(data)
    missing = [k for k, value in meta.items() if value in (None, [])]
    header = "# The document's metadata; `kg source check` says what is missing or wrong.\n"
    if missing:
        header += f"# To fill in: {', '.join(missing)}\n"
    (folder / META_FILE).write_text(header + dump(meta), encoding="utf-8")
    (folder / CLAIMS_FILE).write_text(
        CLAIMS_SKELETON.format(title=args.title or slug, kinds=", ".join(v.KINDS)),
        encoding="utf-8",
    )
    print(f"created {folder}/ ({TEXT_FILE}: {len(text)} characters, sha256 {meta['sha256']})")
    print(f"next: fill in {folder / META_FILE}, mark furniture and write claims in ")
    print(f"{folder / CLAIMS_FILE}, then run: kg source check {slug}")
    return EXIT_OK


# ---------------------------------------------------------------------------- check
def _summary(compiled: Compiled) -> str:
    kinds = Counter(v.KIND_BY_IRI[c.kind][0] for c in compiled.claims)
    relations = sum(len(t) for c in compiled.claims for t in c.relations.values())
    free = sum(1 for c in compiled.claims if c.free_text)
    total = len(compiled.source.segmented.sentences)
    covered = total - len(compiled.uncovered)
    parts = ", ".join(f"{n} {k}" for k, n in sorted(kinds.items()))
    return (
        f"{len(compiled.claims)} claims ({parts}); {relations} relations; {free} free-text; "
        f"{covered}/{total} sentences quoted ({100 * compiled.covered_ratio:.1f} %)"
    )


def check(root: Path, slugs: list[str], *, shapes: bool = True) -> int:
    folders = source_folders(root)
    if slugs:
        known = {f.name for f in folders}
        for slug in slugs:
            if slug not in known:
                print(f"kg source check: no source {slug!r} in {root}", file=sys.stderr)
                return EXIT_ERROR
        folders = [f for f in folders if f.name in slugs]
    if not folders:
        print(f"kg source check: no source folders in {root}", file=sys.stderr)
        return EXIT_ERROR
    status = EXIT_OK
    compiled_all: list[Compiled] = []
    for folder in folders:
        try:
            compiled = compile_source(folder)
        except KGError as exc:
            print(f"{exc}", file=sys.stderr)
            if exc.detail:
                print(exc.detail, file=sys.stderr)
            status = max(status, EXIT_PROBLEMS)
            continue
        compiled_all.append(compiled)
        source = compiled.source
        print(f"{source.slug}: {_summary(compiled)}")
        for mark in source.segmented.unused_marks:
            print(f"{mark.where}: warning: this mark matches no line of {TEXT_FILE}")
        level = "error" if compiled.coverage_required else "warning"
        for s in compiled.uncovered:
            print(
                f"{source.folder / TEXT_FILE}:{s.line}:{s.column}: {level}: ¶{s.paragraph} "
                f"s{s.sentence} is quoted by no claim and marked as furniture by no line of "
                f"{CLAIMS_FILE}: {_clip(s.text)}"
            )
        if compiled.uncovered and compiled.coverage_required:
            status = max(status, EXIT_PROBLEMS)
    if shapes and status == EXIT_OK and compiled_all:
        status = max(status, _check_shapes(root))
    return status


def _clip(text: str, size: int = 100) -> str:
    text = re.sub(r"\s+", " ", text)
    return json.dumps(text if len(text) <= size else text[: size - 1] + "…", ensure_ascii=False)


def _check_shapes(root: Path) -> int:
    """SHACL over the whole curated graph (relations may cross sources)."""
    from kg import build
    from kg.checks import validate
    from kg.sources import compile_dataset

    try:
        dataset = compile_dataset(root=root)
    except KGError as exc:
        print(f"{exc}", file=sys.stderr)
        return EXIT_PROBLEMS
    onto, shapes = build.load_schema()
    result = validate.validate(dataset, shapes=shapes, ontology=onto)
    if result.conforms:
        print("shapes: the curated graph conforms")
        return EXIT_OK
    print(validate.format_violations(result), file=sys.stderr)
    return EXIT_PROBLEMS


# ---------------------------------------------------------------------------- list
def list_sources(root: Path, fmt: str) -> int:
    rows: list[dict[str, Any]] = []
    status = EXIT_OK
    for folder in source_folders(root):
        try:
            compiled = compile_source(folder)
        except KGError as exc:
            print(f"{exc}", file=sys.stderr)
            status = EXIT_PROBLEMS
            continue
        source = compiled.source
        rows.append(
            {
                "slug": source.slug,
                "type": source.doc_type,
                "title": str(source.meta["title"]),
                "claims": len(compiled.claims),
                "kinds": dict(Counter(v.KIND_BY_IRI[c.kind][0] for c in compiled.claims)),
                "coverage": round(compiled.covered_ratio, 4),
                "prefix": source.prefix,
            }
        )
    if fmt == "json":
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return status
    print(f"{'slug':<48} {'type':<11} {'claims':>6} {'quoted':>7}  title")
    for r in rows:
        print(
            f"{r['slug']:<48} {r['type']:<11} {r['claims']:>6} {100 * r['coverage']:>6.1f}%  "
            f"{r['title']}"
        )
    return status


__all__ = ["add_arguments", "cli", "require_coverage"]
