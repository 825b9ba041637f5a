"""Per-client budgets (DESIGN.md, issue 10): 429 with Retry-After, shared by all workers of a
real gunicorn server, X-Forwarded-For only from trusted proxies, refusals counted."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from server.ratelimit import Ledger, client_address, trusted_networks
from tests.servers import Process, start_gunicorn

ASK = "/sparql?query=ASK%7B%7D"


def test_client_address_trusts_only_configured_proxies() -> None:
    trusted = trusted_networks("10.0.0.0/8 192.168.1.5")
    assert client_address("203.0.113.9", "1.2.3.4", trusted) == "203.0.113.9"  # not a proxy
    assert client_address("10.1.2.3", "1.2.3.4", trusted) == "1.2.3.4"
    assert client_address("10.1.2.3", "6.6.6.6, 1.2.3.4, 192.168.1.5", trusted) == "1.2.3.4"
    assert client_address("10.1.2.3", None, trusted) == "10.1.2.3"
    assert client_address("10.1.2.3", "1.2.3.4", ()) == "10.1.2.3"
    assert all(isinstance(n, ipaddress.IPv4Network) for n in trusted)


@pytest.mark.parametrize("shared", [False, True], ids=["memory", "sqlite"])
def test_ledger(tmp_path: Path, shared: bool) -> None:
    ledger = Ledger(tmp_path / "r.sqlite" if shared else None)
    for i in range(3):
        assert ledger.hit("k", 3, 100.0 + i) == 0
    assert ledger.hit("k", 3, 103.0) == pytest.approx(57.0)  # the first leaves at 160
    assert ledger.hit("k", 3, 159.0) == pytest.approx(1.0)
    assert ledger.hit("k", 3, 160.5) == 0  # exact sliding window: one slot freed
    assert ledger.hit("k", 3, 160.6) == pytest.approx(0.4)  # the second leaves at 161
    # query seconds: 60 s per minute; 50 s spent, then 15 more: 5 s over for 5 s
    ledger.spend("q", 50.0, 60.0, 100.0)
    assert ledger.spent("q", 101.0) == pytest.approx(49.0)
    ledger.spend("q", 15.0, 60.0, 102.0)
    assert ledger.spent("q", 103.0) == pytest.approx(62.0)  # > 60: refused for 2 s
    assert ledger.spent("q", 106.0) < 60


def test_requests_budget_in_the_app(app) -> None:
    app.config.update(RATE_LIMIT_REQUESTS=5)
    try:
        client = app.test_client()
        env = {"REMOTE_ADDR": "198.51.100.7"}
        statuses = [client.get(ASK, environ_base=env).status_code for _ in range(6)]
        assert statuses == [200] * 5 + [429]
        refused = client.get(ASK, environ_base=env, headers={"Accept": "application/json"})
        assert refused.status_code == 429
        assert int(refused.headers["Retry-After"]) >= 1
        assert "KG_RATE_LIMIT_REQUESTS" in refused.get_json()["message"]
        assert refused.headers["Access-Control-Allow-Origin"] == "*"
        # another client, and pages outside the limited routes, are not affected
        other = {"REMOTE_ADDR": "198.51.100.8"}
        assert client.get(ASK, environ_base=other).status_code == 200
        assert client.get("/void", environ_base=env).status_code == 200
    finally:
        app.config.update(RATE_LIMIT_REQUESTS=0)


@pytest.fixture(scope="module")
def limited_server(store_dir: Path) -> Iterator[Process]:
    process = start_gunicorn(
        {
            "KG_STORE": str(store_dir),
            "KG_RATE_LIMIT_REQUESTS": "60",
            "KG_RATE_LIMIT_QUERY_SECONDS": "0",
            "KG_TRUSTED_PROXIES": "127.0.0.1",
        },
        workers=3,
    )
    yield process
    process.stop()


@pytest.mark.server
def test_61st_request_within_a_minute_is_429_across_workers(limited_server: Process) -> None:
    url = limited_server.url
    client = {"X-Forwarded-For": "192.0.2.61", "Connection": "close"}  # new connection each:
    statuses = [  # the requests are spread over the three workers
        requests.get(url + ASK, headers=client, timeout=30).status_code for _ in range(60)
    ]
    assert statuses == [200] * 60
    refused = requests.get(url + ASK, headers=client, timeout=30)
    assert refused.status_code == 429
    retry = int(refused.headers["Retry-After"])
    assert 1 <= retry <= 60
    print(f"61st request: 429, Retry-After: {retry}")
    # another client behind the same trusted proxy still has its budget
    other = requests.get(url + ASK, headers={"X-Forwarded-For": "192.0.2.62"}, timeout=30)
    assert other.status_code == 200
    metrics = requests.get(url + "/metrics", timeout=30).text
    assert 'sgkg_rate_limited_total{budget="requests"} 1.0' in metrics


@pytest.mark.server
def test_query_seconds_budget(store_dir: Path) -> None:
    process = start_gunicorn(
        {
            "KG_STORE": str(store_dir),
            "KG_RATE_LIMIT_REQUESTS": "0",
            "KG_RATE_LIMIT_QUERY_SECONDS": "0.000001",
            "KG_TRUSTED_PROXIES": "127.0.0.1",
        },
        workers=2,
    )
    client = {"X-Forwarded-For": "192.0.2.99"}  # not the address the start-up polls came from
    try:
        first = requests.get(process.url + ASK, headers=client, timeout=30)
        assert first.status_code == 200
        second = requests.get(process.url + ASK, headers=client, timeout=30)
        assert second.status_code == 429
        assert "KG_RATE_LIMIT_QUERY_SECONDS" in second.text
        assert int(second.headers["Retry-After"]) >= 1
    finally:
        process.stop()
