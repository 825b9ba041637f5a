"""Ontology documentation and shapes pages: content, conneg, alternates, 404s.

The pages run on a small store built here from the real ontology and shapes files plus a
few entities and a link graph, so that the tests do not depend on the whole article build.
"""

from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from markupsafe import escape
from rdflib import OWL, RDF, URIRef

from kg.rdfio import from_rdflib_term

BASE = "https://w3id.org/sgkg/"
SG = rdflib.Namespace(BASE + "ontology/")

SMALL_DATA = """
@prefix sg: <https://w3id.org/sgkg/ontology/> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix id: <https://w3id.org/sgkg/id/> .
<https://w3id.org/sgkg/graph/entities> {
  <https://w3id.org/sgkg/id/country/france> a sg:State ; rdfs:label "France"@en .
  <https://w3id.org/sgkg/id/country/ukraine> a sg:State ; rdfs:label "Ukraine"@en .
  <https://w3id.org/sgkg/id/country/united-kingdom> a sg:State ; rdfs:label "United Kingdom"@en .
  <https://w3id.org/sgkg/id/commitment/france-ukraine-defense> a sg:Commitment ;
    rdfs:label "France's defence commitment to Ukraine"@en ;
    sg:guarantor <https://w3id.org/sgkg/id/country/france> ;
    sg:beneficiary <https://w3id.org/sgkg/id/country/ukraine> ;
    sg:commitmentType sg:Defense .
}
<https://w3id.org/sgkg/graph/links/wikidata> {
  <https://w3id.org/sgkg/id/country/france> owl:sameAs <http://www.wikidata.org/entity/Q142> ;
    sg:iso3166Alpha2 "FR" ; sg:cowStateCode 220 .
  <https://w3id.org/sgkg/id/country/ukraine> owl:sameAs <http://www.wikidata.org/entity/Q212> ;
    sg:iso3166Alpha2 "UA" ; sg:cowStateCode 369 .
  <https://w3id.org/sgkg/id/country/united-kingdom>
    owl:sameAs <http://www.wikidata.org/entity/Q145> ;
    sg:iso3166Alpha2 "GB" .
}
"""


def ontology_files_graph() -> rdflib.Graph:
    """The ontology as the other engineer's loader gives it (or the files, parsed here)."""
    try:
        from kg.checks.ontology import load_ontology
    except ImportError:  # pragma: no cover - before kg.checks.ontology exists
        graph = rdflib.Graph()
        for path in sorted((Path(__file__).parents[2] / "ontology").glob("*.ttl")):
            graph.parse(path)
        return graph
    return load_ontology()


def shapes_files_graph() -> rdflib.Graph:
    try:
        from kg.checks.ontology import load_shapes
    except ImportError:  # pragma: no cover
        graph = rdflib.Graph()
        for path in sorted((Path(__file__).parents[2] / "shapes").glob("*.ttl")):
            graph.parse(path)
        return graph
    return load_shapes()


def build_small_store(path: Path):
    """An embedded store with graph/ontology, graph/shapes, entities and a link graph."""
    from kg.store import EmbeddedStore

    store = EmbeddedStore(path)
    with store.writer(fresh=True) as oxstore:
        for graph, name in ((ontology_files_graph(), "ontology"), (shapes_files_graph(), "shapes")):
            g = ox.NamedNode(f"{BASE}graph/{name}")
            oxstore.extend(
                ox.Quad(from_rdflib_term(s), from_rdflib_term(p), from_rdflib_term(o), g)
                for s, p, o in graph
            )
        oxstore.load(SMALL_DATA.encode(), format=ox.RdfFormat.TRIG)
    return store


@pytest.fixture(scope="module")
def small_store_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("docstore") / "store"
    build_small_store(path)
    return path


@pytest.fixture(scope="module")
def doc_app(small_store_dir: Path, tmp_path_factory: pytest.TempPathFactory):
    from server import create_app

    dumps = tmp_path_factory.mktemp("nodumps") / "dumps"
    return create_app({"STORE": str(small_store_dir), "TESTING": True, "DUMPS": str(dumps)})


