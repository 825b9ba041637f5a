"""/store: the SPARQL 1.1 Graph Store HTTP Protocol (W3C GSP test-suite status codes).

Real embedded store per test; responses are parsed and compared as graphs. One test runs
against a real gunicorn (two workers) to check that a write is seen by every worker.
"""

from __future__ import annotations

import io
import os
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

import pyoxigraph as ox
import pytest
import requests
from rdflib.compare import isomorphic

from kg.rdfio import to_rdflib
from kg.store import EmbeddedStore
from tests.endpoint.test_update import AUTH, EX, G1, TOKEN, Listener, make_app, seed
from tests.servers import ROOT, free_port, stop, wait_http, which

NEW = "http://example.org/graphs/new"
TTL = f"""@prefix ex: <{EX}> .
ex:nato ex:label "NATO"@en ; ex:member ex:france, ex:germany .
ex:france ex:seats 2 .
_:b ex:about ex:nato .
"""
EXPECTED = [
    (f"<{EX}nato>", f"<{EX}label>", '"NATO"@en'),
    (f"<{EX}nato>", f"<{EX}member>", f"<{EX}france>"),
    (f"<{EX}nato>", f"<{EX}member>", f"<{EX}germany>"),
    (f"<{EX}france>", f"<{EX}seats>", '"2"^^<http://www.w3.org/2001/XMLSchema#integer>'),
    ("_:b", f"<{EX}about>", f"<{EX}nato>"),
]


def expected_graph():  # type: ignore[no-untyped-def]
    nt = "".join(f"{s} {p} {o} .\n" for s, p, o in EXPECTED).encode()
    return graph_of(nt, "application/n-triples")


def graph_of(data: bytes, media_type: str):  # type: ignore[no-untyped-def]
    """A response body as an rdflib graph (all quads flattened) for isomorphism checks."""
    fmt = ox.RdfFormat.from_media_type(media_type)
    assert fmt is not None, media_type
    quads = [
        ox.Quad(q.subject, q.predicate, q.object, ox.DefaultGraph())
        for q in ox.parse(io.BytesIO(data), format=fmt)
    ]
    return to_rdflib(quads).default_graph


def body_in(fmt: ox.RdfFormat) -> bytes:
    """TTL re-serialized in ``fmt`` (dataset formats: in the default graph)."""
    quads = [
        ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph())
        for t in ox.parse(io.BytesIO(TTL.encode()), format=ox.RdfFormat.TURTLE)
    ]
    items = quads if fmt.supports_datasets else [q.triple for q in quads]
    return ox.serialize(items, format=fmt)


@pytest.fixture()
def wstore(tmp_path: Path) -> EmbeddedStore:
    return seed(tmp_path / "store")


@pytest.fixture()
def gsp(wstore: EmbeddedStore):  # type: ignore[no-untyped-def]
    return make_app(wstore, UPDATE_TOKEN=TOKEN, MAX_REQUEST_BYTES=20_000).test_client()


def put(client, graph: str | None, data: bytes | str, ctype: str = "text/turtle", headers=AUTH):  # type: ignore[no-untyped-def]
    params = {"graph": graph} if graph else {"default": ""}
    return client.put("/store", query_string=params, data=data, content_type=ctype, headers=headers)


# --- W3C GSP tests: status codes -------------------------------------------------------


