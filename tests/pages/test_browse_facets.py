"""/browse: facets with counts that narrow, values that combine, paging, the JSON contract of
DESIGN.md, accessible HTML, and 400s that name the bad parameter."""

from __future__ import annotations

import re

from kg.indexes.facets import FACETS

SG = "https://w3id.org/sgkg/ontology/"
US = "https://w3id.org/sgkg/id/country/united-states"
JSON = {"Accept": "application/json"}


def browse(client, **params):  # type: ignore[no-untyped-def]
    response = client.get("/browse", query_string=params, headers=JSON)
    assert response.status_code == 200, response.text[:300]
    assert response.mimetype == "application/json"
    return response.get_json()


def counts(body, facet: str) -> dict[str, int]:  # type: ignore[no-untyped-def]
    return {v["value"]: v["count"] for v in body["facets"][facet]}


def test_json_contract(client) -> None:  # type: ignore[no-untyped-def]
    body = browse(client)
    assert {"total", "facets", "results"} <= set(body)
    assert body["total"] > 50
    with_counts = [name for name, values in body["facets"].items() if values]
    assert len(with_counts) >= 4
    assert set(body["facets"]) == {
        "type",
        "kind",
        "source",
        "actor",
        "commitment",
        "status",
        "condition",
    }
    for values in body["facets"].values():
        for value in values:
            assert set(value) == {"value", "label", "count"}
            assert value["count"] > 0 and value["label"]
    assert counts(body, "kind")[f"{SG}Prediction"] >= 3
    assert counts(body, "commitment") and counts(body, "status") and counts(body, "condition")
    assert len(body["results"]) == 20
    assert {"iri", "label", "url", "types"} <= set(body["results"][0])


def test_choosing_values_narrows(client) -> None:  # type: ignore[no-untyped-def]
    everything = browse(client)
    predictions = browse(client, kind="sg:Prediction")
    expected = counts(everything, "kind")[f"{SG}Prediction"]
    assert predictions["total"] == expected  # the count said what the choice gives
    assert all(r["kind"] == f"{SG}Prediction" for r in predictions["results"])
    # every other facet's counts narrow to these results
    for facet in ("actor", "source", "type"):
        narrowed = counts(predictions, facet)
        assert narrowed, facet
        for value, n in narrowed.items():
            assert n <= predictions["total"]
            assert n <= counts(everything, facet).get(value, 0)
    # the chosen facet keeps its alternatives (values within a facet are OR)
    assert len(counts(predictions, "kind")) > 1
    both = browse(client, kind=["sg:Prediction", "sg:Recommendation"])
    assert both["total"] == expected + counts(everything, "kind")[f"{SG}Recommendation"]
    # AND across facets: the predictions about one actor (the most frequent one)
    actor, n = max(counts(predictions, "actor").items(), key=lambda item: item[1])
    about = browse(client, kind="sg:Prediction", actor=actor)
    assert 0 < about["total"] == n <= predictions["total"]
    assert counts(browse(client, actor=US), "kind")  # the US appears in several kinds
    # a commitment type narrows to commitments and the claims about them
    reassurance = browse(client, commitment="sg:Reassurance")
    assert 0 < reassurance["total"] < everything["total"]


def test_paging(client) -> None:  # type: ignore[no-untyped-def]
    first = client.get("/browse?size=5", headers=JSON)
    second = client.get("/browse?size=5&page=2", headers=JSON)
    assert 'rel="next"' in first.headers["Link"]
    a = [r["iri"] for r in first.get_json()["results"]]
    b = [r["iri"] for r in second.get_json()["results"]]
    assert len(a) == len(b) == 5 and not set(a) & set(b)
    assert browse(client, kind="sg:Prediction", page=99)["results"] == []


def test_bad_parameters_are_400_naming_them(client) -> None:  # type: ignore[no-untyped-def]
    for query, named in (
        ("colour=red", "colour"),
        ("kind=%3Cscript%3E", "kind"),
        ("kind=nope:thing", "kind"),
        ("page=abc", "page"),
        ("page=0", "page"),
        ("size=1000", "size"),
    ):
        response = client.get("/browse?" + query, headers=JSON)
        assert response.status_code == 400, query
        assert named in response.get_json()["message"], query
        html = client.get("/browse?" + query, headers={"Accept": "text/html"})
        assert html.status_code == 400 and "<script>" not in html.text


def test_accessible_html(client) -> None:  # type: ignore[no-untyped-def]
    html = client.get("/browse?kind=sg:Prediction").text
    fieldsets = re.findall(r'<fieldset class="facet"[^>]*>\s*<legend>([^<]+)</legend>', html)
    assert "Kind of claim" in fieldsets and "Actor" in fieldsets and len(fieldsets) >= 4
    boxes = re.findall(r'<input type="checkbox" id="([^"]+)"', html)
    labels = set(re.findall(r'<label for="([^"]+)"', html))
    assert boxes and set(boxes) <= labels  # every checkbox has its label
    assert re.search(r'value="' + re.escape(SG) + r'Prediction" checked', html)
    assert 'role="status"' in html and "result" in html
    assert '<span class="visually-hidden"> results</span>' in html  # counts are announced
    assert 'class="badge k-prediction"' in html