@pytest.fixture()
def doc_client(doc_app):
    return doc_app.test_client()


HTML = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


def sg_classes() -> set[str]:
    graph = ontology_files_graph()
    return {
        str(c)[len(str(SG)) :]
        for c in graph.subjects(RDF.type, OWL.Class)
        if isinstance(c, URIRef) and str(c).startswith(str(SG))
    }


def test_ontology_page_lists_every_class(doc_client) -> None:
    response = doc_client.get("/ontology", headers=HTML)
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    assert "Accept" in response.headers["Vary"]
    html = response.get_data(as_text=True)
    classes = sg_classes()
    assert len(classes) > 20
    for name in classes:
        assert f'id="{name}"' in html, name
        assert f'href="/ontology/{name}"' in html, name
    for anchor in ("#class", "#object", "#datatype", "#scheme", "#namespaces"):
        assert f'href="{anchor}"' in html  # table of contents
    assert "https://w3id.org/sgkg/ontology/" in html  # version IRI / namespace
    assert "creativecommons.org/licenses/by/4.0" in html
    assert "Cite as" in html


def test_ontology_rdf_by_conneg_and_suffix(doc_client) -> None:
    expected = ontology_files_graph()
    for accept, fmt in (
        ("text/turtle", "turtle"),
        ("application/rdf+xml", "xml"),
        ("application/n-triples", "nt"),
        ("application/ld+json", "json-ld"),
    ):
        response = doc_client.get("/ontology", headers={"Accept": accept})
        assert response.status_code == 200, accept
        assert response.mimetype == accept
        assert "Accept" in response.headers["Vary"]
        graph = rdflib.Graph().parse(data=response.data, format=fmt)
        assert len(graph) == len(expected), accept
        assert (URIRef(BASE + "ontology"), RDF.type, OWL.Ontology) in graph
    for suffix, fmt in (("ttl", "turtle"), ("rdf", "xml"), ("nt", "nt"), ("jsonld", "json-ld")):
        response = doc_client.get(f"/ontology.{suffix}")
        assert response.status_code == 200
        graph = rdflib.Graph().parse(data=response.data, format=fmt)
        assert (SG.State, rdflib.RDFS.subClassOf, SG.Agent) in graph
    # a client that accepts anything gets Turtle, not HTML
    assert doc_client.get("/ontology", headers={"Accept": "*/*"}).mimetype == "text/turtle"
    assert doc_client.get("/ontology", headers={"Accept": "image/png"}).status_code == 406


def test_term_page_shows_definition_labels_superclass_shapes_count(doc_client) -> None:
    response = doc_client.get("/ontology/State", headers=HTML)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    graph = ontology_files_graph()
    definition = str(graph.value(SG.State, rdflib.SKOS.definition))
    assert str(escape(definition)) in html
    labels = {lit.language: str(lit) for lit in graph.objects(SG.State, rdflib.RDFS.label)}
    assert {"en", "uk", "fr"} <= set(labels)
    for lang in ("en", "uk", "fr"):
        assert re.search(rf'lang="{lang}">{re.escape(str(escape(labels[lang])))}<', html), lang
    assert 'href="/ontology/Agent"' in html  # superclass, linked on our origin
    assert "Superclasses" in html
    shapes = shapes_files_graph()
    state_shapes = {
        str(s)
        for s in shapes.subjects(rdflib.URIRef("http://www.w3.org/ns/shacl#targetClass"), SG.State)
    }
    assert state_shapes
    for shape in state_shapes:
        assert f'href="/shapes/{shape.rsplit("/", 1)[1]}"' in html
    # three states in the small store
    assert re.search(r'<strong class="count">3</strong>', html)
    assert response.headers["Link"].count('rel="alternate"') >= 4
    assert '<link rel="alternate" type="text/turtle" href="/ontology/State.ttl">' in html
    assert '<script type="application/ld+json">' in html


