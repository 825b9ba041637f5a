"""Property-based fuzzing (hypothesis) of queries, updates, uploads and headers against the
app: whatever arrives, the answer is never a 5xx (issue 10). A stopped runaway query (503
naming the time limit) is a correct answer, not a fault.

Kept fast: a small query timeout, SERVICE disabled (no network), modest example counts, a
throw-away store for the writes.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

TOKEN = {"Authorization": "Bearer fuzz-token"}
FAST = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

QUERY_PIECES = [
    "SELECT", "ASK", "CONSTRUCT", "DESCRIBE", "*", "?s", "?p", "?o", "?x", "$y", "WHERE",
    "{", "}", "(", ")", "[", "]", ".", ";", ",", "FILTER", "OPTIONAL", "UNION", "MINUS",
    "GRAPH", "SERVICE", "SILENT", "VALUES", "BIND", "AS", "GROUP BY", "ORDER BY", "HAVING",
    "LIMIT", "OFFSET", "1", "-1", "3.5e10", "'a'", '"b"@en', '"""c"""', "<http://a>",
    "<no-such-fn>", "<http://example.org/f>(1)", "rdf:type", "a", "PREFIX", "BASE", ":",
    "REGEX(?o, '(')", "STRLEN(?o)", "COUNT(*)", "GROUP_CONCAT(?o)", "<<(", ")>>",
    "FROM", "NAMED", "#", "\n", "\\", "\x00", "é", "⟨", "DISTINCT", "REDUCED", "NOT", "EXISTS",
]  # fmt: skip
UPDATE_PIECES = [
    "INSERT", "DELETE", "DATA", "WHERE", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY",
    "GRAPH", "DEFAULT", "ALL", "NAMED", "SILENT", "LOAD", "WITH", "USING", "INTO", "TO",
    "<urn:g>", "<urn:s>", "<urn:p>", "?s", "?p", "?o", "{", "}", ".", ";", "1", '"x"',
    "<http://example.org/f>(1)", "BIND", "(", ")", "AS", "SERVICE", "<http://a>", "_:b",
]  # fmt: skip
MEDIA_TYPES = [
    "text/turtle", "application/n-triples", "application/ld+json", "application/rdf+xml",
    "application/trig", "application/n-quads", "application/trix", "text/plain",
    "application/json", "application/xml", "", "multipart/form-data",
    "text/turtle; charset=latin-1",
]  # fmt: skip
RDF_PIECES = [
    "<urn:s>", "<urn:p>", "<urn:o>", "_:b", "[", "]", "(", ")", ".", ";", ",", "a", '"x"',
    "@prefix", "ex:", "<http://e/>", "@base", "{", "}", '"""y"""', "1", "true", "@en",
    "^^", '{"@id": "urn:s", "urn:p": [', "]}", "<?xml version='1.0'?>", "<rdf:RDF>",
    "<!DOCTYPE x [<!ENTITY a 'b'>]>", "&a;", "\x00", "\n",
]  # fmt: skip


def joined(pieces: list[str]) -> st.SearchStrategy[str]:
    return st.lists(st.sampled_from(pieces) | st.text(max_size=8), max_size=25).map(" ".join)


HEADER_TEXT = st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=60)


@pytest.fixture(scope="module")
def fuzz_app(store_dir: Path, tmp_path_factory: pytest.TempPathFactory):
    from kg.store import EmbeddedStore
    from server import create_app

    writable = tmp_path_factory.mktemp("fuzz") / "store"
    store = EmbeddedStore(writable)
    with store.writer() as writer:
        writer.add(
            ox.Quad(
                ox.NamedNode("urn:s"), ox.NamedNode("urn:p"), ox.Literal("o"), ox.NamedNode("urn:g")
            )
        )
    config = {"TESTING": True, "QUERY_TIMEOUT": 3.0, "FEDERATION_ALLOW": ""}
    reads = create_app({**config, "STORE": str(store_dir)})
    writes = create_app({**config, "STORE": str(writable), "UPDATE_TOKEN": "fuzz-token"})
    return reads, writes


def no_fault(response) -> None:  # type: ignore[no-untyped-def]
    body = response.get_data(as_text=True)
    stopped = response.status_code == 503 and "time limit" in body
    assert response.status_code < 500 or stopped, (response.status_code, body[:300])
    assert "Traceback" not in body


@FAST
@given(query=joined(QUERY_PIECES) | st.text(max_size=200))
def test_queries(fuzz_app, query: str) -> None:
    reads, _ = fuzz_app
    no_fault(reads.test_client().post("/sparql", data={"query": query}))


@FAST
@given(update=joined(UPDATE_PIECES) | st.text(max_size=200))
def test_updates(fuzz_app, update: str) -> None:
    _, writes = fuzz_app
    no_fault(
        writes.test_client().post(
            "/update",
            data=update.encode("utf-8", "surrogatepass"),
            headers={**TOKEN, "Content-Type": "application/sparql-update"},
        )
    )


@FAST
@given(
    body=joined(RDF_PIECES).map(lambda s: s.encode("utf-8", "surrogatepass"))
    | st.binary(max_size=300),
    media=st.sampled_from(MEDIA_TYPES),
    method=st.sampled_from(["PUT", "POST"]),
)
def test_graph_store_uploads(fuzz_app, body: bytes, media: str, method: str) -> None:
    _, writes = fuzz_app
    no_fault(
        writes.test_client().open(
            "/store?graph=urn:fuzz",
            method=method,
            data=body,
            headers={**TOKEN, "Content-Type": media} if media else TOKEN,
        )
    )


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    body=joined(RDF_PIECES).map(lambda s: s.encode("utf-8", "surrogatepass"))
    | st.binary(max_size=200),
    media=st.sampled_from(MEDIA_TYPES),
)
def test_validation_uploads(fuzz_app, body: bytes, media: str) -> None:
    reads, _ = fuzz_app
    headers = {"Content-Type": media, "Accept": "application/json"} if media else {}
    no_fault(reads.test_client().post("/validate", data=body, headers=headers))


@FAST
@given(
    accept=HEADER_TEXT,
    content_type=HEADER_TEXT,
    if_none_match=HEADER_TEXT,
    forwarded=HEADER_TEXT,
    path=st.sampled_from(
        [
            "/sparql?query=ASK%7B%7D",
            "/",
            "/void",
            "/ontology",
            "/store?default",
            "/dumps/",
            "/search?q=x",
        ]
    ),
)
def test_headers(
    fuzz_app, accept: str, content_type: str, if_none_match: str, forwarded: str, path: str
) -> None:
    reads, _ = fuzz_app
    headers = {
        "Accept": accept,
        "Content-Type": content_type,
        "If-None-Match": if_none_match,
        "X-Forwarded-For": forwarded,
        "Origin": "https://example.org",
    }
    no_fault(reads.test_client().get(path, headers=headers))
    no_fault(reads.test_client().post(path.split("?")[0], data="x", headers=headers))
