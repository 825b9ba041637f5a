"""The query path of RemoteStore against a real ``oxigraph serve``: the urllib3 transport
(same answers and errors as before, environment proxies honoured), ``query_raw`` (the
server's bytes passed on, the row cap checked on them) and one version refresh at a time."""

from __future__ import annotations

import json
import threading

import pyoxigraph as ox
import pytest

from kg.errors import QueryError, QueryTimeout, StoreUnavailable
from kg.store import ResultTooLarge
from kg.store.remote import RemoteStore
from kg.store.transport import NotAcceptableAnswer, check_row_cap
from tests.linking.linking_proxies import FaultyProxy
from tests.linking.linking_servers import Process

pytestmark = pytest.mark.server

EX = "http://example.org/"
G = f"{EX}g"
JSON = "application/sparql-results+json"
BOTH = f"{JSON}, text/turtle;q=0.9"
#: five rows; two literals hold the JSON row separator ``},{`` (a bound that over-counts)
DATA = "\n".join(
    [f'<{EX}s{i}> <{EX}p> "v{i}" .' for i in range(3)]
    + [f'<{EX}s{i}> <{EX}p> "a}},{{b}},{{c}},{{d" .' for i in (3, 4)]
)
SELECT = f"SELECT ?s ?o WHERE {{ ?s <{EX}p> ?o }} ORDER BY ?s"
CONSTRUCT = f"CONSTRUCT {{ ?s <{EX}q> ?o }} WHERE {{ ?s <{EX}p> ?o }}"


@pytest.fixture()
def remote(oxigraph_process: Process) -> RemoteStore:
    store = RemoteStore(oxigraph_process.url, timeout=10)
    store.gsp_put(G, DATA.encode(), "application/n-triples")
    return store


def test_query_answers_as_pyoxigraph_objects(remote: RemoteStore) -> None:
    rows = [(r["s"].value, r["o"].value) for r in remote.query(SELECT)]
    assert rows[:2] == [(f"{EX}s0", "v0"), (f"{EX}s1", "v1")] and len(rows) == 5
    assert bool(remote.query(f"ASK {{ <{EX}s0> ?p ?o }}")) is True
    triples = list(remote.query(CONSTRUCT))
    assert len(triples) == 5 and all(t.predicate == ox.NamedNode(f"{EX}q") for t in triples)
    # the protocol dataset replaces the union default graph
    assert list(remote.query(SELECT, default_graph=[f"{EX}other"])) == []


def test_query_raw_passes_the_servers_bytes_on(remote: RemoteStore) -> None:
    answer = remote.query_raw(SELECT, BOTH, max_rows=100)
    assert answer.kind == "solutions" and answer.media_type == JSON
    document = json.loads(answer.body)
    assert [b["s"]["value"] for b in document["results"]["bindings"]] == [
        f"{EX}s{i}" for i in range(5)
    ]
    ask = remote.query_raw(f"ASK {{ <{EX}s9> ?p ?o }}", BOTH, max_rows=100)
    assert ask.kind == "boolean" and json.loads(ask.body)["boolean"] is False
    graph = remote.query_raw(CONSTRUCT, BOTH, max_rows=100)
    assert graph.kind == "graph" and graph.media_type == "text/turtle"
    assert len(list(ox.parse(graph.body, format=ox.RdfFormat.TURTLE))) == 5
    # the results family is picked by the query form, whatever comes first in Accept
    xml = remote.query_raw(SELECT, "text/turtle, application/sparql-results+xml;q=0.9")
    assert xml.media_type == "application/sparql-results+xml" and xml.body.count(b"<result>") == 5


@pytest.mark.parametrize(
    "accept",
    [
        JSON,
        "application/sparql-results+xml",
        "text/csv",
        "text/tab-separated-values",
    ],
)
def test_row_cap_on_raw_results_in_every_format(remote: RemoteStore, accept: str) -> None:
    assert remote.query_raw(SELECT, accept, max_rows=5).kind == "solutions"
    with pytest.raises(ResultTooLarge, match="more than 4 rows") as info:
        remote.query_raw(SELECT, accept, max_rows=4)
    assert info.value.status == 422


