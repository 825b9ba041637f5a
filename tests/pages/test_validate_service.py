"""/validate: the report of the published graph, and validation of posted RDF (nothing
stored; no remote contexts or external entities fetched; bad input is a typed 4xx)."""

from __future__ import annotations

import io
import json
import socket
import threading
from collections.abc import Iterator

import pytest
import rdflib

from tests.conftest import free_port
from tests.pages.test_ontology_docs import HTML, build_small_store
from tests.validation_samples import BAD, GOOD

SH = rdflib.Namespace("http://www.w3.org/ns/shacl#")


@pytest.fixture(scope="module")
def validate_app(tmp_path_factory: pytest.TempPathFactory):
    from server import create_app

    root = tmp_path_factory.mktemp("validateapp")
    build_small_store(root / "store")
    return create_app(
        {
            "STORE": str(root / "store"),
            "TESTING": True,
            "DUMPS": str(root / "dumps"),
            "MAX_REQUEST_BYTES": 20_000,
        }
    )


@pytest.fixture()
def client(validate_app):
    return validate_app.test_client()


@pytest.fixture()
def listener() -> Iterator[tuple[int, list[bytes]]]:
    """A local TCP listener that records every connection (a fetch would show up here)."""
    port = free_port()
    hits: list[bytes] = []
    server = socket.socket()
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("127.0.0.1", port))
    server.listen(5)
    server.settimeout(0.2)
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except OSError:
                continue
            with conn:
                conn.settimeout(1)
                try:
                    hits.append(conn.recv(4096))
                except OSError:
                    hits.append(b"")
                body = b'{"@context": {"name": "http://schema.org/name"}}'
                conn.sendall(
                    b"HTTP/1.1 200 OK\r\nContent-Type: application/ld+json\r\nContent-Length: "
                    + str(len(body)).encode()
                    + b"\r\n\r\n"
                    + body
                )

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield port, hits
    stop.set()
    thread.join(timeout=2)
    server.close()


def test_get_report_of_published_graph(client) -> None:
    response = client.get("/validate", headers={"Accept": "application/json"})
    assert response.status_code == 200
    body = response.get_json()
    assert body["conforms"] is True, body["text"]
    assert response.headers["X-SHACL-Conforms"] == "true"
    assert "Accept" in response.headers["Vary"]
    html = client.get("/validate", headers=HTML)
    assert html.mimetype == "text/html"
    assert "Conforms" in html.get_data(as_text=True)
    turtle = client.get("/validate")
    assert turtle.mimetype == "text/turtle"
    report = rdflib.Graph().parse(data=turtle.data, format="turtle")
    assert (None, SH.conforms, rdflib.Literal(True)) in report


def test_post_turtle_conforming_and_violating(client) -> None:
    ok = client.post(
        "/validate",
        data=GOOD,
        headers={"Content-Type": "text/turtle", "Accept": "application/json"},
    )
    assert ok.status_code == 200
    assert ok.get_json()["conforms"] is True
    bad = client.post(
        "/validate", data=BAD, headers={"Content-Type": "text/turtle", "Accept": "application/json"}
    )
    body = bad.get_json()
    assert body["conforms"] is False
    violation = next(v for v in body["violations"] if "guarantor" in v["path"])
    assert "id/commitment/y" in violation["focus"]
    assert violation["severity"] == "Violation"
    assert "guarantor" in violation["message"]
    report = client.post("/validate", data=BAD, headers={"Content-Type": "text/turtle"})
    graph = rdflib.Graph().parse(data=report.data, format="turtle")
    assert (None, SH.conforms, rdflib.Literal(False)) in graph
    html = client.post(
        "/validate", data=BAD, headers={"Content-Type": "text/turtle", **HTML}
    ).get_data(as_text=True)
    assert "Does not conform" in html and "commitment/y" in html
    # nothing was stored: the published graph still conforms and has no commitment/y
    assert client.get("/validate", headers={"Accept": "application/json"}).get_json()["conforms"]


