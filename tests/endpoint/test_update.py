"""POST /update: token rules, atomicity, the LOAD/SERVICE policy, errors with positions.

A small writable embedded store per test (real pyoxigraph, real generations), the Flask
test client in front of it. Outside requests are caught by a local socket listener that
must never see a connection.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.store import EmbeddedStore

TOKEN = "test-token-0123456789"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
G1 = "https://w3id.org/sgkg/graph/test-one"
EX = "http://example.org/"
SPARQL_UPDATE = "application/sparql-update"


def seed(path: Path) -> EmbeddedStore:
    store = EmbeddedStore(path)
    with store.writer() as ox_store:
        ox_store.add(
            ox.Quad(
                ox.NamedNode(EX + "kyiv"),
                ox.NamedNode(EX + "label"),
                ox.Literal("Kyiv"),
                ox.NamedNode(G1),
            )
        )
    return store


def triples(store: EmbeddedStore) -> set[tuple[str, str, str, str]]:
    return {
        (str(q.subject), str(q.predicate), str(q.object), str(q.graph_name))
        for q in store.reader().quads_for_pattern(None, None, None, None)
    }


@pytest.fixture()
def wstore(tmp_path: Path) -> EmbeddedStore:
    return seed(tmp_path / "store")


def make_app(store: EmbeddedStore, **config):  # type: ignore[no-untyped-def]
    from server import create_app

    return create_app({"STORE": str(store.root), "TESTING": True, **config})


@pytest.fixture()
def wclient(wstore: EmbeddedStore):  # type: ignore[no-untyped-def]
    return make_app(wstore, UPDATE_TOKEN=TOKEN, MAX_REQUEST_BYTES=20_000).test_client()


class Listener:
    """A TCP listener on 127.0.0.1 that records every connection it accepts."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(5)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.connections += 1
            conn.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        self.sock.close()


@pytest.fixture()
def listener() -> Iterator[Listener]:
    lst = Listener()
    yield lst
    lst.close()


def post_update(client, text: str, headers=AUTH):  # type: ignore[no-untyped-def]
    return client.post("/update", data=text, content_type=SPARQL_UPDATE, headers=headers)


# --- the token -------------------------------------------------------------------------


def test_no_token_configured_is_404(wstore: EmbeddedStore) -> None:
    client = make_app(wstore, UPDATE_TOKEN=None).test_client()
    response = post_update(client, f"INSERT DATA {{ <{EX}a> <{EX}b> 1 }}")
    assert response.status_code == 404
    assert "KG_UPDATE_TOKEN" in response.get_data(as_text=True)


@pytest.mark.parametrize("header", [None, "Basic dXNlcjpwYXNz", "Bearer", "Bearer "])
def test_missing_or_malformed_credentials_are_401(wclient, wstore, header) -> None:  # type: ignore[no-untyped-def]
    before = wstore.version()
    headers = {"Authorization": header} if header is not None else {}
    response = post_update(wclient, f"INSERT DATA {{ <{EX}a> <{EX}b> 1 }}", headers)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert wstore.version() == before


def test_wrong_token_is_403_and_changes_nothing(wclient, wstore) -> None:  # type: ignore[no-untyped-def]
    before = triples(wstore)
    response = post_update(
        wclient, f"INSERT DATA {{ <{EX}a> <{EX}b> 1 }}", {"Authorization": "Bearer wrong"}
    )
    assert response.status_code == 403
    assert triples(wstore) == before


def test_get_is_not_an_update(wclient) -> None:  # type: ignore[no-untyped-def]
    response = wclient.get("/update", query_string={"update": "CLEAR ALL"}, headers=AUTH)
    assert response.status_code == 405


# --- successful updates ----------------------------------------------------------------


def test_insert_is_visible_and_changes_the_generation(wclient, wstore) -> None:  # type: ignore[no-untyped-def]
    before = wstore.version()
    response = post_update(
        wclient, f"INSERT DATA {{ GRAPH <{G1}> {{ <{EX}odesa> <{EX}label> 'Odesa' }} }}"
    )
    assert response.status_code == 204, response.get_data(as_text=True)
    assert wstore.version() != before
    assert (f"<{EX}odesa>", f"<{EX}label>", '"Odesa"', f"<{G1}>") in triples(wstore)
    answer = wstore.query(f"ASK {{ <{EX}odesa> <{EX}label> 'Odesa' }}")
    assert bool(answer) is True


def test_form_encoded_update(wclient, wstore) -> None:  # type: ignore[no-untyped-def]
    response = wclient.post(
        "/update",
        data={"update": f"DELETE WHERE {{ GRAPH ?g {{ <{EX}kyiv> ?p ?o }} }}"},
        headers=AUTH,
    )
    assert response.status_code == 204, response.get_data(as_text=True)
    assert triples(wstore) == set()


def test_relative_iris_resolve_against_the_base(wclient, wstore) -> None:  # type: ignore[no-untyped-def]
    response = post_update(wclient, "INSERT DATA { <id/thing/x> <ontology/p> 1 }")
    assert response.status_code == 204, response.get_data(as_text=True)
    quad = ("<https://w3id.org/sgkg/id/thing/x>", "<https://w3id.org/sgkg/ontology/p>")
    assert any(t[:2] == quad for t in triples(wstore))


# --- atomicity -------------------------------------------------------------------------


