"""Dumps always published (issue 10): after ``kg build`` and ``kg serve`` without ``kg dump``,
VoID lists ``void:dataDump`` and /dumps/ answers 200 with files whose checksums match."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
import rdflib
import requests

from tests.servers import start_gunicorn

pytestmark = pytest.mark.server

VOID = rdflib.Namespace("http://rdfs.org/ns/void#")


def test_serve_publishes_dumps_of_a_fresh_build(store_dir: Path, tmp_path: Path) -> None:
    dumps = tmp_path / "dumps"  # nothing there: `kg dump` never ran
    server = start_gunicorn({"KG_STORE": str(store_dir), "KG_DUMPS": str(dumps)}, workers=1)
    try:
        listing = requests.get(server.url + "/dumps/", headers={"Accept": "application/json"})
        assert listing.status_code == 200
        files = listing.json()["files"]
        assert {f["name"] for f in files} >= {"sgkg.nq.gz", "sgkg.trig", "sgkg.ttl"}
        nq = next(f for f in files if f["name"] == "sgkg.nq.gz")
        body = requests.get(server.url + "/dumps/sgkg.nq.gz", timeout=30).content
        assert hashlib.sha256(body).hexdigest() == nq["sha256"]
        void = requests.get(server.url + "/void", headers={"Accept": "text/turtle"}, timeout=30)
        graph = rdflib.Graph().parse(data=void.text, format="turtle")
        assert any(str(o).endswith("/dumps/sgkg.nq.gz") for o in graph.objects(None, VOID.dataDump))
    finally:
        server.stop()
    # a second start keeps them (written once, not on every start)
    manifest = (dumps / "manifest.json").stat().st_mtime_ns
    again = start_gunicorn({"KG_STORE": str(store_dir), "KG_DUMPS": str(dumps)}, workers=1)
    again.stop()
    assert (dumps / "manifest.json").stat().st_mtime_ns == manifest
