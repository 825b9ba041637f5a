"""Direct unit tests of the small pieces every request relies on (no server): settings
overrides, engine error positions, the SPARQL lexer, content negotiation, the SERVICE
allow-list, HTTP caching, remote URL layouts and the row cap on answer bytes."""

from __future__ import annotations

import json

import pytest

from kg import settings
from kg.errors import ConfigError, Forbidden
from kg.lexer import code_tokens, first_keyword
from kg.store import ResultTooLarge
from kg.store.positions import engine_error, split_position
from kg.store.transport import Endpoints, check_row_cap
from server import federation, http_cache, negotiation

# --- settings --------------------------------------------------------------------------------


def test_cli_overrides_are_parsed_like_the_environment() -> None:
    with pytest.raises(ConfigError, match="--base-iri 'https://example.org/kgx'.*ending with '/'"):
        settings.load({}, BASE_IRI="https://example.org/kgx")
    with pytest.raises(ConfigError, match="KG_BASE_IRI"):
        settings.load({"KG_BASE_IRI": "https://example.org/kgx"})
    assert settings.load({}, BASE_IRI="https://example.org/kgx/")["BASE_IRI"] == (
        "https://example.org/kgx/"
    )
    assert settings.load({}, QUERY_TIMEOUT="2.5")["QUERY_TIMEOUT"] == 2.5


def test_the_cli_refuses_an_unparsable_base_iri(runner) -> None:
    code, _out, err = runner(["--base-iri", "https://example.org/kgx", "stats"])
    assert code == 2 and "ending with '/'" in err


# --- engine error positions ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "server", "expected"),
    [
        ("error at 3:11: expected one of", False, ("expected one of", 3, 11)),
        ("x rejected: Lexical error at line 1, column 26", True, (None, 1, 26)),
        ("x rejected: Parser error at line 4 between columns 2 and 9", True, (None, 4, 2)),
        ("x rejected: error at 1:26: expected", True, (None, 1, 26)),
        ("Virtuoso SP030: SPARQL compiler, line 3: syntax error at '}'", True, (None, 3, None)),
        ("the graph <http://a/1> already exists at 12 places", False, (None, None, None)),
    ],
)
def test_error_positions(text: str, server: bool, expected: tuple) -> None:
    message, line, column = split_position(text, server=server)
    assert (line, column) == expected[1:]
    if expected[0] is not None:
        assert message == expected[0]
    error = engine_error(text, "<query>", server=server)
    assert error.status == 400 and error.line == expected[1]


# --- the lexer -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "keyword"),
    [
        ("PREFIX a: <http://a/> SELECT * {}", "SELECT"),
        ("BASE <http://a/> # SELECT\n ask {}", "ASK"),
        ("define input:inference 'x' CONSTRUCT WHERE {}", "CONSTRUCT"),
        ("PREFIX x: <http://x/> CLEAR ALL", "CLEAR"),
        ("# only a comment", ""),
    ],
)
def test_first_keyword(text: str, keyword: str) -> None:
    assert first_keyword(text) == keyword


def test_tokens_keep_strings_iris_and_comments_whole() -> None:
    toks = code_tokens('SELECT ?s { ?s <http://a/b> "}{" } # }')
    assert [t.text for t in toks if t.kind == "punct"] == ["{", "}"]
    assert [t.kind for t in toks][:2] == ["word", "var"]


# --- content negotiation ------------------------------------------------------------------


def test_negotiation_q_values_wildcards_and_ties() -> None:
    offered = negotiation.GRAPH_FORMATS
    assert negotiation.negotiate(None, offered) is negotiation.TURTLE
    assert negotiation.negotiate("*/*", offered) is offered[0]
    assert negotiation.negotiate("application/*", offered) is negotiation.NTRIPLES
    accept = "text/turtle;q=0.5, application/ld+json"
    assert negotiation.negotiate(accept, offered) is negotiation.JSONLD
    assert negotiation.negotiate("text/plain", offered) is negotiation.NTRIPLES  # alias
    assert negotiation.negotiate("x", offered, format_param="nt") is negotiation.NTRIPLES
    with pytest.raises(negotiation.NotAcceptable) as caught:
        negotiation.negotiate("image/png", offered)
    assert "text/turtle" in caught.value.description


