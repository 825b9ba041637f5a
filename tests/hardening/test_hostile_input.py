"""Every XML entry point refuses a DTD before parsing; JSON-LD nesting is bounded (issue 10):
``kg validate``, ``kg load``, uploads to /validate and /store, remote-store answers."""

from __future__ import annotations

import gzip
import io
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.errors import ParseError, StoreError
from kg.rdfio import MAX_JSON_DEPTH, DTDGuard, parse_bytes, refuse_dtd
from tests.hardening.test_hostile_server import billion_laughs

DEEP_JSONLD = (
    b'{"@id": "urn:s", "urn:p": '
    + b'{"urn:p": ' * (MAX_JSON_DEPTH + 10)
    + b'"x"'
    + b"}" * (MAX_JSON_DEPTH + 10)
    + b"}"
)


def test_utf16_and_split_markers_are_found() -> None:
    with pytest.raises(ParseError, match="DTD"):
        refuse_dtd(billion_laughs().decode().encode("utf-16"))
    guard = DTDGuard(io.BytesIO(b" " * 1000 + b"<!DOCTYPE x>"), "f")
    with pytest.raises(ParseError, match="DTD"):
        while guard.read(1003):  # the marker straddles two reads
            pass
    with pytest.raises(StoreError):
        refuse_dtd(b"<!ENTITY x 'y'>", "remote", StoreError)


def test_rdfxml_without_dtd_still_parses() -> None:
    doc = (
        b'<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"'
        b' xmlns:ex="http://example.org/"><rdf:Description rdf:about="http://example.org/s">'
        b"<ex:p>&lt;!DOCTYPE is text here&gt;</ex:p></rdf:Description></rdf:RDF>"
    )
    (quad,) = parse_bytes(doc, ox.RdfFormat.RDF_XML)
    assert quad.object.value == "<!DOCTYPE is text here>"


def test_deep_jsonld_is_refused() -> None:
    with pytest.raises(ParseError, match=f"at most {MAX_JSON_DEPTH}"):
        parse_bytes(DEEP_JSONLD, ox.RdfFormat.JSON_LD)


def test_kg_validate_refuses_the_bomb(runner, tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.rdf"
    bomb.write_bytes(billion_laughs())
    code, _out, err = runner(["validate", str(bomb)])
    assert code == 2
    assert "DTD" in err and "bomb.rdf" in err


@pytest.mark.parametrize("name", ["bomb.rdf", "bomb.rdf.gz"])
def test_kg_load_refuses_the_bomb_and_writes_nothing(runner, tmp_path: Path, name: str) -> None:
    bomb = tmp_path / name
    data = billion_laughs()
    bomb.write_bytes(gzip.compress(data) if name.endswith(".gz") else data)
    store = tmp_path / "store"
    code, _out, err = runner(["--store", str(store), "load", str(bomb)])
    assert code != 0
    assert "DTD" in err


def test_uploads_are_refused_with_the_reason(app) -> None:
    from tests.hardening.test_hostile_server import GOOD

    client = app.test_client()
    bomb = client.post(
        "/validate",
        data=billion_laughs(),
        headers={"Content-Type": "application/rdf+xml", "Accept": "application/json"},
    )
    assert bomb.status_code == 400 and "DTD" in bomb.get_json()["message"]
    deep = client.post(
        "/validate",
        data=DEEP_JSONLD,
        headers={"Content-Type": "application/ld+json", "Accept": "application/json"},
    )
    assert deep.status_code == 400 and "levels deep" in deep.get_json()["message"]
    trix = client.post(
        "/validate",
        data=b'<?xml version="1.0"?><!DOCTYPE TriX [<!ENTITY a "b">]><TriX/>',
        headers={"Content-Type": "application/trix", "Accept": "application/json"},
    )
    assert trix.status_code == 415  # TriX is not accepted at all: nothing parses it
    assert (
        client.post("/validate", data=GOOD, headers={"Content-Type": "text/turtle"}).status_code
        == 200
    )


def test_graph_store_upload_of_the_bomb_is_400(tmp_path: Path) -> None:
    from kg.store import EmbeddedStore
    from server import create_app

    EmbeddedStore(tmp_path / "store")
    app = create_app({"STORE": str(tmp_path / "store"), "TESTING": True, "UPDATE_TOKEN": "t"})
    response = app.test_client().put(
        "/store?graph=urn:g",
        data=billion_laughs(),
        headers={"Authorization": "Bearer t", "Content-Type": "application/rdf+xml"},
    )
    assert response.status_code == 400 and "DTD" in response.get_data(as_text=True)
