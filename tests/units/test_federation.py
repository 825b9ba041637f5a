"""Direct unit tests of the SERVICE allow-list (``server.federation``): which clauses are
found, which targets pass, and that every target is checked before any connection. DNS and
the HTTP call are replaced by recorders, so nothing here touches the network."""

from __future__ import annotations

import socket
import time

import pytest

from kg.errors import Forbidden, QueryError
from server import federation

WIKIDATA = "https://query.wikidata.org/sparql"
PUBLIC_IP = "93.184.216.34"


@pytest.fixture()
def dns(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """A fake resolver: host → address (unknown hosts fail as DNS would)."""
    table: dict[str, str] = {"query.wikidata.org": "208.80.154.224"}

    def getaddrinfo(host, *_args, **_kwargs):  # type: ignore[no-untyped-def]
        if host not in table:
            raise socket.gaierror(f"unknown host {host}")
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (table[host], 0))]

    monkeypatch.setattr(federation.socket, "getaddrinfo", getaddrinfo)
    return table


@pytest.fixture()
def calls(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """Records the endpoint calls; answers one row binding ?x to a blank node."""
    made: list[tuple[str, str]] = []

    def call(endpoint: str, query: str, deadline: float, target: str) -> dict:
        made.append((endpoint, query))
        return {
            "head": {"vars": ["x"]},
            "results": {"bindings": [{"x": {"type": "bnode", "value": "b0"}}]},
        }

    monkeypatch.setattr(federation, "_call", call)
    return made


@pytest.mark.parametrize(
    ("url", "normal"),
    [
        ("HTTPS://Query.Wikidata.ORG/sparql", "https://query.wikidata.org/sparql"),
        ("https://query.wikidata.org:443/sparql", "https://query.wikidata.org/sparql"),
        ("http://example.org:80", "http://example.org/"),
        ("http://example.org:8080/q?x=1#frag", "http://example.org:8080/q?x=1"),
        ("http://[::1]:7878/query", "http://[::1]:7878/query"),
    ],
)
def test_normalize_endpoint(url: str, normal: str) -> None:
    assert federation.normalize_endpoint(url) == normal


def test_clauses_are_found_with_prefixes_base_and_silent_resolved() -> None:
    text = (
        "BASE <https://query.wikidata.org/>\nPREFIX wd: <https://query.wikidata.org/>\n"
        'SELECT * { ?s ?p "SERVICE <http://evil/> {}" # SERVICE <http://evil/> {\n'
        "  SERVICE SILENT wd:sparql { ?a ?b ?c SERVICE <http://inner/> { } }\n"
        "  SERVICE <sparql> { ?x ?y ?z }\n  SERVICE ?endpoint { }\n}"
    )
    found = federation.find_services(text)
    assert [(c.target, c.silent) for c in found] == [
        (WIKIDATA, True),  # the inner clause belongs to the outer one
        (WIKIDATA, False),  # relative to BASE
        (None, False),
    ]
    assert found[0].group.startswith("{ ?a") and found[0].group.endswith("{ } }")
    assert text[found[1].start : found[1].end] == "SERVICE <sparql> { ?x ?y ?z }"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("SELECT * { SERVICE nope:x { } }", "undeclared prefix"),
        ("SELECT * { SERVICE <http://a/> ?s }", "must be followed by a group"),
        ("SELECT * { SERVICE <http://a/> { { }", "unbalanced"),
        ("SELECT * { SERVICE 42 { } }", "must be followed by an IRI"),
        ("SELECT * { ?s ?p ?o } SERVICE", "without an endpoint"),
    ],
)
def test_malformed_clauses_are_query_errors(text: str, message: str) -> None:
    with pytest.raises(QueryError, match=message):
        federation.find_services(text)


