"""``kg link`` against a local Wikidata stand-in (real identifiers) in ``oxigraph serve``."""

from __future__ import annotations

import json
import re
import shutil
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from threading import Thread

import pyoxigraph as ox
import pytest

from kg.errors import KGError
from kg.publish.link import WikidataClient, run
from kg.store import EmbeddedStore
from tests.linking.linking_proxies import FaultyProxy
from tests.linking.linking_servers import FIXTURES, free_port

pytestmark = pytest.mark.server

BASE = "https://w3id.org/sgkg/"
LINKS = f"{BASE}graph/links/wikidata"
WD = "http://www.wikidata.org/entity/"
OWL = "http://www.w3.org/2002/07/owl#"
UA = re.compile(r"^sgkg/\d+\.\d+\.\d+ \(https://w3id\.org/sgkg/; [^;()]+\) SPARQLWrapper/2\.0$")


@pytest.fixture()
def entity_store(tmp_path: Path) -> EmbeddedStore:
    store = EmbeddedStore(tmp_path / "store")
    with store.writer() as ox_store:
        ox_store.load(path=str(FIXTURES / "entities-mini.trig"))
    return store


@pytest.fixture()
def links_file(tmp_path: Path) -> Path:
    path = tmp_path / "wikidata.ttl"
    shutil.copy(FIXTURES / "links-mini.ttl", path)
    return path


def link_rows(store: EmbeddedStore) -> dict[str, str]:
    rows = store.query(f"SELECT ?e ?w WHERE {{ GRAPH <{LINKS}> {{ ?e <{OWL}sameAs> ?w }} }}")
    return {row["e"].value.rsplit("/", 1)[1]: row["w"].value.removeprefix(WD) for row in rows}


def client(endpoint: str, tmp_path: Path, **kwargs) -> WikidataClient:
    return WikidataClient(endpoint, responses_dir=tmp_path / "responses", **kwargs)


def test_refresh_confirms_adds_removes_and_publishes(
    wikidata_standin: str, entity_store: EmbeddedStore, links_file: Path, tmp_path: Path
) -> None:
    report = run(
        entity_store,
        base_iri=BASE,
        endpoint=wikidata_standin,
        links_path=links_file,
        out_dir=tmp_path / "out",
        client=client(wikidata_standin, tmp_path),
    )
    assert report.exit_code == 0, report.text()
    kinds = {c.entity.rsplit("/", 1)[1]: (c.kind, c.qid) for c in report.changes}
    assert kinds == {
        "france": ("confirmed", "Q142"),
        "nato": ("confirmed", "Q7184"),
        "kyiv": ("confirmed", "Q1899"),
        "atlantis": ("removed", "Q1"),
        "germany": ("added", "Q183"),
        "canada": ("added", "Q16"),
        "donald-trump": ("added", "Q22686"),
        # "Washington" is only the label of a U.S. state (Q1223): not a place class we accept
    }
    assert report.applied
    assert link_rows(entity_store) == {
        "france": "Q142",
        "nato": "Q7184",
        "kyiv": "Q1899",
        "germany": "Q183",
        "canada": "Q16",
        "donald-trump": "Q22686",
    }
    facts = entity_store.query(
        f"""PREFIX sg: <{BASE}ontology/> PREFIX void: <http://rdfs.org/ns/void#>
        PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        PREFIX wdt: <http://www.wikidata.org/prop/direct/>
        SELECT ?a2 ?uk ?cow ?n ?nato WHERE {{ GRAPH <{LINKS}> {{
          <{BASE}id/country/germany> sg:iso3166Alpha2 ?a2 ; rdfs:label ?uk FILTER(LANG(?uk) = "uk")
          <{BASE}id/country/france> sg:cowStateCode ?cow .
          <{LINKS}> void:triples ?n .
          BIND(EXISTS {{ <{WD}Q183> wdt:P463 <{WD}Q7184> }} AS ?nato) }} }}"""
    )
    [row] = list(facts)
    assert (row["a2"].value, row["uk"].value, row["cow"].value) == ("DE", "Німеччина", "220")
    assert (row["n"].value, row["nato"].value) == ("6", "true")
    # the raw responses it used are kept: first line the request, then the answer as received
    saved = sorted((tmp_path / "responses").glob("*.json"))
    assert [p.name.split("-", 1)[1] for p in saved] == ["iso.json", "labels.json", "facts.json"]
    request, answer = saved[-1].read_text().split("\n", 1)
    assert json.loads(request)["endpoint"] == wikidata_standin
    assert json.loads(answer)["results"]["bindings"]
    # and the review copy parses back to the same graph
    review = ox.Store()
    review.load(path=str(tmp_path / "out" / "wikidata.ttl"))
    assert len(review) == len(
        list(entity_store.reader().quads_for_pattern(None, None, None, ox.NamedNode(LINKS)))
    )