def test_labels_are_escaped(hostile_client) -> None:  # type: ignore[no-untyped-def]
    html = hostile_client.get("/browse?type=sg:State").text
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


# --- the facet index (kg/indexes/facets/) ------------------------------------------------------

BASE = "https://w3id.org/sgkg/"


def _combinations(index) -> list[dict[str, list[str]]]:  # type: ignore[no-untyped-def]
    """States drawn from the data: one value, values OR-ed, facets AND-ed, an unknown value."""
    top = {f.name: [c.value for c in index.unfiltered[n]] for n, f in enumerate(FACETS)}
    return [
        {},
        {"kind": top["kind"][:1]},
        {"kind": top["kind"][:2], "actor": top["actor"][:1]},
        {"type": top["type"][:2], "source": top["source"][:1]},
        {"commitment": top["commitment"][:2], "status": top["status"][:1]},
        {"actor": top["actor"][:3], "condition": top["condition"][:1], "type": top["type"][:3]},
        {"kind": [f"{SG}NoSuchKind"], "source": top["source"][:1]},
    ]


def test_index_agrees_with_the_sparql_group_by(store) -> None:  # type: ignore[no-untyped-def]
    """The index's counts, totals and pages are those of the SPARQL definition on the built
    graph (universe ∩ each chosen facet's pattern, COUNT(DISTINCT ?item) GROUP BY ?v)."""
    from kg.indexes import facets as fi

    index = fi.FacetIndex(fi.ensure(store, BASE))
    agents = fi.agent_classes(store, BASE)
    assert index.items > 50
    for chosen in _combinations(index):
        state = index.state(chosen)
        got = state.counts(limit=10**6)
        for facet in FACETS:
            sparql = fi.counts_sparql(BASE, agents, chosen, facet.name)
            expected = {r["v"].value: int(r["n"].value) for r in store.query(sparql)}
            assert {c.value: c.count for c in got[facet.name]} == expected, (chosen, facet.name)
        matches = {r["item"].value for r in store.query(fi.matches_sparql(BASE, agents, chosen))}
        assert state.total() == len(matches), chosen
        paged = state.page(0, 10**6)
        assert len(paged) == len(set(paged)) and set(paged) == matches, chosen
        assert state.page(3, 4) == paged[3:7] and state.page(len(paged), 5) == []
    assert all(index.state(c).total() for c in _combinations(index)[1:-1])  # none empty


def test_index_is_per_version_built_once_and_rebuilt_when_stale(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import threading

    from kg.indexes import facets as fi
    from kg.indexes.facets import build
    from kg.store import EmbeddedStore
    from tests.pages.pages_fixture import BASE as FIXTURE_BASE
    from tests.pages.pages_fixture import build_store

    store = EmbeddedStore(build_store(tmp_path / "store"))
    built = []
    collect = build.collect
    monkeypatch.setattr(build, "collect", lambda *a: built.append(1) or collect(*a))
    # concurrent first uses: one build (under the lock), the others find it
    threads = [threading.Thread(target=fi.ensure, args=(store, FIXTURE_BASE)) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    first = fi.ensure(store, FIXTURE_BASE)
    assert built == [1] and first.is_file()
    assert not list(first.parent.glob(".*.tmp"))  # written aside, renamed into place
    states = fi.FacetIndex(first).state({"type": [f"{FIXTURE_BASE}ontology/State"]}).total()
    store.update(
        f"INSERT DATA {{ GRAPH <{FIXTURE_BASE}graph/entities> {{ "
        f"<{FIXTURE_BASE}id/country/new> a <{FIXTURE_BASE}ontology/State> }} }}"
    )
    stale = fi.index_path(store, FIXTURE_BASE)
    assert stale != first and not stale.exists()  # a new version: the old file is not used
    index = fi.open_index(store, FIXTURE_BASE)  # what the route calls: builds the new one
    assert index.path == stale and built == [1, 1]
    assert index.state({"type": [f"{FIXTURE_BASE}ontology/State"]}).total() == states + 1
    assert fi.open_index(store, FIXTURE_BASE) is index  # loaded once per process


def test_browse_runs_no_sparql_per_request(mini_client, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Once the index of the version exists, no combination asks the store a query."""
    from kg.store import EmbeddedStore

    first = browse(mini_client)
    assert first["total"] > 0

    def refuse(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise AssertionError("/browse ran a SPARQL query")

    monkeypatch.setattr(EmbeddedStore, "query", refuse)
    seen = set()
    for name, values in first["facets"].items():
        for value in values[:3]:
            body = browse(mini_client, **{name: value["value"]}, size=5)
            assert body["total"] == value["count"]
            seen.add(body["total"])
            for other, more in body["facets"].items():
                if other != name and more:
                    both = browse(mini_client, **{name: value["value"], other: more[0]["value"]})
                    assert both["total"] == more[0]["count"]
    assert len(seen) > 1
