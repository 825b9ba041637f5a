"""``kg query QUERY [--format F]``: run SPARQL against the configured store and print results.

QUERY is the query text, ``@FILE`` or ``-`` (standard input). Formats: ``table`` (default;
aligned columns for people, IRIs shortened with the usual prefixes), ``json``, ``xml``, ``csv``,
``tsv`` for SELECT/ASK; ``turtle``, ``ntriples``, ``nquads``, ``trig``, ``rdfxml``, ``jsonld``
(and ``table``) for CONSTRUCT/DESCRIBE. Machine formats are written by pyoxigraph's own
serializers straight to stdout, so large results stream. A query that does not parse raises
:class:`kg.errors.QueryError` with its line and column (exit 2).
"""

from __future__ import annotations

import io
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Any

import pyoxigraph as ox

from kg.errors import ParseError, QueryError
from kg.publish.dump import PREFIXES
from kg.store import open_store
from kg.store.positions import engine_error

RESULT_FORMATS = {
    "json": ox.QueryResultsFormat.JSON,
    "xml": ox.QueryResultsFormat.XML,
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
}
GRAPH_FORMATS = {
    "turtle": ox.RdfFormat.TURTLE,
    "ttl": ox.RdfFormat.TURTLE,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "nt": ox.RdfFormat.N_TRIPLES,
    "nquads": ox.RdfFormat.N_QUADS,
    "nq": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG,
    "rdfxml": ox.RdfFormat.RDF_XML,
    "xml": ox.RdfFormat.RDF_XML,
    "jsonld": ox.RdfFormat.JSON_LD,
    "json": ox.RdfFormat.JSON_LD,
}
MAX_CELL = 80


def read_query(text: str, stdin: IO[str] | None = None) -> tuple[str, str]:
    """(query text, where it came from): literal text, ``@FILE`` or ``-`` for stdin."""
    if text == "-":
        return (stdin or sys.stdin).read(), "<stdin>"
    if text.startswith("@"):
        path = Path(text[1:])
        try:
            return path.read_text(encoding="utf-8"), str(path)
        except (OSError, UnicodeDecodeError) as exc:
            raise ParseError(f"cannot read the query file: {exc}", source=str(path)) from exc
    return text, "<query>"


def positioned(exc: QueryError, source: str) -> QueryError:
    """Move pyoxigraph's ``error at L:C: …`` into the error's line and column."""
    if exc.line is not None:
        return QueryError(exc.reason, source=source, line=exc.line, column=exc.column)
    return engine_error(exc.reason, source)


def _term(term: Any) -> str:
    """A term for a table cell: prefixed IRIs, plain literals with @lang / ^^type."""
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        for prefix, ns in PREFIXES.items():
            if term.value.startswith(ns) and len(term.value) > len(ns):
                return f"{prefix}:{term.value[len(ns) :]}"
        return f"<{term.value}>"
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.Literal):
        text = term.value.replace("\n", "\\n")
        if term.language:
            return f"{text}@{term.language}"
        datatype = term.datatype.value
        if datatype in (
            "http://www.w3.org/2001/XMLSchema#string",
            "http://www.w3.org/2001/XMLSchema#integer",
            "http://www.w3.org/2001/XMLSchema#decimal",
            "http://www.w3.org/2001/XMLSchema#boolean",
        ):
            return text
        return f"{text}^^{_term(term.datatype)}"
    return str(term)


def _clip(text: str) -> str:
    return text if len(text) <= MAX_CELL else text[: MAX_CELL - 1] + "…"


def render_table(header: list[str], rows: Iterable[list[str]], out: IO[str]) -> int:
    """Aligned columns with a rule under the header; returns the number of rows."""
    body = [[_clip(c) for c in row] for row in rows]
    widths = [max([len(h)] + [len(r[i]) for r in body]) for i, h in enumerate(header)]
    out.write("  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)).rstrip() + "\n")
    out.write("  ".join("-" * w for w in widths) + "\n")
    for row in body:
        out.write("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() + "\n")
    out.write(f"({len(body)} row{'s' if len(body) != 1 else ''})\n")
    return len(body)


def write_results(result: Any, fmt: str, out: IO[bytes], text_out: IO[str]) -> None:
    """Serialize a pyoxigraph query result in the named format."""
    fmt = fmt.lower()
    if isinstance(result, ox.QuerySolutions | ox.QueryBoolean):
        if fmt == "table":
            if isinstance(result, ox.QueryBoolean):
                text_out.write(("yes" if bool(result) else "no") + "\n")
                return
            names = [v.value for v in result.variables]
            render_table(names, ([_term(row[n]) for n in names] for row in result), text_out)
            return
        if fmt not in RESULT_FORMATS:
            raise QueryError(
                f"format {fmt!r} is not for SELECT/ASK results; use one of: table, "
                + ", ".join(RESULT_FORMATS)
            )
        result.serialize(out, RESULT_FORMATS[fmt])
        return
    # CONSTRUCT / DESCRIBE: an iterator of triples
    if fmt == "table":
        rows = ([_term(t.subject), _term(t.predicate), _term(t.object)] for t in result)
        render_table(["subject", "predicate", "object"], rows, text_out)
        return
    if fmt not in GRAPH_FORMATS:
        raise QueryError(
            f"format {fmt!r} is not for CONSTRUCT/DESCRIBE results; use one of: table, "
            + ", ".join(k for k in GRAPH_FORMATS if k not in ("ttl", "nt", "nq", "xml", "json"))
        )
    rdf_format = GRAPH_FORMATS[fmt]
    if rdf_format.supports_datasets:  # N-Quads / TriG of a graph: its triples, default graph
        ox.serialize((ox.Quad(t.subject, t.predicate, t.object) for t in result), out, rdf_format)
    elif rdf_format == ox.RdfFormat.TURTLE:
        ox.serialize(result, out, rdf_format, prefixes=PREFIXES)
    else:
        result.serialize(out, rdf_format)


def run(
    store: Any, query: str, fmt: str, *, source: str = "<query>", base_iri: str | None = None
) -> tuple[Any, str]:
    """Run the query; typed errors carry the query position."""
    if fmt.lower() not in {"table", *RESULT_FORMATS, *GRAPH_FORMATS}:
        raise QueryError(
            f"unknown format {fmt!r}; for SELECT/ASK: table, json, xml, csv, tsv; for "
            "CONSTRUCT/DESCRIBE: table, turtle, ntriples, nquads, trig, rdfxml, jsonld"
        )
    try:
        return store.query(query, base_iri=base_iri), fmt
    except QueryError as exc:
        raise positioned(exc, source) from exc


def cli(args: Any, settings: dict[str, Any]) -> int:
    """``kg query QUERY [--format F]``: print the results to standard output."""
    query, source = read_query(args.query)
    store = open_store(settings["STORE"], settings)
    result, fmt = run(store, query, args.format or "table", source=source)
    sys.stdout.flush()
    binary = getattr(sys.stdout, "buffer", None)
    if binary is not None:
        write_results(result, fmt, binary, sys.stdout)
        binary.flush()
    else:  # a text-only stdout (some embedding): serialize to memory
        buffer = io.BytesIO()
        write_results(result, fmt, buffer, sys.stdout)
        sys.stdout.write(buffer.getvalue().decode("utf-8"))
    sys.stdout.flush()
    return 0
