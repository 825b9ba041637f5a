"""/dumps/: listing from manifest.json, byte-exact downloads with checksums, traversal 404."""

from __future__ import annotations

import gzip
import hashlib
import json

import pytest
import rdflib

from tests.pages.test_ontology_docs import HTML, build_small_store


@pytest.fixture(scope="module")
def dumps_app(tmp_path_factory: pytest.TempPathFactory):
    from kg.publish.dump import dump
    from server import create_app

    root = tmp_path_factory.mktemp("dumpsapp")
    store = build_small_store(root / "store")
    dump(store, root / "dumps")
    return create_app({"STORE": str(root / "store"), "TESTING": True, "DUMPS": str(root / "dumps")})


@pytest.fixture()
def client(dumps_app):
    return dumps_app.test_client()


def test_listing_html_and_json(client, dumps_app) -> None:
    with open(dumps_app.config["DUMPS"] + "/manifest.json") as fh:
        manifest = json.load(fh)
    names = [f["name"] for f in manifest["files"]]
    assert set(names) == {"sgkg.nq.gz", "sgkg.trig", "sgkg.ttl"}
    html = client.get("/dumps/", headers=HTML).get_data(as_text=True)
    for f in manifest["files"]:
        assert f'href="/dumps/{f["name"]}"' in html
        assert f["sha256"] in html
    assert 'href="/dumps/SHA256SUMS"' in html
    response = client.get("/dumps/", headers={"Accept": "application/json"})
    assert response.mimetype == "application/json"
    listed = response.get_json()["files"]
    assert [f["name"] for f in listed] == names
    assert all(f["url"].startswith("http://localhost/dumps/") for f in listed)


def test_downloads_match_checksums(client, dumps_app) -> None:
    sums = client.get("/dumps/SHA256SUMS")
    assert sums.status_code == 200
    expected = dict(line.split("  ")[::-1] for line in sums.get_data(as_text=True).splitlines())
    assert len(expected) == 3
    for name, digest in expected.items():
        response = client.get(f"/dumps/{name}")
        assert response.status_code == 200, name
        assert hashlib.sha256(response.data).hexdigest() == digest, name
        assert "Content-Encoding" not in response.headers
    gz = client.get("/dumps/sgkg.nq.gz")
    assert gz.mimetype == "application/gzip"
    assert "filename=sgkg.nq.gz" in gz.headers["Content-Disposition"]
    ds = rdflib.Dataset()
    ds.parse(data=gzip.decompress(gz.data), format="nquads")
    assert len(ds) > 0 or sum(1 for _ in ds.quads()) > 0
    assert client.get("/dumps/sgkg.trig").mimetype == "application/trig"
    assert client.get("/dumps/sgkg.ttl").mimetype == "text/turtle"
    assert client.get("/dumps/manifest.json").mimetype == "application/json"


@pytest.mark.parametrize(
    "path",
    [
        "/dumps/../kg/settings.py",
        "/dumps/%2e%2e/%2e%2e/etc/passwd",
        "/dumps/..%2fmanifest.json",
        "/dumps/nope.nq.gz",
        "/dumps//etc/passwd",
        "/dumps/.hidden",
    ],
)
def test_traversal_and_unknown_files_are_404(client, path: str) -> None:
    response = client.get(path, follow_redirects=True)  # "//" is merged by a 308 first
    assert response.status_code == 404, path
    assert b"root:" not in response.data


def test_no_dumps_explains_kg_dump(tmp_path) -> None:
    from server import create_app

    store = build_small_store(tmp_path / "store")
    app = create_app({"STORE": str(store.root), "TESTING": True, "DUMPS": str(tmp_path / "none")})
    client = app.test_client()
    response = client.get("/dumps/", headers=HTML)
    assert response.status_code == 404
    assert "kg dump" in response.get_data(as_text=True)
    response = client.get("/dumps/", headers={"Accept": "application/json"})
    assert response.status_code == 404
    assert "kg dump" in response.get_json()["message"]
    assert client.get("/dumps/sgkg.nq.gz").status_code == 404
