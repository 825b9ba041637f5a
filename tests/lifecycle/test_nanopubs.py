"""Every claim is a real nanopublication: fetched from the server, ``nanopub-sign`` verifies it."""

from __future__ import annotations

import re
import urllib.request

import nanopub_sign

BASE = "https://w3id.org/sgkg/"
NP = "http://www.nanopub.org/nschema#"
TRUSTY = re.compile(rf"^{re.escape(BASE)}np/RA[A-Za-z0-9_-]{{43}}$")


def nanopub_iris(np_store) -> list[str]:
    rows = np_store.query(
        f"SELECT DISTINCT ?np WHERE {{ GRAPH ?h {{ ?np a <{NP}Nanopublication> }} }}"
    )
    return sorted(r["np"].value for r in rows)


def test_every_nanopub_fetched_from_the_app_passes_check(np_client, np_store) -> None:
    iris = nanopub_iris(np_store)
    assert len(iris) >= 90  # every claim of every source
    for iri in iris:
        assert TRUSTY.match(iri), iri
        response = np_client.get(
            iri.removeprefix(BASE[:-1]), headers={"Accept": "application/trig"}
        )
        assert response.status_code == 200, iri
        assert response.mimetype == "application/trig"
        checked = nanopub_sign.Nanopub(response.get_data(as_text=True)).check()
        info = checked.info()
        assert info["uri"]["value"] == iri
        assert info["assertion"]["value"] == iri + "/assertion"
        assert info["signature"]  # signed with the project key


def test_a_nanopub_holds_its_four_graphs_and_its_slug(np_client, np_store) -> None:
    import pyoxigraph as ox

    iri = nanopub_iris(np_store)[0]
    data = np_client.get(iri.removeprefix(BASE[:-1]) + ".trig").data
    graphs = {q.graph_name.value for q in ox.parse(data, format=ox.RdfFormat.TRIG)}
    assert graphs == {iri + g for g in ("/Head", "/assertion", "/provenance", "/pubinfo")}
    quads = ox.parse(data, format=ox.RdfFormat.TRIG)
    slugs = [q.object.value for q in quads if q.predicate.value.endswith("terms/identifier")]
    assert len(slugs) == 1 and re.fullmatch(r"[a-z]+-\d{3}", slugs[0])


def test_readable_aliases_redirect_to_the_nanopub(np_client) -> None:
    r = np_client.get("/id/nanopub/usg-001")
    assert r.status_code == 303
    target = r.headers["Location"]
    assert re.fullmatch(r"/np/RA[A-Za-z0-9_-]{43}", target)
    r = np_client.get("/graph/assertion/usg-001")
    assert r.status_code == 301 and r.headers["Location"] == target + "/assertion"
    assert (
        np_client.get("/graph/assertion/usg-001.ttl").headers["Location"].endswith("/assertion.ttl")
    )
    assert np_client.get("/id/nanopub/usg-999").status_code == 404
    assert np_client.get("/np/RAnot-a-trusty-code").status_code == 404


def test_claim_content_and_relations_use_the_nanopub_iris(np_store) -> None:
    rows = np_store.query(
        "SELECT ?a ?b WHERE { GRAPH <https://w3id.org/sgkg/graph/argument> { ?a ?p ?b } }"
    )
    pairs = [(r["a"].value, r["b"].value) for r in rows]
    assert pairs
    heads = set(nanopub_iris(np_store))
    for a, b in pairs:
        for x in (a, b):
            assert x.endswith("/assertion") and x.removesuffix("/assertion") in heads, x
    rows = np_store.query(
        "SELECT ?s WHERE { GRAPH ?g { ?s ?p ?o } FILTER(CONTAINS(STR(?s), '#claim')) }"
    )
    for r in rows:
        assert TRUSTY.match(r["s"].value.split("/assertion#")[0]), r["s"].value


def test_a_real_server_serves_nanopubs_that_pass_check(np_server, np_store) -> None:
    for iri in nanopub_iris(np_store):
        url = np_server.rstrip("/") + iri.removeprefix(BASE[:-1])
        req = urllib.request.Request(url, headers={"Accept": "application/trig"})
        with urllib.request.urlopen(req, timeout=30) as response:
            text = response.read().decode("utf-8")
        assert nanopub_sign.Nanopub(text).check().info()["uri"]["value"] == iri
