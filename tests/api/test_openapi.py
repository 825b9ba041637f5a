"""/api/openapi.json and /api/queries/{name}: the document is valid OpenAPI 3.1, describes at
least 20 paths, and every path answers with what the document says (validated)."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from openapi_schema_validator import OAS31Validator
from openapi_spec_validator import validate

FEDERATED_ERRORS = {403, 502, 504}


@pytest.fixture()
def document(client) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    return response.get_json()


def check(document: dict[str, Any], path: str, status: int, body: Any) -> None:
    """Validate ``body`` against the JSON schema the document gives for this response."""
    operation = next(iter(document["paths"][path].values()))
    described = operation["responses"][str(status)]
    schema = described["content"]["application/json"]["schema"]
    OAS31Validator({**schema, "components": document["components"]}).validate(body)


def test_document_is_valid_openapi_31(document) -> None:  # type: ignore[no-untyped-def]
    validate(document)
    assert document["openapi"].startswith("3.1")
    assert len(document["paths"]) >= 20
    queries = [p for p in document["paths"] if p.startswith("/api/queries/")]
    assert len(queries) >= 20


def test_every_query_path_answers_as_described(client, document) -> None:  # type: ignore[no-untyped-def]
    paths = [p for p in document["paths"] if p.startswith("/api/queries/")]
    for path in paths:
        operation = document["paths"][path]["get"]
        response = client.get(path, headers={"Accept": "application/json"})
        if response.status_code in FEDERATED_ERRORS:  # no network for SERVICE here
            assert str(response.status_code) in operation["responses"], path
            check(document, path, response.status_code, response.get_json())
            continue
        assert response.status_code == 200, (path, response.text[:300])
        body = response.get_json()
        check(document, path, 200, body)
        assert int(response.headers["X-Total-Count"]) == body["total"]
        # every declared parameter, given its default explicitly, gives the same answer
        declared = [p for p in operation["parameters"] if "name" in p]
        if declared:
            params = {p["name"]: str(p["schema"]["default"]) for p in declared}
            again = client.get(path, query_string=params)
            assert again.status_code == 200, (path, params, again.text[:300])
            assert again.get_json()["total"] == body["total"]
        # CSV: the variables as the header row, one line per row of the page
        as_csv = client.get(path, query_string={"format": "csv", "limit": 5})
        assert as_csv.status_code == 200 and as_csv.mimetype == "text/csv"
        rows = list(csv.reader(io.StringIO(as_csv.text)))
        assert rows[0] == body["variables"]
        assert len(rows) - 1 == min(5, body["total"])


def test_other_paths_answer_as_described(client, document) -> None:  # type: ignore[no-untyped-def]
    listing = client.get("/api/queries")
    check(document, "/api/queries", 200, listing.get_json())
    completions = client.get("/api/complete?q=Commit")
    check(document, "/api/complete", 200, completions.get_json())
    bad = client.get("/api/complete")
    assert bad.status_code == 400
    check(document, "/api/complete", 400, bad.get_json())
    shared = client.post("/api/share", json={"query": "ASK { ?s ?p ?o }"})
    check(document, "/api/share", 201, shared.get_json())
    again = client.get(f"/api/share/{shared.get_json()['id']}")
    check(document, "/api/share/{id}", 200, again.get_json())
    missing = client.get("/api/share/doesnotexist")
    check(document, "/api/share/{id}", 404, missing.get_json())
    assert client.get("/api/prefixes").get_json()["sg"].endswith("/ontology/")


def test_parameters_are_typed_and_substituted(client, document) -> None:  # type: ignore[no-untyped-def]
    path = "/api/queries/05-us-promised-and-declined"
    us = client.get(path).get_json()
    assert us["parameters"]["actor"] == "https://w3id.org/sgkg/id/country/united-states"
    assert us["total"] > 0
    france = client.get(path, query_string={"actor": "country:france"}).get_json()
    assert france["parameters"]["actor"].endswith("/id/country/france")
    assert france["total"] < us["total"]
    full = client.get(
        path, query_string={"actor": "https://w3id.org/sgkg/id/country/united-states"}
    )
    assert full.get_json()["total"] == us["total"]
    bad = client.get(path, query_string={"actor": "not an iri"})
    assert bad.status_code == 400
    assert "actor" in bad.get_json()["message"]
    check(document, path, 400, bad.get_json())
    injection = client.get(path, query_string={"actor": "<x> } ; DROP ALL ; {"})
    assert injection.status_code == 400
    unknown = client.get(path, query_string={"colour": "red"})
    assert unknown.status_code == 400 and "colour" in unknown.get_json()["message"]
    assert client.get("/api/queries/no-such-query").status_code == 404


def test_paging(client) -> None:  # type: ignore[no-untyped-def]
    path = "/api/queries/12-predictions"
    everything = client.get(path).get_json()
    assert everything["total"] >= 3
    first = client.get(path, query_string={"limit": 2})
    assert len(first.get_json()["results"]) == 2
    assert 'rel="next"' in first.headers["Link"] and "offset=2" in first.headers["Link"]
    second = client.get(path, query_string={"limit": 2, "offset": 2}).get_json()
    assert second["results"] == everything["results"][2:4]
    for bad in ({"limit": 0}, {"limit": "x"}, {"offset": -1}, {"format": "xml"}):
        response = client.get(path, query_string=bad)
        assert response.status_code == 400, bad
        assert response.get_json()["status"] == 400


def test_construct_queries_answer_rows_of_triples(client) -> None:  # type: ignore[no-untyped-def]
    body = client.get("/api/queries/07-facts-only-view?limit=3").get_json()
    assert body["variables"] == ["subject", "predicate", "object"]
    assert len(body["results"]) == 3