def test_dry_run_reports_without_writing(
    wikidata_standin: str, entity_store: EmbeddedStore, links_file: Path, tmp_path: Path
) -> None:
    version = entity_store.version()
    report = run(
        entity_store,
        base_iri=BASE,
        endpoint=wikidata_standin,
        links_path=links_file,
        out_dir=tmp_path / "out",
        dry_run=True,
        client=client(wikidata_standin, tmp_path),
    )
    assert report.exit_code == 0 and not report.applied
    assert len(report.of("added")) == 3
    assert entity_store.version() == version
    assert not (tmp_path / "out" / "wikidata.ttl").exists()


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        # a different QID for an entity already linked (the ISO code says Q142)
        (("wd:Q142 ;", "wd:Q183 ;"), "ISO code FR belongs to Q142"),
        # a person linked to a country
        (("<https://w3id.org/sgkg/id/place/kyiv> owl:sameAs wd:Q1899 .",
          "<https://w3id.org/sgkg/id/person/donald-trump> owl:sameAs wd:Q30 ."),
         "Q30 is a Q3624078, Q6256, not a Person"),
        # a committed ISO code that Wikidata does not hold
        (('sg:iso3166Alpha3 "FRA"', 'sg:iso3166Alpha3 "FRX"'), "P298 of Q142 is FRA, not FRX"),
        # an item the endpoint does not know
        (("wd:Q7184 .", "wd:Q99999999999 ."), "Q99999999999 is unknown"),
    ],
)  # fmt: skip
def test_contradictions_are_reported_never_applied(
    wikidata_standin: str,
    entity_store: EmbeddedStore,
    links_file: Path,
    tmp_path: Path,
    edit: tuple[str, str],
    expected: str,
) -> None:
    text = links_file.read_text()
    assert edit[0] in text
    links_file.write_text(text.replace(edit[0], edit[1]))
    version = entity_store.version()
    report = run(
        entity_store,
        base_iri=BASE,
        endpoint=wikidata_standin,
        links_path=links_file,
        out_dir=tmp_path / "out",
        client=client(wikidata_standin, tmp_path),
    )
    assert report.exit_code == 1
    assert not report.applied
    assert expected in report.text()
    assert entity_store.version() == version  # nothing published


def test_offline_keeps_the_committed_link_set(
    entity_store: EmbeddedStore, links_file: Path, tmp_path: Path
) -> None:
    dead = f"http://127.0.0.1:{free_port()}/query"
    version = entity_store.version()
    report = run(
        entity_store,
        base_iri=BASE,
        endpoint=dead,
        links_path=links_file,
        out_dir=tmp_path / "out",
        client=client(dead, tmp_path),
    )
    assert report.exit_code == 0
    assert report.offline and "cannot reach" in report.offline
    assert "keeping the committed link set (4 links)" in report.text()
    assert entity_store.version() == version


class _Garbage(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802
        body = b'{"head": {"vars": ["item"]}, "results": '
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


def test_a_response_that_does_not_parse_is_reported(
    entity_store: EmbeddedStore, links_file: Path, tmp_path: Path
) -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Garbage)
    Thread(target=server.serve_forever, daemon=True).start()
    endpoint = f"http://127.0.0.1:{server.server_address[1]}/sparql"
    try:
        report = run(
            entity_store,
            base_iri=BASE,
            endpoint=endpoint,
            links_path=links_file,
            out_dir=tmp_path / "out",
            client=client(endpoint, tmp_path),
        )
    finally:
        server.shutdown()
        server.server_close()
    assert report.exit_code == 1
    assert "does not parse" in report.text()
    assert not report.applied
    assert list((tmp_path / "responses").glob("*-iso.json"))  # the bad answer is kept


def test_429_is_waited_out_honouring_retry_after(
    wikidata_standin: str, entity_store: EmbeddedStore, links_file: Path, tmp_path: Path
) -> None:
    upstream = wikidata_standin.rsplit("/", 1)[0]
    with FaultyProxy(upstream, lambda n, m, p: "429" if n == 1 else "ok") as proxy:
        endpoint = proxy.url + "/query"
        wikidata = client(endpoint, tmp_path)
        report = run(
            entity_store,
            base_iri=BASE,
            endpoint=endpoint,
            links_path=links_file,
            out_dir=tmp_path / "out",
            client=wikidata,
        )
        assert proxy.actions()[:2] == ["429", "ok"]
        assert all(UA.match(agent) for agent in proxy.agents), proxy.agents
    assert report.exit_code == 0, report.text()
    assert wikidata.waits == [1.0]  # Retry-After: 1
    assert report.applied


def test_retries_on_429_are_bounded(
    wikidata_standin: str, entity_store: EmbeddedStore, links_file: Path, tmp_path: Path
) -> None:
    upstream = wikidata_standin.rsplit("/", 1)[0]
    with FaultyProxy(upstream, lambda n, m, p: "429") as proxy:
        endpoint = proxy.url + "/query"
        wikidata = client(endpoint, tmp_path, max_retries=2, sleep=lambda s: None)
        with pytest.raises(KGError, match="429.*retries exhausted"):
            run(
                entity_store,
                base_iri=BASE,
                endpoint=endpoint,
                links_path=links_file,
                out_dir=tmp_path / "out",
                client=wikidata,
            )
        assert proxy.count == 3


def test_cli_offline_and_committed_links_agree_with_the_standin(
    runner, store_dir: Path, wikidata_standin: str, tmp_path: Path, monkeypatch
) -> None:
    """The project's own committed link set (kg/data/links/wikidata.ttl) against the stand-in:
    every committed QID must be confirmed — a typo'd identifier shows up here."""
    work = tmp_path / "store"
    shutil.copytree(store_dir, work, symlinks=True)
    monkeypatch.chdir(tmp_path)
    code, out, err = runner(["--store", str(work), "link", "--offline"])
    assert code == 0 and "keeping the committed link set" in out
    code, out, err = runner(
        ["--store", str(work), "link", "--endpoint", wikidata_standin, "--dry-run"]
    )
    assert code == 0, out + err
    assert "0 conflict" in out and "not applied" in out