@pytest.mark.parametrize(
    "target",
    [
        "http://127.0.0.1:7878/query",
        "http://127.1:7878/query",
        "http://0x7f.1:7878/query",
        "http://2130706433:7878/query",
        "http://[::1]:7878/query",
        "http://localhost.:7878/query",
        "http://query.wikidata.org/sparql",  # another scheme is another endpoint
        "https://query.wikidata.org/sparql/",  # another path too
        "https://query.wikidata.org.evil.example/sparql",
    ],
)
def test_anything_but_an_allowed_endpoint_is_refused(target: str, dns) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(Forbidden, match="not allowed"):
        federation.check_target(target, (WIKIDATA, "http://127.0.0.1:7878/query/"))


def test_allowed_endpoints_pass_in_any_spelling(dns) -> None:  # type: ignore[no-untyped-def]
    assert federation.check_target("HTTPS://QUERY.wikidata.org:443/sparql", (WIKIDATA,)) == WIKIDATA
    listed = f"http://{PUBLIC_IP}:8890/sparql"
    assert federation.check_target(listed, (listed,)) == listed  # no name to resolve


def test_variable_endpoints_and_an_empty_list_are_refused(dns) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(Forbidden, match="variable endpoint"):
        federation.check_target(None, (WIKIDATA,))
    with pytest.raises(Forbidden, match="disabled"):
        federation.check_target(WIKIDATA, ())


@pytest.mark.parametrize("address", ["10.0.0.5", "127.0.0.1", "169.254.169.254", "192.168.1.1"])
def test_an_allowed_name_resolving_to_a_private_address_is_refused(dns, address: str) -> None:  # type: ignore[no-untyped-def]
    dns["query.wikidata.org"] = address  # DNS rebinding
    with pytest.raises(Forbidden, match=f"non-public address {address}"):
        federation.check_target(WIKIDATA, (WIKIDATA,))


def test_an_unresolvable_allowed_name_fails_as_the_service(dns) -> None:  # type: ignore[no-untyped-def]
    allow = ("https://gone.example/sparql",)
    with pytest.raises(federation.ServiceFailed, match="cannot resolve"):
        federation.check_target("https://gone.example/sparql", allow)


def test_every_target_is_checked_before_the_first_call(dns, calls) -> None:  # type: ignore[no-untyped-def]
    text = f"SELECT * {{ SERVICE <{WIKIDATA}> {{ ?x ?p ?o }} SERVICE <http://10.0.0.1/> {{ }} }}"
    with pytest.raises(Forbidden):
        federation.resolve_services(text, (WIKIDATA,), deadline=time.monotonic() + 5, max_rows=10)
    assert calls == []


def test_allowed_clauses_are_answered_and_inlined_as_values(dns, calls) -> None:  # type: ignore[no-untyped-def]
    text = f"PREFIX w: <{WIKIDATA}>\nSELECT * {{ ?s ?p ?o SERVICE w: {{ ?x ?q ?r }} }}"
    out = federation.resolve_services(text, (WIKIDATA,), deadline=time.monotonic() + 5, max_rows=10)
    assert calls == [(WIKIDATA, f"PREFIX w: <{WIKIDATA}>\nSELECT * WHERE {{ ?x ?q ?r }}")]
    assert out == (
        f"PREFIX w: <{WIKIDATA}>\nSELECT * {{ ?s ?p ?o "
        "{ VALUES (?x) { (<urn:sgkg:bnode:b0>) } } }"
    )
    assert federation.resolve_services("SELECT 1 {}", (), deadline=0, max_rows=1) == "SELECT 1 {}"


def test_too_many_rows_fail_unless_silent(dns, calls) -> None:  # type: ignore[no-untyped-def]
    loud = f"SELECT * {{ SERVICE <{WIKIDATA}> {{ ?x ?p ?o }} }}"
    with pytest.raises(federation.ServiceFailed, match="more than KG_MAX_ROWS = 0"):
        federation.resolve_services(loud, (WIKIDATA,), deadline=time.monotonic() + 5, max_rows=0)
    silent = loud.replace("SERVICE", "SERVICE SILENT")
    out = federation.resolve_services(
        silent, (WIKIDATA,), deadline=time.monotonic() + 5, max_rows=0
    )
    assert out == "SELECT * { { } }"  # one empty solution
