"""/search: ranking, accents and case, every language, alt labels, type filter, JSON, pages."""

from __future__ import annotations

from tests.pages.pages_fixture import BASE

JSON = {"Accept": "application/json"}


def iris(client, query: str, **params) -> list[str]:
    r = client.get("/search", query_string={"q": query, **params}, headers=JSON)
    assert r.status_code == 200
    assert r.mimetype == "application/json"
    return [hit["iri"] for hit in r.json]


def test_json_shape(mini_client):
    r = mini_client.get("/search?q=France", headers=JSON)
    hit = r.json[0]
    assert set(hit) == {"iri", "label", "lang", "types", "score", "url"}
    assert hit["iri"] == f"{BASE}id/country/france"
    assert hit["url"] == "/id/country/france"
    assert hit["types"] == [f"{BASE}ontology/State"]
    assert r.headers["X-Total-Count"] == str(len(r.json))
    assert "Accept" in r.headers["Vary"]


def test_exact_beats_prefix_beats_contains(mini_client):
    # "france": exact label of France; prefix of nothing else; "Françafrique" starts "franc"
    hits = iris(mini_client, "franc")
    # both are prefix matches of a State: the shorter label first
    assert hits[:2] == [f"{BASE}id/country/france", f"{BASE}id/country/francia-fictional"]
    by_iri = {h["iri"]: h["score"] for h in mini_client.get("/search?q=ukraine", headers=JSON).json}
    exact = by_iri[f"{BASE}id/country/ukraine"]
    word = by_iri[f"{BASE}id/guarantee/postwar-guarantees"]  # "…for Ukraine"
    inside = mini_client.get("/search?q=kraine", headers=JSON).json[0]["score"]
    assert exact > word > inside
    exact = iris(mini_client, "france")
    assert exact[0] == f"{BASE}id/country/france"
    scores = [h["score"] for h in mini_client.get("/search?q=ukraine", headers=JSON).json]
    assert scores == sorted(scores, reverse=True)
    ukraine = iris(mini_client, "ukraine")
    assert ukraine[0] == f"{BASE}id/country/ukraine"  # exact, before "…for Ukraine"
    assert f"{BASE}id/guarantee/postwar-guarantees" in ukraine


def test_accent_and_case_insensitive_in_every_language(mini_client):
    assert f"{BASE}id/country/francia-fictional" in iris(mini_client, "FRANCAFRIQUE")
    assert f"{BASE}ontology/State" in iris(mini_client, "etat")
    assert iris(mini_client, "україна")[0] == f"{BASE}id/country/ukraine"
    assert iris(mini_client, "frankreich")[0] == f"{BASE}id/country/france"


def test_alt_labels_are_searched(mini_client):
    assert iris(mini_client, "washington")[0] == f"{BASE}id/country/united-states"


def test_type_filter(mini_client):
    everything = iris(mini_client, "ukraine")
    states = iris(mini_client, "ukraine", type="State")
    assert states == [f"{BASE}id/country/ukraine"]
    assert len(everything) > len(states)
    assert iris(mini_client, "ukraine", type="sg:SecurityGuarantee") == [
        f"{BASE}id/guarantee/postwar-guarantees"
    ]


def test_paging(big_client):
    first = big_client.get("/search?q=generated&size=50", headers=JSON)
    assert first.headers["X-Total-Count"] == "130"
    assert len(first.json) == 50
    assert 'rel="next"' in first.headers["Link"]
    third = big_client.get("/search?q=generated&size=50&page=3", headers=JSON)
    assert len(third.json) == 30 and "Link" not in third.headers
    seen = {h["iri"] for h in first.json} | {h["iri"] for h in third.json}
    assert len(seen) == 80
    html = big_client.get("/search?q=generated").text
    assert "130 results" in html and 'rel="next"' in html


def test_html_results_and_empty_query(mini_client):
    html = mini_client.get("/search?q=etat").text
    assert 'href="/ontology/State"' in html
    assert '<label for="q">' in html and '<label for="type"' in html
    assert mini_client.get("/search").status_code == 200
    assert mini_client.get("/search?q=", headers=JSON).json == []
    assert mini_client.get("/search?q=zzzzqqq", headers=JSON).json == []
