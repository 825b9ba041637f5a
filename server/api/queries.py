"""``GET /api/queries`` (the list) and ``GET /api/queries/<name>``: run one example question.

Parameters: the query's own (``# param:`` header, see :mod:`server.api.catalogue`), then
``limit`` (1–1000, default 100) and ``offset`` (≥ 0) to page through the rows, and ``format``
(``json`` or ``csv``; else ``Accept``). JSON::

    {"name", "title", "parameters": {name: value}, "total", "limit", "offset",
     "variables": [...], "results": [{variable: value}]}

Values are plain strings (IRIs, literal lexical forms); an unbound variable is absent from its
row. CONSTRUCT/DESCRIBE answers are rows of ``subject``, ``predicate``, ``object``; ASK is one
row ``{"answer": "true"}``. ``X-Total-Count`` and ``Link: rel="next"`` page through. Queries
run through the same executor, limits and federation guard as ``/sparql``.
"""

from __future__ import annotations

import csv
import io
import json
import time
from pathlib import Path
from urllib.parse import urlencode

import pyoxigraph as ox
from flask import Response, current_app, jsonify, request

from kg.errors import QueryError
from server import federation
from server.api import bp
from server.api.catalogue import ApiQuery, BadParameter, UnknownQuery, load_all
from server.executor import QueryJob
from server.labels import prefixes as known_prefixes
from server.sparql.query import _run, check_depth, has_dataset_clause
from server.sparql.ui import examples_dir

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
_catalogue: dict[tuple[str, float], dict[str, ApiQuery]] = {}


def catalogue() -> dict[str, ApiQuery]:
    """Every example as an API query (re-read when the folder changes)."""
    folder = examples_dir()
    try:
        stamp = max((p.stat().st_mtime for p in folder.glob("*.rq")), default=0.0)
    except OSError:
        stamp = 0.0
    key = (str(folder), stamp)
    found = _catalogue.get(key)
    if found is None:
        found = load_all(Path(folder))
        base_prefixes = known_prefixes(current_app.config["BASE_IRI"])
        for query in found.values():
            query.prefixes = {**base_prefixes, **query.prefixes}
        _catalogue.clear()
        _catalogue[key] = found
    return found


def get_query(name: str) -> ApiQuery:
    found = catalogue().get(name)
    if found is None:
        raise UnknownQuery(f"no example question is named {name!r}; see /api/queries")
    return found


def _int_param(name: str, default: int, low: int, high: int) -> int:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise BadParameter(f"{name}={raw[:40]!r}: must be a whole number") from None
    if not low <= value <= high:
        raise BadParameter(f"{name}={value}: must be between {low} and {high}")
    return value


def _term_value(term: object) -> str:
    if isinstance(term, ox.Triple):
        return f"<< {term} >>"
    return getattr(term, "value", str(term))


def execute(query_text: str) -> tuple[list[str], list[dict[str, str]]]:
    """Run a query like /sparql does (limits, timeout, federation guard); rows of strings."""
    config = current_app.config
    check_depth(query_text)
    timeout = float(config["QUERY_TIMEOUT"])
    max_rows = int(config["MAX_ROWS"])
    deadline = time.monotonic() + timeout
    if federation.mentions_service(query_text) and federation.find_services(query_text):
        query_text = federation.resolve_services(
            query_text, tuple(config["FEDERATION_ALLOW"]), deadline=deadline, max_rows=max_rows
        )
    job = QueryJob(
        query=query_text,
        default_graph=None,
        named_graphs=None,
        union_default=not has_dataset_clause(query_text),
        base_iri=config["BASE_IRI"],
        result_format="json",
        graph_format="ntriples",
        max_rows=max_rows,
    )
    answer = _run(job, max(0.001, deadline - time.monotonic()), timeout)
    if answer.kind == "graph":
        rows = []
        for triple in ox.parse(answer.body, format=ox.RdfFormat.N_TRIPLES):
            rows.append(
                {
                    "subject": _term_value(triple.subject),
                    "predicate": _term_value(triple.predicate),
                    "object": _term_value(triple.object),
                }
            )
        return ["subject", "predicate", "object"], rows
    data = json.loads(answer.body)
    if "boolean" in data:
        return ["answer"], [{"answer": "true" if data["boolean"] else "false"}]
    variables = list(data.get("head", {}).get("vars", []))
    rows = [
        {var: cell.get("value", "") for var, cell in binding.items()}
        for binding in data.get("results", {}).get("bindings", [])
    ]
    return variables, rows


def _wants_csv() -> bool:
    fmt = request.args.get("format")
    if fmt is not None:
        if fmt not in ("json", "csv"):
            raise BadParameter(f"format={fmt[:20]!r}: must be json or csv")
        return fmt == "csv"
    best = request.accept_mimetypes.best_match(["application/json", "text/csv"])
    return best == "text/csv"


@bp.get("/api/queries")
def list_queries() -> Response:
    items = []
    for query in catalogue().values():
        items.append(
            {
                "name": query.name,
                "title": query.example.title,
                "description": query.example.description,
                "url": f"/api/queries/{query.name}",
                "parameters": [
                    {
                        "name": p.name,
                        "type": p.type,
                        "default": query.default_value(p),
                        "description": p.description,
                    }
                    for p in query.params
                ],
            }
        )
    return jsonify(items)


@bp.get("/api/queries/<name>")
def run_query(name: str) -> Response:
    query = get_query(name)
    declared = {p.name for p in query.params}
    allowed = declared | {"limit", "offset", "format"}
    unknown = sorted(set(request.args) - allowed)
    if unknown:
        raise BadParameter(
            f"unknown parameter {unknown[0]!r}; this query takes: {', '.join(sorted(allowed))}"
        )
    values = {p.name: request.args[p.name] for p in query.params if p.name in request.args}
    limit = _int_param("limit", DEFAULT_LIMIT, 1, MAX_LIMIT)
    offset = _int_param("offset", 0, 0, 10_000_000)
    csv_wanted = _wants_csv()
    text = query.render(values)
    try:
        variables, rows = execute(text)
    except QueryError as exc:  # a substituted value the engine refuses: still the client's
        raise BadParameter(f"the query with these parameters failed: {exc.message}") from None
    total = len(rows)
    page = rows[offset : offset + limit]
    used = {
        p.name: query.term(p, values[p.name]).strip("<>") if p.type == "iri" else values[p.name]
        for p in query.params
        if p.name in values
    }
    for p in query.params:
        used.setdefault(p.name, query.default_value(p))
    if csv_wanted:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(variables)
        for row in page:
            writer.writerow([row.get(v, "") for v in variables])
        response = Response(out.getvalue(), mimetype="text/csv")
        response.headers["Content-Type"] = "text/csv; charset=utf-8"
    else:
        response = jsonify(
            {
                "name": query.name,
                "title": query.example.title,
                "parameters": used,
                "total": total,
                "limit": limit,
                "offset": offset,
                "variables": variables,
                "results": page,
            }
        )
    response.headers["X-Total-Count"] = str(total)
    if offset + limit < total:
        params = {**values, "limit": limit, "offset": offset + limit}
        if request.args.get("format"):
            params["format"] = request.args["format"]
        response.headers["Link"] = f'</api/queries/{name}?{urlencode(params)}>; rel="next"'
    response.vary.add("Accept")
    return response
