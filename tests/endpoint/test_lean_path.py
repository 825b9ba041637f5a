"""The lean /sparql path (server/sparql/lean.py) answers exactly as the Flask view does:
the same status, headers and body for successes, 304s, every kind of 4xx and 429, and
requests it hands to Flask; and it keeps the request metrics and the rate-limit budget."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from server import create_app
from server.sparql.lean import LeanSparql

JSON = {"Accept": "application/sparql-results+json"}
DIRECT = "application/sparql-query"

Call = Callable[[FlaskClient], object]

CASES: dict[str, Call] = {
    "ask": lambda c: c.get("/sparql?query=ASK{}", headers=JSON),
    "select_csv_post": lambda c: c.post(
        "/sparql",
        data="SELECT * { ?s ?p ?o } ORDER BY ?s ?p ?o LIMIT 3",
        headers={"Content-Type": DIRECT, "Accept": "text/csv"},
    ),
    "construct_form": lambda c: c.post(
        "/sparql",
        data={"query": "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 2"},
        headers={"Accept": "text/turtle"},
    ),
    "format_param": lambda c: c.get("/sparql?query=SELECT * { ?s ?p ?o } LIMIT 1&format=tsv"),
    "syntax_error": lambda c: c.get("/sparql?query=ASK{", headers=JSON),
    "syntax_error_html": lambda c: c.get("/sparql?query=ASK{", headers={"Accept": "text/html"}),
    "not_acceptable": lambda c: c.get("/sparql?query=ASK{}", headers={"Accept": "image/png"}),
    "update_at_sparql": lambda c: c.post(
        "/sparql", data="INSERT DATA { <a:a> <a:a> <a:a> }", headers={"Content-Type": DIRECT}
    ),
    "too_deep": lambda c: c.get("/sparql?query=ASK" + "{" * 300 + "}" * 300),
    "two_queries": lambda c: c.get("/sparql?query=ASK{}&query=ASK{}"),
    "empty_query": lambda c: c.get("/sparql?query=%20"),
    "bad_media_type": lambda c: c.post(
        "/sparql", data="ASK {}", headers={"Content-Type": "text/plain"}
    ),
    "bad_utf8": lambda c: c.post("/sparql", data=b"ASK { \xff }", headers={"Content-Type": DIRECT}),
    "dataset": lambda c: c.get(
        "/sparql?query=SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"
        "&default-graph-uri=https://example.org/nothing",
        headers=JSON,
    ),
    "service_description": lambda c: c.get("/sparql", headers={"Accept": "text/turtle"}),
    "preflight": lambda c: c.options("/sparql"),
    "head": lambda c: c.head("/sparql?query=ASK{}"),
}


def _app(store_dir: Path, lean: bool, **config: object) -> Flask:
    return create_app(
        {
            "STORE": str(store_dir),
            "QUERY_WORKERS": 1,
            "LEAN_SPARQL": lean,
            "QUERY_CACHE_ENTRIES": 0,
            "RATE_LIMIT_REQUESTS": 0,
            "RATE_LIMIT_QUERY_SECONDS": 0,
            **config,
        }
    )


def _seen(response) -> tuple:  # type: ignore[no-untyped-def]
    headers = sorted((k, v) for k, v in response.headers.items() if k != "Date")
    return response.status, headers, response.get_data()


@pytest.fixture(scope="module")
def apps(store_dir: Path):  # type: ignore[no-untyped-def]
    pair = {lean: _app(store_dir, lean) for lean in (True, False)}
    yield pair
    for app in pair.values():
        app.extensions["kg_store"].close()


def test_lean_path_is_installed(apps: dict[bool, Flask]) -> None:
    assert isinstance(apps[True].front, LeanSparql)
    assert apps[False].front is None


@pytest.mark.parametrize("case", sorted(CASES))
def test_same_answer_as_flask(apps: dict[bool, Flask], case: str) -> None:
    lean, flask = (_seen(CASES[case](apps[x].test_client())) for x in (True, False))
    assert lean == flask


def test_same_304(apps: dict[bool, Flask]) -> None:
    seen = []
    for lean in (True, False):
        client = apps[lean].test_client()
        etag = client.get("/sparql?query=ASK{}", headers=JSON).headers["ETag"]
        response = client.get("/sparql?query=ASK{}", headers={**JSON, "If-None-Match": etag})
        assert response.status_code == 304
        seen.append(_seen(response))
    assert seen[0] == seen[1]


def test_rate_limit_and_metrics_on_the_lean_path(store_dir: Path) -> None:
    from server.ops import metrics

    app = _app(store_dir, True, RATE_LIMIT_REQUESTS=3)
    try:
        client = app.test_client()
        env = {"REMOTE_ADDR": "198.51.100.70"}

        def count(status: str) -> float:
            value = metrics.REGISTRY.get_sample_value(
                "sgkg_http_requests_total",
                {"route": "/sparql", "method": "GET", "status": status},
            )
            return value or 0.0

        ok, refused = count("200"), count("429")
        statuses = [
            client.get("/sparql?query=ASK{}", environ_base=env).status_code for _ in range(4)
        ]
        assert statuses == [200, 200, 200, 429]
        assert count("200") - ok == 3
        assert count("429") - refused == 1
    finally:
        app.extensions["kg_store"].close()
