"""Remote-store mode end to end: ``KG_STORE=<oxigraph serve URL>`` for ``kg build``,
``kg load`` and the app; a remote store that goes down is a 503, and the app stays up."""

from __future__ import annotations

import gzip
import time
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests

from kg.store.remote import RemoteStore
from tests.linking.linking_servers import Process, start_gunicorn

pytestmark = pytest.mark.server

BASE = "https://w3id.org/sgkg/"
PER_GRAPH = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g"


def per_graph(store) -> dict[str, int]:
    return {row["g"].value: int(row["n"].value) for row in store.query(PER_GRAPH)}


def test_the_built_remote_store_holds_what_the_embedded_build_holds(
    remote_store_url: str, store
) -> None:
    remote = RemoteStore(remote_store_url)
    mine, theirs = per_graph(remote), per_graph(store)
    assert mine == theirs
    assert f"{BASE}graph/links/wikidata" in mine and len(mine) > 300
    assert remote.named_graphs() == store.named_graphs()


def test_kg_build_and_kg_load_write_to_a_remote_store(
    runner, oxigraph_process: Process, tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.chdir(tmp_path)  # checkpoints go to ./var
    url = oxigraph_process.url
    code, out, err = runner(["--store", url, "build", "--skip-reasoner"])
    assert code == 0, err
    remote = RemoteStore(url)
    graphs = per_graph(remote)
    assert f"{BASE}graph/entities" in graphs
    version = remote.version()
    # a second build replaces, never duplicates
    code, out, err = runner(["--store", url, "build", "--skip-reasoner"])
    assert code == 0, err
    assert per_graph(remote) == graphs
    assert remote.version() != version

    data = tmp_path / "extra.nt.gz"
    with gzip.open(data, "wt") as fh:
        for i in range(2500):
            fh.write(f'<http://example.org/s{i}> <http://example.org/p> "{i}" .\n')
    target = f"{BASE}graph/import/extra"
    code, out, err = runner(["--store", url, "load", str(data), "--graph", target, "--no-progress"])
    assert code == 0, err
    after = per_graph(remote)
    assert after[target] == 2500
    assert {g: n for g, n in after.items() if g != target} == graphs  # nothing else touched


def test_app_answers_the_same_in_both_modes(remote_store_url: str, client) -> None:
    from server import create_app

    remote_client = create_app({"STORE": remote_store_url, "TESTING": True}).test_client()
    query = (
        "PREFIX sg: <https://w3id.org/sgkg/ontology/> SELECT ?c ?g WHERE "
        "{ ?c sg:guarantor ?g } ORDER BY ?c ?g"
    )
    answers = []
    for c in (client, remote_client):
        response = c.get(
            "/sparql",
            query_string={"query": query},
            headers={"Accept": "application/sparql-results+json"},
        )
        assert response.status_code == 200, response.get_data(as_text=True)
        answers.append(response.get_json()["results"]["bindings"])
    assert answers[0] == answers[1] and answers[0]
    pages = []
    for c in (client, remote_client):
        response = c.get("/id/country/france", headers={"Accept": "application/n-triples"})
        assert response.status_code == 200
        pages.append(set(ox.parse(response.data, format=ox.RdfFormat.N_TRIPLES)))
    assert pages[0] == pages[1] and pages[0]
    html = remote_client.get("/id/country/france", headers={"Accept": "text/html"})
    assert html.status_code == 200 and "France" in html.get_data(as_text=True)


def test_a_remote_store_that_goes_down_is_503_and_the_app_stays_up(
    oxigraph_process: Process,
) -> None:
    from kg.build import build

    build(RemoteStore(oxigraph_process.url), reasoner=False)
    app = start_gunicorn({"KG_STORE": oxigraph_process.url, "KG_QUERY_TIMEOUT": "3"})
    try:
        ask = {"query": "ASK { ?s ?p ?o }"}
        json_accept = {"Accept": "application/sparql-results+json"}
        up = requests.get(app.url + "/sparql", params=ask, headers=json_accept, timeout=10)
        assert up.status_code == 200 and up.json()["boolean"] is True
        assert requests.get(app.url + "/healthz", timeout=10).status_code == 200

        oxigraph_process.stop()
        time.sleep(1.2)  # RemoteStore.version() is cached for a second (answers may be too)
        down = requests.get(app.url + "/sparql", params=ask, headers=json_accept, timeout=10)
        assert down.status_code == 503
        assert "is down" in down.text and oxigraph_process.url in down.text
        assert "Traceback" not in down.text
        health = requests.get(app.url + "/healthz", timeout=10)
        assert health.status_code == 503
        assert "is down" in health.json()["error"]
        page = requests.get(app.url + "/id/country/france", timeout=10)
        assert page.status_code == 503
        assert app.alive  # the app is still up and answering
        assert requests.get(app.url + "/healthz", timeout=10).status_code == 503
    finally:
        app.stop()