def test_row_separators_inside_literals_only_cost_an_exact_count(remote: RemoteStore) -> None:
    answer = remote.query_raw(SELECT, JSON, max_rows=5)
    assert answer.body.count(b"},{") > 5  # the bound passes the cap; the exact count does not
    assert check_row_cap(answer.content_type, answer.body, 5) == "solutions"


@pytest.mark.parametrize("accept", ["application/n-triples", "text/turtle", "application/ld+json"])
def test_triple_cap_on_raw_graphs(remote: RemoteStore, accept: str) -> None:
    assert remote.query_raw(CONSTRUCT, accept, max_rows=5).kind == "graph"
    with pytest.raises(ResultTooLarge, match="more than 4 triples"):
        remote.query_raw(CONSTRUCT, accept, max_rows=4)


def test_raw_errors_are_typed(remote: RemoteStore, oxigraph_process: Process) -> None:
    with pytest.raises(QueryError, match="rejected by the remote store") as info:
        remote.query_raw("SELECT ?s WHERE { ?s ?p }", BOTH)
    assert info.value.status == 400
    with pytest.raises(NotAcceptableAnswer) as refused:
        remote.query_raw(CONSTRUCT, JSON)  # no graph format offered
    assert refused.value.status == 406
    oxigraph_process.stop()
    with pytest.raises(StoreUnavailable, match="is down"):
        remote.query_raw(SELECT, BOTH)


def test_stalled_store_times_out_on_the_raw_path(oxigraph_process: Process) -> None:
    with FaultyProxy(oxigraph_process.url, lambda n, m, p: "stall") as proxy:
        remote = RemoteStore(proxy.url, timeout=0.5)
        # a stalled answer is the query running out of time: 503, naming the limit
        with pytest.raises(QueryTimeout, match="time limit of 0.5 s"):
            remote.query_raw("ASK {}", BOTH)


def test_connections_are_reused_and_environment_proxies_honoured(
    remote: RemoteStore, oxigraph_process: Process, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A forward proxy from ``HTTP_PROXY`` carries the queries (as it would with requests);
    an empty upstream makes the FaultyProxy forward the absolute request URI."""
    with FaultyProxy("") as proxy:
        via_proxy = RemoteStore(oxigraph_process.url, timeout=10)
        with monkeypatch.context() as env:  # only while the pool is made: the FaultyProxy
            for name in ("NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy"):  # forwards with
                env.delenv(name, raising=False)  # requests, which must not loop to itself
            env.setenv("HTTP_PROXY", proxy.url)
            via_proxy._query_pool()  # the environment is read once, here
        for _ in range(3):
            assert len(list(via_proxy.query(SELECT))) == 5
        assert [entry[2] for entry in proxy.log] == [oxigraph_process.url + "/query"] * 3
        assert all(agent.startswith("sgkg/") for agent in proxy.agents)
    pool, _ = remote._query_pool()
    for _ in range(5):
        remote.query("ASK {}")
    assert remote._query_pool()[0] is pool
    connections = pool.connection_from_url(remote.endpoints.query)
    assert connections.num_connections == 1  # one keep-alive connection for them all


def test_one_version_refresh_at_a_time(oxigraph_process: Process) -> None:
    with FaultyProxy(oxigraph_process.url) as proxy:
        remote = RemoteStore(proxy.url, timeout=10)
        first = remote.version()
        assert remote._version is not None
        remote._version = (remote._version[0] - 5.0, first)  # expired
        before = proxy.count
        barrier = threading.Barrier(8)
        seen: list[str] = []

        def ask() -> None:
            barrier.wait()
            seen.append(remote.version())

        threads = [threading.Thread(target=ask) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert seen == [first] * 8
        assert proxy.count - before == 1  # the others used the value of a second ago
        remote.update(f"INSERT DATA {{ GRAPH <{G}> {{ <{EX}x> <{EX}p> 1 }} }}")
        assert remote.version() != first  # a write of ours is seen at once