def test_put_creates_201_then_replaces_204(gsp) -> None:  # type: ignore[no-untyped-def]
    assert put(gsp, NEW, TTL).status_code == 201
    assert put(gsp, NEW, f"<{EX}a> <{EX}b> <{EX}c> .").status_code == 204
    response = gsp.get("/store", query_string={"graph": NEW}, headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    got = graph_of(response.data, "text/turtle")
    assert len(got) == 1  # replaced, not merged


def test_get_of_put_returns_the_same_graph(gsp) -> None:  # type: ignore[no-untyped-def]
    put(gsp, NEW, TTL)
    response = gsp.get("/store", query_string={"graph": NEW}, headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    assert response.mimetype == "text/turtle"
    assert "Accept" in response.headers["Vary"]
    assert isomorphic(graph_of(response.data, "text/turtle"), expected_graph())


def test_get_of_a_missing_graph_is_404(gsp) -> None:  # type: ignore[no-untyped-def]
    response = gsp.get("/store", query_string={"graph": EX + "nothing-here"})
    assert response.status_code == 404


def test_head_existing_and_missing(gsp) -> None:  # type: ignore[no-untyped-def]
    put(gsp, NEW, TTL)
    head = gsp.head("/store", query_string={"graph": NEW}, headers={"Accept": "text/turtle"})
    assert head.status_code == 200
    assert head.mimetype == "text/turtle"
    assert head.data == b""
    assert int(head.headers["Content-Length"]) > 0
    assert gsp.head("/store", query_string={"graph": EX + "missing"}).status_code == 404


def test_post_to_the_store_creates_a_graph_with_location(gsp) -> None:  # type: ignore[no-untyped-def]
    response = gsp.post("/store", data=TTL, content_type="text/turtle", headers=AUTH)
    assert response.status_code == 201
    location = response.headers["Location"]
    iri = response.get_data(as_text=True).strip()
    assert iri.startswith("https://w3id.org/sgkg/graph/store/")
    parts = urlsplit(location)
    got = gsp.get(f"{parts.path}?{parts.query}", headers={"Accept": "application/n-triples"})
    assert got.status_code == 200
    assert isomorphic(graph_of(got.data, "application/n-triples"), expected_graph())
    # two creations make two graphs
    again = gsp.post("/store", data=TTL, content_type="text/turtle", headers=AUTH)
    assert again.headers["Location"] != location


def test_post_merges_into_an_existing_graph_204_and_creates_201(gsp) -> None:  # type: ignore[no-untyped-def]
    assert (
        gsp.post(
            "/store",
            query_string={"graph": NEW},
            data=TTL,
            content_type="text/turtle",
            headers=AUTH,
        ).status_code
        == 201
    )
    merged = gsp.post(
        "/store",
        query_string={"graph": NEW},
        data=f"<{EX}x> <{EX}y> <{EX}z> .",
        content_type="application/n-triples",
        headers=AUTH,
    )
    assert merged.status_code == 204
    got = gsp.get("/store", query_string={"graph": NEW}, headers={"Accept": "text/turtle"})
    assert len(graph_of(got.data, "text/turtle")) == len(EXPECTED) + 1


def test_posting_blank_nodes_twice_does_not_merge_them(gsp) -> None:  # type: ignore[no-untyped-def]
    for _ in range(2):
        gsp.post(
            "/store",
            query_string={"graph": NEW},
            data=f"_:b <{EX}about> <{EX}nato> .",
            content_type="application/n-triples",
            headers=AUTH,
        )
    got = gsp.get("/store", query_string={"graph": NEW}, headers={"Accept": "text/turtle"})
    assert len(graph_of(got.data, "text/turtle")) == 2


def test_delete_then_404(gsp, wstore) -> None:  # type: ignore[no-untyped-def]
    assert gsp.delete("/store", query_string={"graph": G1}, headers=AUTH).status_code == 204
    assert gsp.get("/store", query_string={"graph": G1}).status_code == 404
    before = wstore.version()
    assert gsp.delete("/store", query_string={"graph": G1}, headers=AUTH).status_code == 404
    assert wstore.version() == before  # a refused write publishes no generation


def test_default_graph_is_the_real_default_graph(gsp, wstore) -> None:  # type: ignore[no-untyped-def]
    empty = gsp.get("/store?default", headers={"Accept": "application/n-triples"})
    assert empty.status_code == 200
    assert empty.data.strip() == b""  # the seeded triple is in a named graph, not here
    assert put(gsp, None, TTL).status_code == 204  # the default graph always exists
    got = gsp.get("/store?default", headers={"Accept": "text/turtle"})
    assert isomorphic(graph_of(got.data, "text/turtle"), expected_graph())
    assert gsp.delete("/store?default", headers=AUTH).status_code == 204
    assert gsp.get("/store?default").data.strip() == b""
    assert gsp.get("/store", query_string={"graph": G1}).status_code == 200


# --- formats -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "media_type",
    [
        "text/turtle",
        "application/n-triples",
        "application/rdf+xml",
        "application/ld+json",
        "application/trig",
        "application/n-quads",
    ],
)
def test_bodies_in_each_format(gsp, media_type: str) -> None:  # type: ignore[no-untyped-def]
    fmt = ox.RdfFormat.from_media_type(media_type)
    response = put(gsp, NEW, body_in(fmt), media_type)
    assert response.status_code == 201, response.get_data(as_text=True)
    got = gsp.get("/store", query_string={"graph": NEW}, headers={"Accept": "text/turtle"})
    assert isomorphic(graph_of(got.data, "text/turtle"), expected_graph())


@pytest.mark.parametrize(
    "media_type",
    [
        "text/turtle",
        "application/n-triples",
        "application/rdf+xml",
        "application/ld+json",
        "application/trig",
        "application/n-quads",
    ],
)
def test_get_negotiates_every_graph_format(gsp, media_type: str) -> None:  # type: ignore[no-untyped-def]
    put(gsp, NEW, TTL)
    response = gsp.get("/store", query_string={"graph": NEW}, headers={"Accept": media_type})
    assert response.status_code == 200
    assert response.mimetype == media_type
    assert isomorphic(graph_of(response.data, media_type), expected_graph())


def test_unacceptable_accept_is_406(gsp) -> None:  # type: ignore[no-untyped-def]
    response = gsp.get("/store", query_string={"graph": G1}, headers={"Accept": "image/png"})
    assert response.status_code == 406


def test_trig_with_named_graphs_is_refused_for_one_graph_but_merges_into_the_store(
    gsp, wstore
) -> None:  # type: ignore[no-untyped-def]
    trig = f"<{EX}g2> {{ <{EX}a> <{EX}b> <{EX}c> }} <{EX}g3> {{ <{EX}d> <{EX}e> 'f' }}"
    refused = put(gsp, NEW, trig, "application/trig")
    assert refused.status_code == 400
    assert "POST" in refused.get_data(as_text=True)
    merged = gsp.post("/store", data=trig, content_type="application/trig", headers=AUTH)
    assert merged.status_code == 204
    assert {EX + "g2", EX + "g3"} <= set(wstore.named_graphs())


# --- errors ----------------------------------------------------------------------------------


def test_unsupported_content_type_is_415(gsp) -> None:  # type: ignore[no-untyped-def]
    response = put(gsp, NEW, "<p>hi</p>", "text/html")
    assert response.status_code == 415
    assert "text/turtle" in response.get_data(as_text=True)


def test_parse_error_is_400_with_line_and_column(gsp, wstore) -> None:  # type: ignore[no-untyped-def]
    before = wstore.version()
    body = f"<{EX}a> <{EX}b> <{EX}c> .\n<{EX}a> <{EX}b> .\n"
    response = gsp.put(
        "/store",
        query_string={"graph": NEW},
        data=body,
        content_type="text/turtle",
        headers={**AUTH, "Accept": "application/json"},
    )
    assert response.status_code == 400
    assert response.get_json()["message"].startswith("request body:2:")
    assert wstore.version() == before


def test_body_over_the_limit_is_413(gsp, wstore) -> None:  # type: ignore[no-untyped-def]
    before = wstore.version()
    body = "".join(f"<{EX}s{i}> <{EX}p> {i} .\n" for i in range(2000))
    assert put(gsp, NEW, body).status_code == 413
    assert wstore.version() == before


def test_remote_jsonld_context_is_not_fetched(gsp) -> None:  # type: ignore[no-untyped-def]
    listener = Listener()
    try:
        doc = (
            f'{{"@context": "http://127.0.0.1:{listener.port}/ctx.jsonld", '
            f'"@id": "{EX}a", "name": "x"}}'
        )
        response = put(gsp, NEW, doc, "application/ld+json")
        assert response.status_code == 400
        assert listener.connections == 0
    finally:
        listener.close()


@pytest.mark.parametrize(
    "query",
    [{"graph": G1, "default": ""}, {"graph": "not an iri"}, {}],
)
def test_bad_target_is_400(gsp, query) -> None:  # type: ignore[no-untyped-def]
    assert gsp.get("/store", query_string=query).status_code == 400


# --- the token -------------------------------------------------------------------------------


def test_reads_are_public_writes_need_the_token(gsp, wstore) -> None:  # type: ignore[no-untyped-def]
    assert gsp.get("/store", query_string={"graph": G1}).status_code == 200
    before = wstore.version()
    response = put(gsp, NEW, TTL, headers={})
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert put(gsp, NEW, TTL, headers={"Authorization": "Bearer nope"}).status_code == 403
    assert gsp.delete("/store", query_string={"graph": G1}).status_code == 401
    assert gsp.post("/store", data=TTL, content_type="text/turtle").status_code == 401
    assert wstore.version() == before


def test_writes_are_404_without_a_configured_token(wstore) -> None:  # type: ignore[no-untyped-def]
    client = make_app(wstore, UPDATE_TOKEN=None).test_client()
    assert put(client, NEW, TTL).status_code == 404
    assert client.get("/store", query_string={"graph": G1}).status_code == 200


# --- through a real gunicorn ---------------------------------------------------------------


@pytest.fixture()
def token_server(wstore: EmbeddedStore):  # type: ignore[no-untyped-def]
    """gunicorn, two workers, with KG_UPDATE_TOKEN set; yields the base URL."""
    gunicorn = which("gunicorn")
    if gunicorn is None:
        pytest.skip("gunicorn is not installed")
    port = free_port()
    env = {**os.environ, "KG_STORE": str(wstore.root), "KG_UPDATE_TOKEN": TOKEN}
    proc = subprocess.Popen(
        [gunicorn, "--workers", "2", "--bind", f"127.0.0.1:{port}", "server:create_app()"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        cwd=ROOT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_http(url + "/store?default", proc)
        yield url
    finally:
        stop(proc)


@pytest.mark.server
def test_gsp_and_update_through_gunicorn(token_server: str) -> None:
    session = requests.Session()
    store = f"{token_server}/store"
    created = session.put(
        store, params={"graph": NEW}, data=TTL, headers={**AUTH, "Content-Type": "text/turtle"}
    )
    assert created.status_code == 201
    assert session.put(store, params={"graph": NEW}, data=TTL, headers={}).status_code == 401
    # every worker sees the new generation (several requests spread over both workers)
    for _ in range(6):
        got = session.get(store, params={"graph": NEW}, headers={"Accept": "text/turtle"})
        assert got.status_code == 200
        assert isomorphic(graph_of(got.content, "text/turtle"), expected_graph())
    update = f"DELETE WHERE {{ GRAPH <{NEW}> {{ <{EX}nato> <{EX}label> ?l }} }}"
    done = session.post(
        f"{token_server}/update",
        data=update,
        headers={**AUTH, "Content-Type": "application/sparql-update"},
    )
    assert done.status_code == 204, done.text
    for _ in range(4):
        got = session.get(store, params={"graph": NEW}, headers={"Accept": "text/turtle"})
        assert len(graph_of(got.content, "text/turtle")) == len(EXPECTED) - 1
    assert session.delete(store, params={"graph": NEW}, headers=AUTH).status_code == 204
    assert session.get(store, params={"graph": NEW}).status_code == 404