def test_term_alignments_and_properties_in_domain(doc_client) -> None:
    html = doc_client.get("/ontology/Coalition", headers=HTML).get_data(as_text=True)
    assert "org:OrganizationalCollaboration" in html
    assert 'href="http://www.w3.org/ns/org#OrganizationalCollaboration"' in html
    html = doc_client.get("/ontology/Commitment", headers=HTML).get_data(as_text=True)
    assert "In the domain of" in html
    assert 'href="/ontology/guarantor"' in html
    html = doc_client.get("/ontology/guarantor", headers=HTML).get_data(as_text=True)
    assert "functional" in html
    assert "Domain" in html and 'href="/ontology/Commitment"' in html
    assert re.search(r'Triples using it</dt><dd><strong class="count">1</strong>', html)


def test_concept_scheme_lists_members_with_notations(doc_client) -> None:
    graph = ontology_files_graph()
    html = doc_client.get("/ontology/CommitmentTypes", headers=HTML).get_data(as_text=True)
    assert "Concepts in this scheme" in html
    members = set(graph.subjects(rdflib.SKOS.inScheme, SG.CommitmentTypes))
    assert SG.Defense in members
    for member in members:
        assert f'href="/ontology/{str(member).rsplit("/", 1)[1]}"' in html
    notation = str(graph.value(SG.Defense, rdflib.SKOS.notation))
    assert f'<span class="notation">{notation}</span>' in html


def test_term_rdf_by_conneg(doc_client) -> None:
    response = doc_client.get("/ontology/State", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    assert "Accept" in response.headers["Vary"]
    graph = rdflib.Graph().parse(data=response.data, format="turtle")
    assert (SG.State, rdflib.RDFS.subClassOf, SG.Agent) in graph
    assert {s for s in graph.subjects() if isinstance(s, URIRef)} == {SG.State}
    response = doc_client.get("/ontology/Defense.jsonld")
    assert response.mimetype == "application/ld+json"
    graph = rdflib.Graph().parse(data=response.data, format="json-ld")
    assert (SG.Defense, rdflib.SKOS.inScheme, SG.CommitmentTypes) in graph


def test_unknown_term_is_404_offering_search(doc_client) -> None:
    response = doc_client.get("/ontology/NoSuchTerm", headers=HTML)
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert 'action="/search"' in html
    assert "NoSuchTerm" in html
    assert "Traceback" not in html
    assert (
        doc_client.get("/ontology/NoSuchTerm", headers={"Accept": "text/turtle"}).status_code == 404
    )


def test_shapes_list_and_shape_page(doc_client) -> None:
    shapes = shapes_files_graph()
    sh = rdflib.Namespace("http://www.w3.org/ns/shacl#")
    named = {
        str(s).rsplit("/", 1)[1]
        for s in shapes.subjects(RDF.type, sh.NodeShape)
        if isinstance(s, URIRef) and str(s).startswith(BASE + "shapes/")
    }
    assert named
    html = doc_client.get("/shapes", headers=HTML).get_data(as_text=True)
    for name in named:
        assert f'href="/shapes/{name}"' in html, name
    assert "1..1" in html  # the guarantor cardinality
    # a shape with a SHACL-SPARQL constraint shows its query escaped in a <pre>
    with_sparql = sorted(
        str(s)
        for s, c in shapes.subject_objects(sh.sparql)
        if isinstance(s, URIRef) and str(s).startswith(BASE + "shapes/")
    )
    assert with_sparql
    shape_iri = with_sparql[0]
    select = str(
        next(shapes.objects(next(shapes.objects(URIRef(shape_iri), sh.sparql)), sh.select))
    )
    response = doc_client.get("/shapes/" + shape_iri.rsplit("/", 1)[1], headers=HTML)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<pre><code>" in html
    first_line = next(line.strip() for line in select.splitlines() if line.strip())
    assert str(escape(first_line)) in html
    assert "<" not in first_line or str(escape(first_line)) != first_line
    response = doc_client.get("/shapes/CommitmentShape", headers={"Accept": "text/turtle"})
    graph = rdflib.Graph().parse(data=response.data, format="turtle")
    assert (URIRef(BASE + "shapes/CommitmentShape"), sh.targetClass, SG.Commitment) in graph
    assert doc_client.get("/shapes/Nope", headers=HTML).status_code == 404
