"""Query results → bytes, with the row cap enforced before a single byte is produced.

Runs inside the executor's worker processes, so it imports neither Flask nor the store.

Why SELECT results are serialized here rather than by ``QuerySolutions.serialize``: the
cap (``KG_MAX_ROWS``) must be known *before* answering — a capped result is refused with
an error naming the cap, never sent as a silent partial 200 — and pyoxigraph's serializer
consumes the iterator with no way to count. So rows are pulled with ``islice(cap + 1)``
and written by the four small writers below, which follow the W3C specs: JSON (``literal``
with ``datatype`` or ``xml:lang``, ``head.vars`` always), XML, CSV (CRLF, plain values)
and TSV (``?var`` header, N-Triples terms). Booleans and graphs use pyoxigraph's writers.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from itertools import islice
from typing import Any
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox

from kg.errors import KGError

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
RDF_DIR_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#dirLangString"


class ResultTooLarge(KGError):
    """More rows/triples than ``KG_MAX_ROWS``: refused (never truncated silently)."""

    status = 422


def too_large(max_rows: int, what: str) -> ResultTooLarge:
    return ResultTooLarge(
        f"the query returns more than {max_rows} {what} (KG_MAX_ROWS); results are never "
        f"truncated silently: add LIMIT {max_rows} (and OFFSET to page) to the query"
    )


def capped(items: Iterable[Any], max_rows: int, what: str) -> list[Any]:
    rows = list(islice(items, max_rows + 1))
    if len(rows) > max_rows:
        raise too_large(max_rows, what)
    return rows


# --- SELECT ------------------------------------------------------------------------------


def _json_term(term: Any) -> dict[str, Any]:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out: dict[str, Any] = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
            direction = getattr(term, "direction", None)
            if direction is not None:
                out["its:dir"] = str(direction).rsplit(".", 1)[-1].lower()
        elif term.datatype.value != XSD_STRING:
            out["datatype"] = term.datatype.value
        return out
    if isinstance(term, ox.Triple):
        return {
            "type": "triple",
            "value": {
                "subject": _json_term(term.subject),
                "predicate": _json_term(term.predicate),
                "object": _json_term(term.object),
            },
        }
    raise TypeError(f"unexpected term {term!r}")


def select_json(variables: Sequence[str], rows: Sequence[Any]) -> bytes:
    bindings = []
    for row in rows:
        binding = {}
        for name, term in zip(variables, row, strict=True):
            if term is not None:
                binding[name] = _json_term(term)
        bindings.append(binding)
    document = {"head": {"vars": list(variables)}, "results": {"bindings": bindings}}
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()


def _xml_term(term: Any) -> str:
    if isinstance(term, ox.NamedNode):
        return f"<uri>{escape(term.value)}</uri>"
    if isinstance(term, ox.BlankNode):
        return f"<bnode>{escape(term.value)}</bnode>"
    if isinstance(term, ox.Literal):
        if term.language:
            return f"<literal xml:lang={quoteattr(term.language)}>{escape(term.value)}</literal>"
        if term.datatype.value != XSD_STRING:
            dt = quoteattr(term.datatype.value)
            return f"<literal datatype={dt}>{escape(term.value)}</literal>"
        return f"<literal>{escape(term.value)}</literal>"
    if isinstance(term, ox.Triple):
        return (
            f"<triple><subject>{_xml_term(term.subject)}</subject>"
            f"<predicate>{_xml_term(term.predicate)}</predicate>"
            f"<object>{_xml_term(term.object)}</object></triple>"
        )
    raise TypeError(f"unexpected term {term!r}")


def select_xml(variables: Sequence[str], rows: Sequence[Any]) -> bytes:
    out = [
        '<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#"><head>',
        *(f"<variable name={quoteattr(v)}/>" for v in variables),
        "</head><results>",
    ]
    for row in rows:
        out.append("<result>")
        for name, term in zip(variables, row, strict=True):
            if term is not None:
                out.append(f"<binding name={quoteattr(name)}>{_xml_term(term)}</binding>")
        out.append("</result>")
    out.append("</results></sparql>")
    return "".join(out).encode()


def _csv_field(term: Any) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.BlankNode):
        text = f"_:{term.value}"
    elif isinstance(term, ox.NamedNode | ox.Literal):
        text = term.value
    else:
        text = str(term)
    if any(c in text for c in ',"\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


def select_csv(variables: Sequence[str], rows: Sequence[Any]) -> bytes:
    lines = [",".join(variables)]
    lines.extend(",".join(_csv_field(t) for t in row) for row in rows)
    return ("\r\n".join(lines) + "\r\n").encode()


def select_tsv(variables: Sequence[str], rows: Sequence[Any]) -> bytes:
    lines = ["\t".join("?" + v for v in variables)]
    lines.extend("\t".join("" if t is None else str(t) for t in row) for row in rows)
    return ("\n".join(lines) + "\n").encode()


SELECT_WRITERS = {
    "json": select_json,
    "xml": select_xml,
    "csv": select_csv,
    "tsv": select_tsv,
}


def serialize_solutions(solutions: Any, fmt_name: str, max_rows: int) -> bytes:
    variables = [v.value for v in solutions.variables]
    rows = [tuple(sol) for sol in capped(solutions, max_rows, "rows")]
    return SELECT_WRITERS[fmt_name](variables, rows)


# --- ASK, CONSTRUCT / DESCRIBE -----------------------------------------------------------


def serialize_boolean(result: Any, fmt: ox.QueryResultsFormat) -> bytes:
    return result.serialize(format=fmt)


def serialize_triples(triples: Iterable[Any], fmt: ox.RdfFormat, max_rows: int) -> bytes:
    items: list[Any] = capped(triples, max_rows, "triples")
    if fmt.supports_datasets:
        items = [ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in items]
    return ox.serialize(items, format=fmt) or b""
