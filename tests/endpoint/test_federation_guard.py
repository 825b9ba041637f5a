"""SERVICE: refused targets are never connected to; allow-listed ones are called by us.

A socket listener on 127.0.0.1 counts every connection it receives: each refused spelling
of a local or private target must leave it at zero. An allow-listed ``oxigraph serve``
answers a real federated join, and a recording HTTP server shows our User-Agent and
that redirects are not followed.
"""

from __future__ import annotations

import http.server
import json
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.endpoint.conftest import BASE, kg_serve

pytestmark = pytest.mark.server


class Listener:
    """Accepts and counts TCP connections on 127.0.0.1."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            conn.close()

    def close(self) -> None:
        self.sock.close()


@pytest.fixture(scope="module")
def listener() -> Iterator[Listener]:
    server = Listener()
    yield server
    server.close()


def refused_targets(port: int) -> list[str]:
    return [
        f"http://127.0.0.1:{port}/sparql",
        f"http://127.1:{port}/sparql",
        f"http://0x7f.1:{port}/sparql",
        f"http://2130706433:{port}/sparql",
        f"http://[::1]:{port}/sparql",
        f"http://[::ffff:127.0.0.1]:{port}/sparql",
        f"http://localhost:{port}/sparql",
        f"http://localhost.:{port}/sparql",
        f"http://LOCALHOST:{port}/sparql",
        "http://10.0.0.1/sparql",
        "http://192.168.1.1/sparql",
        "http://169.254.169.254/latest/meta-data/",
        "http://unknown-host.invalid/sparql",
        "https://query.wikidata.org.evil.example/sparql",
        "https://query.wikidata.org/sparql/../../admin",
        "file:///etc/passwd",
    ]


@pytest.mark.parametrize("index", range(16))
def test_refused_service_never_connects(endpoint: str, listener: Listener, index: int) -> None:
    target = refused_targets(listener.port)[index]
    for query in (
        f"SELECT * WHERE {{ SERVICE <{target}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ SERVICE SILENT <{target}> {{ ?s ?p ?o }} }}",
        f"PREFIX t: <{target}> select * where {{ ?a ?b ?c "
        "OPTIONAL { service t: { ?s ?p ?o } } }",
    ):
        response = requests.post(
            endpoint,
            data=query.encode(),
            headers={"Content-Type": "application/sparql-query", "Accept": "application/json"},
            timeout=10,
        )
        assert response.status_code == 403, (query, response.text)
        message = response.json()["message"]
        assert "KG_FEDERATION_ALLOW" in message and "query.wikidata.org" in message
    assert listener.connections == 0


def test_variable_service_is_refused(endpoint: str) -> None:
    query = "SELECT * WHERE { VALUES ?e { <http://127.0.0.1/> } SERVICE ?e { ?s ?p ?o } }"
    response = requests.get(endpoint, params={"query": query}, timeout=10)
    assert response.status_code == 403
    assert "variable" in response.text


def test_service_inside_strings_and_comments_is_not_a_clause(endpoint: str) -> None:
    query = (
        "# SERVICE <http://127.0.0.1/> { }\n"
        'ASK { FILTER("SERVICE <http://127.0.0.1/> { ?s ?p ?o }" != "") }'
    )
    response = requests.get(endpoint, params={"query": query}, timeout=10)
    assert response.status_code == 200
    assert response.json()["boolean"] is True


def test_from_iris_are_graph_names_never_fetched(endpoint: str, listener: Listener) -> None:
    target = f"http://127.0.0.1:{listener.port}/data"
    query = f"ASK FROM <{target}> FROM NAMED <{target}> {{ ?s ?p ?o }}"
    response = requests.get(
        endpoint, params={"query": query, "default-graph-uri": target}, timeout=10
    )
    assert response.status_code == 200
    assert response.json()["boolean"] is False
    assert listener.connections == 0


# --- allowed endpoints ---------------------------------------------------------------------


class Recorder(http.server.ThreadingHTTPServer):
    """A SPARQL-ish endpoint that records requests: /sparql answers one row, /redirect
    answers 302 to ``redirect_to``, /fail answers 500."""

    def __init__(self) -> None:
        self.requests: list[dict[str, str]] = []
        self.redirect_to = "http://127.0.0.1:9/"
        super().__init__(("127.0.0.1", 0), _RecorderHandler)
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _RecorderHandler(http.server.BaseHTTPRequestHandler):
    server: Recorder

    def log_message(self, *args: object) -> None:
        pass

    def do_POST(self) -> None:  # noqa: N802
        length = int(self.headers.get("Content-Length", 0))
        self.rfile.read(length)
        self.server.requests.append({"path": self.path, **dict(self.headers)})
        if self.path == "/redirect":
            self.send_response(302)
            self.send_header("Location", self.server.redirect_to)
            self.end_headers()
            return
        if self.path == "/fail":
            self.send_response(500)
            self.end_headers()
            return
        if self.path == "/xml-bomb":  # SPARQL XML results with nested entities (issue 10)
            entities = ['<!ENTITY l0 "lol">'] + [
                f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10)
            ]
            xml = (
                f'<?xml version="1.0"?><!DOCTYPE sparql [{"".join(entities)}]>'
                '<sparql xmlns="http://www.w3.org/2005/sparql-results#"><head>'
                '<variable name="remote"/></head><results><result><binding name="remote">'
                "<literal>&l9;</literal></binding></result></results></sparql>"
            ).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/sparql-results+xml")
            self.send_header("Content-Length", str(len(xml)))
            self.end_headers()
            self.wfile.write(xml)
            return
        body = json.dumps(
            {
                "head": {"vars": ["remote"]},
                "results": {
                    "bindings": [
                        {"remote": {"type": "literal", "value": "from afar", "xml:lang": "en"}}
                    ]
                },
            }
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture(scope="module")
def federation(store_dir: Path, oxigraph_factory, tmp_path_factory, listener: Listener):
    """(our /sparql, the oxigraph query URL, the recorder) with both allow-listed."""
    data = tmp_path_factory.mktemp("remote") / "remote.nt"
    data.write_text(
        f'<{BASE}id/country/france> <http://example.org/capital> "Paris" .\n'
        '<http://example.org/x> <http://example.org/y> "z" .\n'
    )
    oxigraph = oxigraph_factory([data]) + "/query"
    recorder = Recorder()
    recorder.redirect_to = f"http://127.0.0.1:{listener.port}/sparql"
    allow = (
        f"{oxigraph} {recorder.url}/sparql {recorder.url}/redirect {recorder.url}/fail "
        f"{recorder.url}/xml-bomb"
    )
    with kg_serve(store_dir, workers=1, KG_FEDERATION_ALLOW=allow) as url:
        yield url + "/sparql", oxigraph, recorder
    recorder.shutdown()


def test_allowed_oxigraph_is_joined(federation) -> None:
    endpoint, oxigraph, _ = federation
    query = (
        "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
        "SELECT ?label ?capital WHERE {\n"
        "  ?country rdfs:label ?label . FILTER(lang(?label) = 'en')\n"
        f"  SERVICE <{oxigraph}> {{ ?country <http://example.org/capital> ?capital }}\n"
        "}"
    )
    response = requests.get(endpoint, params={"query": query}, timeout=30)
    assert response.status_code == 200, response.text
    rows = [
        (b["label"]["value"], b["capital"]["value"]) for b in response.json()["results"]["bindings"]
    ]
    assert rows == [("France", "Paris")]


def test_allowed_endpoint_gets_our_user_agent(federation) -> None:
    endpoint, _, recorder = federation
    query = f"SELECT ?remote WHERE {{ SERVICE <{recorder.url}/sparql> {{ ?x ?y ?remote }} }}"
    response = requests.get(endpoint, params={"query": query}, timeout=30)
    assert response.status_code == 200, response.text
    (binding,) = response.json()["results"]["bindings"]
    assert binding["remote"] == {"type": "literal", "value": "from afar", "xml:lang": "en"}
    agent = recorder.requests[-1]["User-Agent"]
    assert agent.startswith("sgkg/") and "https://w3id.org/sgkg/" in agent
    assert "python-requests" in agent


def test_redirects_are_not_followed(federation, listener: Listener) -> None:
    endpoint, _, recorder = federation
    query = f"SELECT * WHERE {{ SERVICE <{recorder.url}/redirect> {{ ?s ?p ?o }} }}"
    response = requests.get(endpoint, params={"query": query}, timeout=30)
    assert response.status_code == 502
    assert "redirect" in response.text
    assert recorder.requests[-1]["path"] == "/redirect"
    assert listener.connections == 0


def test_silent_failure_is_one_empty_solution(federation) -> None:
    endpoint, _, recorder = federation
    query = (
        f"SELECT (COUNT(*) AS ?n) WHERE {{ SERVICE SILENT <{recorder.url}/fail> {{ ?s ?p ?o }} }}"
    )
    response = requests.get(endpoint, params={"query": query}, timeout=30)
    assert response.status_code == 200
    assert response.json()["results"]["bindings"][0]["n"]["value"] == "1"
    loud = query.replace("SILENT ", "")
    assert requests.get(endpoint, params={"query": loud}, timeout=30).status_code == 502


def test_xml_results_with_entities_are_refused_unparsed(federation) -> None:
    endpoint, _, recorder = federation
    query = f"SELECT * WHERE {{ SERVICE <{recorder.url}/xml-bomb> {{ ?s ?p ?remote }} }}"
    started = time.monotonic()
    response = requests.get(endpoint, params={"query": query}, timeout=30)
    assert response.status_code == 502
    assert "only SPARQL JSON" in response.text
    assert time.monotonic() - started < 5