def test_failing_second_operation_leaves_the_store_unchanged(wclient, wstore) -> None:  # type: ignore[no-untyped-def]
    before_version, before = wstore.version(), triples(wstore)
    update = (
        f"INSERT DATA {{ GRAPH <{G1}> {{ <{EX}lviv> <{EX}label> 'Lviv' }} }} ;\n"
        f"CREATE GRAPH <{G1}>"  # exists already: the second operation fails
    )
    response = post_update(wclient, update)
    assert response.status_code == 400
    assert "already exists" in response.get_data(as_text=True)
    assert wstore.version() == before_version
    assert triples(wstore) == before
    # the abandoned generation is swept by the next write (a leftover gen-*.tmp can outlive
    # the failed request while RocksDB closes: see the report on kg/store.py)
    assert post_update(wclient, f"INSERT DATA {{ <{EX}x> <{EX}y> 1 }}").status_code == 204
    wstore.version()  # a read after the update: its publication is complete
    assert not any(p.name.endswith(".tmp") for p in wstore.root.iterdir())


# --- errors ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "position"),
    [
        (f"INSERT DATA {{ <{EX}a> <{EX}b> 1 }} ;\nCREAT GRAPH <{EX}g>", "2:"),
        # the word 'load' in an IRI does not stop the engine from reporting the position
        (f"INSERT DATA {{ <{EX}load> <{EX}b> 1 }} ;\nCREAT GRAPH <{EX}g>", "2:"),
        (f"INSERT DATA {{ <{EX}a> <{EX}b> 1 }} ;\n\n  INSERT DATA {{ <{EX}a> }}", "3:"),
    ],
)
def test_syntax_error_is_400_with_line_and_column(wclient, wstore, text, position) -> None:  # type: ignore[no-untyped-def]
    before = wstore.version()
    response = wclient.post(
        "/update",
        data=text,
        content_type=SPARQL_UPDATE,
        headers={**AUTH, "Accept": "application/json"},
    )
    assert response.status_code == 400
    message = response.get_json()["message"]
    assert message.startswith("update:" + position), message
    assert wstore.version() == before


def test_unsupported_media_type_is_415(wclient) -> None:  # type: ignore[no-untyped-def]
    response = wclient.post("/update", data="CLEAR ALL", content_type="text/plain", headers=AUTH)
    assert response.status_code == 415
    assert SPARQL_UPDATE in response.get_data(as_text=True)


def test_body_over_the_limit_is_413(wclient, wstore) -> None:  # type: ignore[no-untyped-def]
    before = wstore.version()
    big = "INSERT DATA { " + " ".join(f"<{EX}s{i}> <{EX}p> {i} ." for i in range(2000)) + " }"
    assert len(big) > 20_000
    response = post_update(wclient, big)
    assert response.status_code == 413
    assert wstore.version() == before


def test_using_graph_uri_is_refused_not_ignored(wclient, wstore) -> None:  # type: ignore[no-untyped-def]
    before = wstore.version()
    response = wclient.post(
        "/update",
        query_string={"using-graph-uri": G1},
        data="DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
        content_type=SPARQL_UPDATE,
        headers=AUTH,
    )
    assert response.status_code == 400
    assert "using-graph-uri" in response.get_data(as_text=True)
    assert wstore.version() == before


def test_empty_update_is_400(wclient) -> None:  # type: ignore[no-untyped-def]
    assert post_update(wclient, "  ").status_code == 400


# --- LOAD and SERVICE policy ------------------------------------------------------------


@pytest.mark.parametrize(
    "template",
    [
        "LOAD <{url}>",
        "LOAD SILENT <{url}> INTO GRAPH <" + G1 + ">",
        "INSERT DATA { <" + EX + "a> <" + EX + "b> 1 } ; load <{url}>",
    ],
)
def test_load_is_refused_and_nothing_is_fetched(wclient, wstore, listener, template) -> None:  # type: ignore[no-untyped-def]
    before = wstore.version()
    url = f"http://127.0.0.1:{listener.port}/data.ttl"
    response = post_update(wclient, template.replace("{url}", url))
    assert response.status_code == 403
    assert "LOAD" in response.get_data(as_text=True)
    assert listener.connections == 0
    assert wstore.version() == before


def test_load_is_refused_even_for_a_valid_update_through_a_form(wclient, listener) -> None:  # type: ignore[no-untyped-def]
    url = f"http://127.0.0.1:{listener.port}/data.ttl"
    response = wclient.post("/update", data={"update": f"LOAD <{url}>"}, headers=AUTH)
    assert response.status_code == 403
    assert listener.connections == 0


def test_service_to_a_target_not_allowed_is_refused(wclient, wstore, listener) -> None:  # type: ignore[no-untyped-def]
    before = wstore.version()
    url = f"http://127.0.0.1:{listener.port}/sparql"
    update = f"INSERT {{ GRAPH <{G1}> {{ ?s ?p ?o }} }} WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}"
    response = post_update(wclient, update)
    assert response.status_code == 403
    assert "SERVICE" in response.get_data(as_text=True)
    assert listener.connections == 0
    assert wstore.version() == before


def test_the_word_load_in_iris_names_and_strings_is_not_a_load(wclient, wstore) -> None:  # type: ignore[no-untyped-def]
    update = (
        f"PREFIX load: <{EX}> PREFIX ex: <{EX}>\n"
        "# LOAD <http://example.org/in-a-comment>\n"
        f"INSERT DATA {{ <{EX}load> <{EX}service> 'LOAD <x>' .\n"
        '  ex:load load:service """load""" }'
    )
    response = post_update(wclient, update)
    assert response.status_code == 204, response.get_data(as_text=True)
    assert bool(wstore.query(f"ASK {{ <{EX}load> <{EX}service> 'load' }}"))


def test_deep_nesting_is_400_not_a_crash(wclient) -> None:  # type: ignore[no-untyped-def]
    update = "DELETE WHERE { " + "{ " * 1000 + "?s ?p ?o" + " }" * 1000 + " }"
    response = post_update(wclient, update)
    assert response.status_code == 400
