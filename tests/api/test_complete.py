"""/api/complete: classes, properties, entities (by label) and prefixes from our data."""

from __future__ import annotations


def test_commit_offers_the_commitment_class(client) -> None:  # type: ignore[no-untyped-def]
    hits = client.get("/api/complete?q=Commit").get_json()
    assert hits[0]["curie"] == "sg:Commitment"
    assert hits[0]["kind"] == "class"
    assert set(hits[0]) == {"iri", "curie", "label", "kind"}


def test_kinds_curies_iris_labels_and_prefixes(client) -> None:  # type: ignore[no-untyped-def]
    classes = client.get("/api/complete?q=sg:Commit&kind=class").get_json()
    assert classes and all(h["kind"] == "class" for h in classes)
    props = client.get("/api/complete?q=guarant&kind=property").get_json()
    assert "sg:guarantor" in [h["curie"] for h in props]
    by_iri = client.get(
        "/api/complete", query_string={"q": "https://w3id.org/sgkg/ontology/guarantor"}
    ).get_json()
    assert by_iri[0]["curie"] == "sg:guarantor"
    entities = client.get("/api/complete?q=fran&kind=entity").get_json()
    assert "https://w3id.org/sgkg/id/country/france" in [h["iri"] for h in entities]
    prefixes = client.get("/api/complete?q=pro&kind=prefix").get_json()
    assert prefixes[0]["curie"] == "prov:"
    assert len(client.get("/api/complete?q=s&limit=3").get_json()) <= 3


def test_bad_requests_are_400(client) -> None:  # type: ignore[no-untyped-def]
    for query in ("", "q=", "q=x&kind=thing", "q=x&limit=0", "q=x&limit=abc", "q=" + "a" * 201):
        response = client.get("/api/complete?" + query)
        assert response.status_code == 400, query
        assert response.get_json()["message"]
