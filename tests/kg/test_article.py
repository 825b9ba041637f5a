"""The article as a knowledge graph: coverage, atomicity, honesty of kinds and attribution,
the nanopublication structure, and the content model's hard cases (endorsers, the 26
unnamed nations, the declined US ground troops, the facts-only view)."""

from __future__ import annotations

from collections import defaultdict

import pyoxigraph as ox
import pytest
import rdflib
from rdflib import RDF, RDFS, Literal, URIRef

from kg.rdfio import from_rdflib
from kg.sources import DEFAULT_BASE_IRI, compile_dataset, compile_sources, source_text

B = DEFAULT_BASE_IRI
SG = rdflib.Namespace(B + "ontology/")
PROV = rdflib.Namespace("http://www.w3.org/ns/prov#")
OA = rdflib.Namespace("http://www.w3.org/ns/oa#")
NP = rdflib.Namespace("http://www.nanopub.org/nschema#")
DCTERMS = rdflib.Namespace("http://purl.org/dc/terms/")
SCHEMA = rdflib.Namespace("https://schema.org/")
SLUG = "ukraine-security-guarantees"
DOC = URIRef(B + "id/document/" + SLUG)
AUTHOR = URIRef(B + "id/person/arshad-mahmood-awan")
US = URIRef(B + "id/country/united-states")
UA = URIRef(B + "id/country/ukraine")
COALITION = URIRef(B + "id/coalition/26-nation-coalition")
GUARANTEE = URIRef(B + "id/guarantee/ukraine-postwar-security-guarantees")
FACTS_VIEW = (
    "PREFIX sg: <https://w3id.org/sgkg/ontology/> "
    "CONSTRUCT { ?s ?p ?o } WHERE { ?g sg:kind sg:ReportedFact . GRAPH ?g { ?s ?p ?o } }"
)


@pytest.fixture(scope="module")
def article():
    (compiled,) = compile_sources([SLUG])
    return compiled


@pytest.fixture(scope="module")
def ds() -> rdflib.Dataset:
    return compile_dataset()


@pytest.fixture(scope="module")
def union(ds: rdflib.Dataset) -> rdflib.Graph:
    g = rdflib.Graph()
    for s, p, o, _ in ds.quads((None, None, None, None)):
        g.add((s, p, o))
    return g


@pytest.fixture(scope="module")
def memory(ds: rdflib.Dataset) -> ox.Store:
    store = ox.Store()
    store.extend(list(from_rdflib(ds)))
    return store


def graph(ds: rdflib.Dataset, iri: str) -> rdflib.Graph:
    return ds.graph(URIRef(iri))


def assertion_iris(ds: rdflib.Dataset) -> list[str]:
    """The assertion graphs of the nanopubs (``{base}np/RA…/assertion``), in slug order."""
    by_slug = {}
    for np_, _, a, _g in ds.quads((None, NP.hasAssertion, None, None)):
        (slug,) = {str(q[2]) for q in ds.quads((np_, DCTERMS.identifier, None, None))}
        by_slug[slug] = str(a)
    return [by_slug[s] for s in sorted(by_slug)]


def slug_of(ds: rdflib.Dataset, assertion: str) -> str:
    nanopub = URIRef(assertion.removesuffix("/assertion"))
    return str(next(q[2] for q in ds.quads((nanopub, DCTERMS.identifier, None, None))))


def kinds(union: rdflib.Graph) -> dict[str, URIRef]:
    return {str(a): k for a, k in union.subject_objects(SG.kind)}


def graphs_quoting(union: rdflib.Graph, exact: str) -> list[str]:
    """Assertions whose oa:exact is ``exact``."""
    out = []
    for sel in union.subjects(OA.exact, Literal(exact, datatype=rdflib.XSD.string)):
        for res in union.subjects(OA.hasSelector, sel):
            out += [str(a) for a in union.subjects(PROV.wasQuotedFrom, res)]
    return out


# ---------------------------------------------------------------------------- coverage
def test_every_body_sentence_is_quoted_by_an_assertion(article) -> None:
    assert len(article.source.segmented.sentences) == 42
    assert len(article.source.segmented.paragraphs) == 8
    assert article.uncovered == []


def test_page_furniture_is_never_quoted(article) -> None:
    for claim in article.claims:
        assert claim.sentence is not None, claim.slug
    for furniture in ("Republic Policy", "Leave a Comment", "Latest Videos", "[post-views]"):
        assert not any(furniture in c.quote for c in article.claims)


