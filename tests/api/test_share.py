"""Share links: stored server-side, stable ids, size cap, rate limit, escaped when opened."""

from __future__ import annotations

from pathlib import Path

import pytest


def test_round_trip_and_stable_ids(client) -> None:  # type: ignore[no-untyped-def]
    query = "SELECT * WHERE { ?s ?p ?o } LIMIT 1 # round trip"
    first = client.post("/api/share", json={"query": query})
    assert first.status_code == 201
    share_id = first.get_json()["id"]
    assert first.headers["Location"] == f"/s/{share_id}"
    again = client.post("/api/share", data=query, content_type="application/sparql-query")
    assert again.get_json()["id"] == share_id  # same text, same link
    other = client.post("/api/share", data={"query": query + " "})
    assert other.status_code == 201 and other.get_json()["id"] != share_id
    assert client.get(f"/api/share/{share_id}").get_json()["query"] == query
    short = client.get(f"/s/{share_id}")
    assert short.status_code == 303 and short.headers["Location"].endswith(
        f"/sparql?share={share_id}"
    )
    page = client.get(f"/sparql?share={share_id}", headers={"Accept": "text/html"})
    assert page.status_code == 200 and "LIMIT 1 # round trip" in page.text
    assert client.get("/s/unknown99").status_code == 404
    assert client.get("/sparql?share=unknown99", headers={"Accept": "text/html"}).status_code == 404


def test_hostile_query_is_escaped_when_opened(client) -> None:  # type: ignore[no-untyped-def]
    query = 'SELECT * WHERE { ?s ?p "</script><script>alert(1)</script>" }'
    share_id = client.post("/api/share", json={"query": query}).get_json()["id"]
    html = client.get(f"/sparql?share={share_id}", headers={"Accept": "text/html"}).text
    assert "<script>alert(1)</script>" not in html


def test_bad_bodies_are_400(client) -> None:  # type: ignore[no-untyped-def]
    assert client.post("/api/share", json={"query": "   "}).status_code == 400
    assert client.post("/api/share", json={"nothing": 1}).status_code == 400
    assert client.post("/api/share", data="x", content_type="text/plain").status_code == 400


@pytest.fixture()
def strict_client(store_dir: Path, tmp_path: Path):  # type: ignore[no-untyped-def]
    from server import create_app

    app = create_app(
        {
            "STORE": str(store_dir),
            "TESTING": True,
            "SHARE_DB": str(tmp_path / "shares.sqlite"),
            "SHARE_RATE_LIMIT": 2,
            "SHARE_MAX_BYTES": 100,
        }
    )
    return app.test_client()


def test_size_cap_and_rate_limit(strict_client) -> None:  # type: ignore[no-untyped-def]
    too_big = strict_client.post("/api/share", json={"query": "ASK {}" + " " * 200})
    assert too_big.status_code == 413 and "100" in too_big.get_json()["message"]
    assert strict_client.post("/api/share", json={"query": "ASK { 1 }"}).status_code == 201
    assert strict_client.post("/api/share", json={"query": "ASK { 2 }"}).status_code == 201
    # an existing query is found again without counting against the rate
    assert strict_client.post("/api/share", json={"query": "ASK { 1 }"}).status_code == 201
    refused = strict_client.post("/api/share", json={"query": "ASK { 3 }"})
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) >= 1