@pytest.mark.parametrize(
    ("fmt", "media"),
    [
        ("nt", "application/n-triples"),
        ("json-ld", "application/ld+json"),
        ("xml", "application/rdf+xml"),
    ],
)
def test_post_other_formats(client, fmt: str, media: str) -> None:
    data = rdflib.Graph().parse(data=BAD, format="turtle").serialize(format=fmt)
    response = client.post(
        "/validate",
        data=data.encode() if isinstance(data, str) else data,
        headers={"Content-Type": media, "Accept": "application/json"},
    )
    assert response.status_code == 200, response.data
    assert response.get_json()["conforms"] is False


def test_form_upload(client) -> None:
    response = client.post(
        "/validate",
        data={"file": (io.BytesIO(BAD), "mine.ttl"), "format": "turtle"},
        content_type="multipart/form-data",
        headers=HTML,
    )
    assert response.status_code == 200
    assert "mine.ttl" in response.get_data(as_text=True)
    response = client.post(
        "/validate",
        data={"data": GOOD.decode(), "format": "turtle"},
        headers={"Accept": "application/json"},
    )
    assert response.get_json()["conforms"] is True


def test_malformed_is_400_with_line_and_column(client) -> None:
    response = client.post(
        "/validate",
        data=b"@prefix sg: <https://w3id.org/sgkg/ontology/> .\n<a> sg:p <b\n",
        headers={"Content-Type": "text/turtle", "Accept": "application/json"},
    )
    assert response.status_code == 400
    message = response.get_json()["message"]
    assert ":2:" in message or "line 2" in message, message
    assert "Traceback" not in message


def test_unsupported_type_is_415_and_too_large_is_413(client) -> None:
    response = client.post(
        "/validate",
        data=b"a,b\n",
        headers={"Content-Type": "text/csv", "Accept": "application/json"},
    )
    assert response.status_code == 415
    assert "text/turtle" in response.get_json()["message"]
    big = b"<urn:a> <urn:b> <urn:c> .\n" * 2000
    response = client.post(
        "/validate",
        data=big,
        headers={"Content-Type": "application/n-triples", "Accept": "application/json"},
    )
    assert response.status_code == 413
    empty = client.post("/validate", data=b"  ", headers={"Content-Type": "text/turtle"})
    assert empty.status_code == 400


def test_jsonld_remote_context_is_not_fetched(client, listener) -> None:
    port, hits = listener
    doc = {
        "@context": f"http://127.0.0.1:{port}/context.jsonld",
        "@id": "https://w3id.org/sgkg/id/country/france",
        "name": "France",
    }
    response = client.post(
        "/validate",
        data=json.dumps(doc).encode(),
        headers={"Content-Type": "application/ld+json", "Accept": "application/json"},
    )
    assert response.status_code == 400, response.data
    assert hits == []


@pytest.mark.parametrize("target", ["file:///etc/passwd", "http://127.0.0.1:{port}/xxe"])
def test_rdfxml_external_entity_is_not_resolved(client, listener, target: str) -> None:
    port, hits = listener
    system = target.format(port=port)
    xml = f"""<?xml version="1.0"?>
<!DOCTYPE rdf:RDF [ <!ENTITY xxe SYSTEM "{system}"> ]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
         xmlns:rdfs="http://www.w3.org/2000/01/rdf-schema#">
  <rdf:Description rdf:about="https://w3id.org/sgkg/id/country/france">
    <rdfs:label>&xxe;</rdfs:label>
  </rdf:Description>
</rdf:RDF>"""
    response = client.post(
        "/validate",
        data=xml.encode(),
        headers={"Content-Type": "application/rdf+xml", "Accept": "application/json"},
    )
    assert response.status_code == 400, response.data
    assert b"root:" not in response.data
    assert hits == []