def test_slugs_are_numbered_in_document_order(ds: rdflib.Dataset, article) -> None:
    slugs = [slug_of(ds, a) for a in assertion_iris(ds)]
    usg = [s for s in slugs if s.startswith("usg-")]
    assert usg == [f"usg-{n:03d}" for n in range(1, len(usg) + 1)]
    starts = [c.start for c in sorted(article.claims, key=lambda c: c.slug)]
    assert starts == sorted(starts)
    assert len(usg) >= 80


# ---------------------------------------------------------------------------- nanopubs
def test_every_assertion_has_all_four_graphs(ds: rdflib.Dataset) -> None:
    iris = assertion_iris(ds)
    assert len(iris) >= 80
    for a in iris:
        np_iri = a.removesuffix("/assertion")  # {base}np/RA…: the Trusty URI (issue 12)
        assert np_iri.startswith(B + "np/RA") and len(np_iri) == len(B + "np/") + 45, a
        slug, nanopub = slug_of(ds, a), URIRef(np_iri)
        content = graph(ds, a)
        prov = graph(ds, np_iri + "/provenance")
        info = graph(ds, np_iri + "/pubinfo")
        head = graph(ds, np_iri + "/Head")
        assert len(content) > 0, f"{slug}: empty assertion graph"
        assert (URIRef(a), RDF.type, SG.Assertion) in prov
        assert (nanopub, RDF.type, NP.Nanopublication) in head
        assert (nanopub, NP.hasAssertion, URIRef(a)) in head
        assert (nanopub, NP.hasProvenance, URIRef(np_iri + "/provenance")) in head
        assert (nanopub, NP.hasPublicationInfo, URIRef(np_iri + "/pubinfo")) in head
        assert (nanopub, PROV.wasAttributedTo, URIRef(B + "id/organisation/sgkg-project")) in info
        assert info.value(nanopub, SG.sha256) is not None
        assert info.value(nanopub, rdflib.URIRef("http://purl.org/dc/terms/created")) is not None
        # provenance never leaks into the content graph
        assert (URIRef(a), SG.kind, None) not in content


def test_provenance_quotes_the_document_with_both_selectors(ds: rdflib.Dataset) -> None:
    text = source_text(SLUG)
    for a in assertion_iris(ds):
        if not slug_of(ds, a).startswith("usg-"):
            continue  # the article's claims
        prov = graph(ds, a.removesuffix("/assertion") + "/provenance")
        node = URIRef(a)
        assert prov.value(node, SG.sourceDocument) == DOC
        assert prov.value(node, SCHEMA.appearance) == DOC
        assert prov.value(node, SG.paragraph).datatype == rdflib.XSD.integer
        assert prov.value(node, SG.sentence).datatype == rdflib.XSD.integer
        assert list(prov.objects(node, SG.about)), f"{a}: no sg:about"
        resource = prov.value(node, PROV.wasQuotedFrom)
        assert (resource, RDF.type, OA.SpecificResource) in prov
        assert prov.value(resource, OA.hasSource) == DOC
        selectors = list(prov.objects(resource, OA.hasSelector))
        by_type = {prov.value(s, RDF.type): s for s in selectors}
        quote, pos = by_type[OA.TextQuoteSelector], by_type[OA.TextPositionSelector]
        start, end = int(prov.value(pos, OA.start)), int(prov.value(pos, OA.end))
        assert text[start:end] == str(prov.value(quote, OA.exact))


def test_attribution_follows_the_kind(union: rdflib.Graph) -> None:
    article_kinds = {
        a: k for a, k in kinds(union).items() if union.value(URIRef(a), SG.sourceDocument) == DOC
    }
    for a, kind in article_kinds.items():
        attributed = set(union.objects(URIRef(a), PROV.wasAttributedTo))
        speakers = set(union.objects(URIRef(a), SG.reportedSpeaker))
        if kind == SG.ReportedFact:
            assert attributed == {DOC}, a
        else:
            assert attributed == {AUTHOR}, a
            assert not speakers, f"{a}: only reported facts have a reported speaker"
    assert len(set(article_kinds.values())) >= 5


@pytest.mark.parametrize(
    ("exact", "kind"),
    [
        (
            "The symbolism is clear: Europe and its partners will not allow Ukraine to stand "
            "alone again",
            "AuthorAssessment",
        ),
        ("President Trump’s administration has promised air support", "ReportedFact"),
        ("Russia is unlikely to be intimidated by promises", "Prediction"),
        (
            "If implemented effectively, the reassurance force could mark the first real step "
            "toward a post-American European defence architecture",
            "Conditional",
        ),
        (
            "Washington, meanwhile, must decide whether to remain a cautious supporter or to "
            "embrace the role of guarantor",
            "Recommendation",
        ),
        ("Ukraine itself must weigh the guarantees carefully", "Recommendation"),
    ],
)
def test_kinds_are_honest(union: rdflib.Graph, exact: str, kind: str) -> None:
    found = graphs_quoting(union, exact)
    assert len(found) == 1, exact
    assert kinds(union)[found[0]] == SG[kind]