def test_html_is_preferred_only_by_browsers() -> None:
    assert negotiation.prefers_html("text/html,application/xhtml+xml,*/*;q=0.8")
    assert not negotiation.prefers_html("text/turtle, text/html;q=0.5")
    assert not negotiation.prefers_html(None)


# --- the SERVICE allow-list ------------------------------------------------------------------


def test_service_allow_list_refuses_before_connecting() -> None:
    allow = ("https://93.184.216.34/sparql",)  # listed literally: no name to resolve
    assert federation.check_target("https://93.184.216.34/sparql", allow)
    for target in (
        None,
        "https://evil.example/sparql",
        "http://93.184.216.34/sparql",  # another scheme is another endpoint
    ):
        with pytest.raises(Forbidden):
            federation.check_target(target, allow)
    with pytest.raises(Forbidden, match="disabled"):
        federation.check_target("https://93.184.216.34/sparql", ())


def test_service_to_a_private_name_is_refused() -> None:
    with pytest.raises(Forbidden, match="non-public"):
        federation.check_target("http://localhost:7878/query", ("http://localhost:7878/query",))


# --- HTTP caching ------------------------------------------------------------------------


def test_etags_follow_the_version_and_if_none_match_is_weak() -> None:
    tag = http_cache.etag_for("gen-000001", "SELECT 1", "json")
    assert tag != http_cache.etag_for("gen-000002", "SELECT 1", "json")
    assert tag == http_cache.etag_for("gen-000001", "SELECT 1", "json")
    assert http_cache.matches(f'W/"{tag}", "other"', tag)
    assert http_cache.matches("*", tag)
    assert not http_cache.matches('"other"', tag) and not http_cache.matches(None, tag)


def test_lru_evicts_the_least_recent_and_skips_large_entries() -> None:
    lru = http_cache.LRU(2)
    lru.put("a", 1, 1)
    lru.put("b", 2, 1)
    assert lru.get("a") == 1
    lru.put("c", 3, 1)  # evicts b, the least recently used
    assert lru.get("b") is None and lru.get("a") == 1 and lru.get("c") == 3
    lru.put("big", 4, http_cache.MAX_ENTRY_BYTES + 1)
    assert lru.get("big") is None


# --- remote stores -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "query", "update", "store", "flavour"),
    [
        ("http://h:7878", "http://h:7878/query", "http://h:7878/update", "http://h:7878/store", "oxigraph"),  # noqa: E501
        ("http://h:3030/ds/sparql", "http://h:3030/ds/sparql", "http://h:3030/ds/update", "http://h:3030/ds/data", "generic"),  # noqa: E501
        ("http://h:8890/sparql#flavour=virtuoso", "http://h:8890/sparql", "http://h:8890/sparql", "http://h:8890/sparql-graph-crud", "virtuoso"),  # noqa: E501
    ],
)  # fmt: skip
def test_url_layouts(url: str, query: str, update: str, store: str, flavour: str) -> None:
    endpoints = Endpoints.from_url(url)
    assert (endpoints.query, endpoints.update, endpoints.store) == (query, update, store)
    assert endpoints.flavour == flavour


def test_a_bad_flavour_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="flavour"):
        Endpoints.from_url("http://h/sparql#flavour=blazegraph")


def _bindings(n: int, pretty: bool) -> bytes:
    doc = {
        "head": {"vars": ["s"]},
        "results": {
            "bindings": [{"s": {"type": "uri", "value": f"http://a/{i}"}} for i in range(n)]
        },
    }
    return json.dumps(
        doc, indent=1 if pretty else None, separators=None if pretty else (",", ":")
    ).encode()


@pytest.mark.parametrize("pretty", [False, True])
def test_row_cap_on_answer_bytes(pretty: bool) -> None:
    media = "application/sparql-results+json"
    assert check_row_cap(media, _bindings(5, pretty), 5) == "solutions"
    with pytest.raises(ResultTooLarge):
        check_row_cap(media, _bindings(6, pretty), 5)
    boolean = b'{"head":{},"boolean":true}'
    assert check_row_cap(media, boolean, 0) == "boolean"
