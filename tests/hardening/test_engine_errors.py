"""Every engine error a user can cause is a 4xx naming the problem, never a 500 (issue 10).

One mapping (``kg.errors.engine_error``) serves the query processes and /update; these run
over both store modes (the top-level ``client`` fixture: embedded and remote).
"""

from __future__ import annotations

import pytest

from kg.errors import MemoryLimit, QueryError, StoreError, engine_error

#: (query, a word the message must contain)
BAD_QUERIES = [
    ("SELECT (<no-such-fn>(1) AS ?x) {}", ""),
    ("SELECT (<http://example.org/fn>(1) AS ?x) {}", "example.org/fn"),
    ("ASK { FILTER(<http://example.org/fn>()) }", "example.org/fn"),
    ("SELECT * { ?s ?p ?o } ORDER BY <http://example.org/f>(?s) LIMIT 1", "example.org/f"),
    ("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o FILTER(<http://example.org/f>(?o)) }", "f"),
    ("SELECT ?x { BIND(<http://example.org/f>(1) AS ?x) }", "example.org/f"),
    ("SELECT * {} GROUP BY (<http://example.org/f>(1))", ""),
    ("SELECT ?s (COUNT(*) AS ?c) { ?s ?p ?o }", ""),  # ?s not grouped
    ("SELECT * { ?s ?p ?o ", ""),
    ("SELECT * WHERE { ?s <not an iri> ?o }", ""),
    ("SELECT * { ?s ?p ?o } LIMIT -1", ""),
    ("SELECT (1 AS ?x) (2 AS ?x) {}", ""),
    ("SELECT * { BIND(1 AS ?x) BIND(2 AS ?x) }", ""),
    ("DESCRIBE", ""),
    ("SELECT * { VALUES (?a ?b) { (1) } }", ""),
    ("\x00", ""),
]


@pytest.mark.parametrize(("query", "word"), BAD_QUERIES, ids=lambda v: repr(v)[:40])
def test_bad_query_is_4xx_naming_the_problem(client, query: str, word: str) -> None:
    response = client.post(
        "/sparql",
        data={"query": query},
        headers={"Accept": "application/sparql-results+json"},
    )
    assert 400 <= response.status_code < 500, (response.status_code, response.data[:300])
    body = response.get_data(as_text=True)
    assert "Traceback" not in body
    if word:
        assert word in body


def test_the_issue_example_names_the_function(client) -> None:
    response = client.get(
        "/sparql", query_string={"query": "SELECT (<http://example.org/nope>(1) AS ?x) {}"}
    )
    assert response.status_code == 400
    assert "http://example.org/nope" in response.get_data(as_text=True)


def test_mapping() -> None:
    assert isinstance(
        engine_error(RuntimeError("The custom function <x> is not supported")), QueryError
    )
    assert engine_error(SyntaxError("error at 1:2: x")).status == 400
    assert engine_error(ValueError("bad")).status == 400
    assert isinstance(engine_error(MemoryError()), MemoryLimit)
    full = engine_error(OSError(28, "No space left on device"))
    assert isinstance(full, StoreError) and full.status == 503 and "disk is full" in full.message
    assert engine_error(RuntimeError("RocksDB: Corruption: block checksum")).status == 503
    assert engine_error(KeyError("x")).status == 500  # a server fault stays one


BAD_UPDATES = [
    "INSERT { ?s ?p 1 } WHERE { BIND(<http://example.org/f>(1) AS ?s) ?s ?p ?o }",
    "CREATE GRAPH <urn:g>",  # exists already
    "INSERT DATA { <urn:s> <urn:p> ?o }",
    "DELETE WHERE { ?s ?p ",
]


@pytest.fixture(scope="module")
def writable(tmp_path_factory: pytest.TempPathFactory):
    import pyoxigraph as ox

    from kg.store import EmbeddedStore
    from server import create_app

    path = tmp_path_factory.mktemp("updates") / "store"
    with EmbeddedStore(path).writer() as writer:
        writer.add(
            ox.Quad(
                ox.NamedNode("urn:s"), ox.NamedNode("urn:p"), ox.Literal("o"), ox.NamedNode("urn:g")
            )
        )
    return create_app({"STORE": str(path), "TESTING": True, "UPDATE_TOKEN": "t"})


@pytest.mark.parametrize("update", BAD_UPDATES)
def test_bad_update_is_4xx_and_changes_nothing(writable, update: str) -> None:
    client = writable.test_client()
    response = client.post(
        "/update",
        data=update,
        headers={"Authorization": "Bearer t", "Content-Type": "application/sparql-update"},
    )
    assert 400 <= response.status_code < 500, (response.status_code, response.data[:300])
    count = client.get(
        "/sparql",
        query_string={"query": "SELECT (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } }"},
        headers={"Accept": "application/json"},
    ).get_json()["results"]["bindings"][0]["n"]["value"]
    assert count == "1"