def test_the_us_promise_reports_the_administration(union: rdflib.Graph) -> None:
    (a,) = graphs_quoting(union, "President Trump’s administration has promised air support")
    assert union.value(URIRef(a), SG.reportedSpeaker) == URIRef(
        B + "id/government/trump-administration"
    )


# ---------------------------------------------------------------------------- content model
def test_the_four_endorsers_are_four_assertions(ds: rdflib.Dataset) -> None:
    endorsing: dict[str, set] = defaultdict(set)
    for s, _, o, g in ds.quads((None, SG.endorsedBy, None, None)):
        assert s == GUARANTEE
        endorsing[str(g.identifier if hasattr(g, "identifier") else g)].add(o)
    assert len(endorsing) == 4
    assert all(len(v) == 1 for v in endorsing.values())
    endorsers = set().union(*endorsing.values())
    assert endorsers == {
        URIRef(B + "id/group/major-european-powers"),
        URIRef(B + "id/country/canada"),
        URIRef(B + "id/country/japan"),
        URIRef(B + "id/country/australia"),
    }


def test_major_european_powers_stay_an_unnamed_group(union: rdflib.Graph) -> None:
    group = URIRef(B + "id/group/major-european-powers")
    assert (group, RDF.type, SG.Group) in union
    assert not list(union.objects(group, SG.hasMember))
    assert not list(union.subjects(SG.memberOf, group))


def test_26_nations_is_a_count_with_no_member_list(union: rdflib.Graph) -> None:
    assert (COALITION, RDF.type, SG.Coalition) in union
    assert set(union.objects(COALITION, SG.memberCount)) == {
        Literal("26", datatype=rdflib.XSD.integer)
    }
    org = rdflib.Namespace("http://www.w3.org/ns/org#")
    for p in (SG.hasMember, org.hasMember, org.member):
        assert not list(union.objects(COALITION, p))
    for p in (SG.memberOf, org.memberOf):
        assert not list(union.subjects(p, COALITION))


def test_us_ground_troops_is_a_declined_commitment(memory: ox.Store) -> None:
    rows = list(
        memory.query(
            """PREFIX sg: <https://w3id.org/sgkg/ontology/>
            SELECT ?c ?g ?speaker WHERE { GRAPH ?g {
                ?c sg:guarantor <https://w3id.org/sgkg/id/country/united-states> ;
                   sg:beneficiary <https://w3id.org/sgkg/id/country/ukraine> ;
                   sg:commitmentType sg:GroundTroops ; sg:status ?status }
              ?g sg:kind sg:ReportedFact ; sg:reportedSpeaker ?speaker .
              FILTER(?status = sg:Declined) }""",
            use_default_graph_as_union=True,
        )
    )
    assert len(rows) == 1
    assert rows[0]["speaker"].value == B + "id/government/trump-administration"
    promised = memory.query(
        "PREFIX sg: <https://w3id.org/sgkg/ontology/> SELECT DISTINCT ?t WHERE { "
        "?c sg:guarantor <https://w3id.org/sgkg/id/country/united-states> ; "
        "sg:status sg:Promised ; sg:commitmentType ?t }",
        use_default_graph_as_union=True,
    )
    assert {r["t"].value for r in promised} == {
        B + "ontology/AirSupport",
        B + "ontology/IntelligenceSharing",
    }


def test_facts_only_view_excludes_every_assessment(
    ds: rdflib.Dataset, union: rdflib.Graph, memory: ox.Store
) -> None:
    facts = {
        (t.subject.value, t.predicate.value, t.object.value)
        for t in memory.query(FACTS_VIEW, use_default_graph_as_union=True)
    }
    by_kind: dict[URIRef, set] = defaultdict(set)
    for a, kind in kinds(union).items():
        for s, p, o in graph(ds, a):
            by_kind[kind].add((str(s), str(p), str(o)))
    assert facts == by_kind[SG.ReportedFact]
    others = set().union(*(v for k, v in by_kind.items() if k != SG.ReportedFact))
    assert facts.isdisjoint(others - by_kind[SG.ReportedFact])
    assessment_only = by_kind[SG.AuthorAssessment] - by_kind[SG.ReportedFact]
    assert len(assessment_only) > 40
    # every assessment graph contributes something the view leaves out
    for a, kind in kinds(union).items():
        if kind == SG.AuthorAssessment:
            triples = {(str(s), str(p), str(o)) for s, p, o in graph(ds, a)}
            assert triples - facts, f"{a} is fully inside the facts view"


