"""/healthz and /metrics on a real multi-worker ``kg serve``, and /healthz on a missing store."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
import requests

pytestmark = pytest.mark.server


def _sample(text: str, name: str, **labels: str) -> float:
    total = 0.0
    for line in text.splitlines():
        if not line.startswith(name + "{") and not line.startswith(name + " "):
            continue
        if all(f'{k}="{v}"' in line for k, v in labels.items()):
            total += float(line.rsplit(" ", 1)[1])
    return total


def test_healthz(base_url: str, store_mode: str) -> None:
    response = requests.get(base_url + "/healthz", timeout=10)
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok" and body["store"] == store_mode
    assert re.match(r"\d+\.\d+", body["version"])
    if store_mode == "embedded":
        assert body["store_version"].startswith("gen-")
    else:
        assert body["store_version"]
    counted = requests.get(base_url + "/healthz", params={"triples": "1"}, timeout=10).json()
    assert counted["triples"] > 400


def test_healthz_503_without_a_store(tmp_path: Path) -> None:
    from server import create_app

    app = create_app({"STORE": str(tmp_path / "nothing"), "TESTING": True})
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["status"] == "unavailable"


def test_metrics_add_up_all_workers(base_url: str) -> None:
    before = requests.get(base_url + "/metrics", timeout=10).text
    n = 12  # with 2 workers, requests land on both; the merged count must see them all
    for i in range(n):
        requests.get(base_url + "/sparql", params={"query": f"ASK {{ }} # {i}"}, timeout=10)
    requests.get(base_url + "/sparql", params={"query": "ASK {"}, timeout=10)
    time.sleep(0.2)
    after = requests.get(base_url + "/metrics", timeout=10)
    assert after.headers["Content-Type"].startswith("text/plain")
    text = after.text
    ok = "sgkg_http_requests_total"
    delta = _sample(text, ok, route="/sparql", status="200") - _sample(
        before, ok, route="/sparql", status="200"
    )
    assert delta == n
    assert _sample(text, "sgkg_http_errors_total", route="/sparql", status="400") >= 1
    assert _sample(text, "sgkg_http_request_duration_seconds_count", route="/sparql") >= n
    assert "sgkg_query_timeouts_total" in text