def test_activation_condition_of_the_reassurance_force(union: rdflib.Graph) -> None:
    force = URIRef(B + "id/commitment/coalition-reassurance-force")
    act = URIRef(B + "id/condition/once-hostilities-cease")
    assert (force, SG.hasCondition, act) in union
    assert (act, RDF.type, SG.ActivationCondition) in union
    assert {str(t) for t in union.objects(act, SG.conditionText)} >= {
        "once the guns fall silent",
        "once hostilities cease",
    }
    reassurance = URIRef(B + "id/force/reassurance-force")
    assert set(union.objects(reassurance, SG.operatesIn)) == {SG.Land, SG.Sea, SG.Air}


def test_without_us_backing_has_one_kind(ds: rdflib.Dataset, union: rdflib.Graph) -> None:
    """docs/encoding-rules.md: "without …" is a conditional (sg:inAbsenceOf), or the question
    that asks it; never a dependency condition hung on a commitment."""
    found = 0
    for _s, _p, _o, g in ds.quads((None, SG.inAbsenceOf, None, None)):
        assertion = g.identifier if hasattr(g, "identifier") else g
        kind = union.value(URIRef(str(assertion)), SG.kind)
        assert kind in {SG.Conditional, SG.RhetoricalQuestion}, (assertion, kind)
        found += 1
    assert found >= 4
    assert not list(union.subjects(RDF.type, SG.DependencyCondition)) or all(
        union.value(c, SG.dependsOn) is not None
        for c in union.subjects(RDF.type, SG.DependencyCondition)
    )


def test_invasion_event(union: rdflib.Graph) -> None:
    inv = URIRef(B + "id/event/russian-full-scale-invasion-2022")
    assert (inv, RDF.type, SG.Invasion) in union
    assert union.value(inv, SG.aggressor) == URIRef(B + "id/country/russia")
    assert union.value(inv, SG.target) == UA
    assert union.value(inv, SG.startYear) == Literal("2022", datatype=rdflib.XSD.gYear)


# ---------------------------------------------------------------------------- entities
def test_every_entity_used_is_typed_labelled_and_derived(ds: rdflib.Dataset) -> None:
    entities = graph(ds, B + "graph/entities")
    documents = set(graph(ds, B + "graph/sources").subjects(RDF.type, SG.SourceDocument))
    used = set()
    for a in assertion_iris(ds):
        for s, _, o in graph(ds, a):
            used |= {t for t in (s, o) if isinstance(t, URIRef) and str(t).startswith(B + "id/")}
    assert used
    for iri in used:
        assert entities.value(iri, RDF.type) is not None, iri
        assert any(label.language == "en" for label in entities.objects(iri, RDFS.label)), iri
        assert set(entities.objects(iri, PROV.wasDerivedFrom)) & documents, iri


def test_states_have_english_ukrainian_and_french_names(ds: rdflib.Dataset) -> None:
    entities = graph(ds, B + "graph/entities")
    states = set(entities.subjects(RDF.type, SG.State))
    assert len(states) == 10  # nine the article names, and Italy (the agreement)
    for state in states | {
        URIRef(B + "id/organisation/nato"),
        URIRef(B + "id/organisation/european-union"),
    }:
        assert {label.language for label in entities.objects(state, RDFS.label)} >= {
            "en",
            "uk",
            "fr",
        }


def test_sources_graph_holds_the_text_and_its_hash(ds: rdflib.Dataset) -> None:
    sources = graph(ds, B + "graph/sources")
    assert str(sources.value(DOC, SG.sourceText)) == source_text(SLUG)
    assert sources.value(DOC, rdflib.URIRef("http://purl.org/dc/terms/creator")) == AUTHOR
    assert (DOC, RDF.type, SG.OpinionArticle) in sources


# ---------------------------------------------------------------------------- compile
def test_compile_rewrites_the_base_iri() -> None:
    other = "http://localhost:5000/"
    ds = compile_dataset(other)
    iris = {
        str(t) for q in ds.quads((None, None, None, None)) for t in q[:3] if isinstance(t, URIRef)
    }
    assert not any(i.startswith(B) for i in iris)
    assert other + "ontology/ReportedFact" in iris
    assert any(str(c.identifier).startswith(other + "np/RA") for c in ds.graphs())
