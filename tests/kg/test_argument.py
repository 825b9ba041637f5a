"""The argument layer of the curated graph (issue 8): every author's claim is structured, the
relations between claims hold, and the statements the audit found unsupported are gone.

The store is the compiled dataset (``compile_dataset()``) in an in-memory pyoxigraph store,
queried with SPARQL over the named graphs: an assertion is the IRI of its graph, its kind and
quote are in its provenance graph, the relations between assertions in ``graph/argument``.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg import paths
from kg.rdfio import from_rdflib
from kg.sources import compile_dataset

SG = "https://w3id.org/sgkg/ontology/"
ID = "https://w3id.org/sgkg/id/"
ARTICLE = ID + "document/ukraine-security-guarantees"
PREFIXES = f"""
PREFIX sg: <{SG}>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX oa: <http://www.w3.org/ns/oa#>
PREFIX country: <{ID}country/>
PREFIX person: <{ID}person/>
PREFIX guarantee: <{ID}guarantee/>
PREFIX commitment: <{ID}commitment/>
PREFIX condition: <{ID}condition/>
PREFIX factor: <{ID}factor/>
PREFIX concept: <{ID}concept/>
PREFIX group: <{ID}group/>
"""
AUTHOR_KINDS = (
    "AuthorAssessment",
    "Prediction",
    "Conditional",
    "Recommendation",
    "RhetoricalQuestion",
)
RELATIONS = (
    "supportsClaim",
    "attacksClaim",
    "qualifiesClaim",
    "answersQuestion",
    "elaboratesClaim",
)
CONTENT_CLASSES = (
    "Evaluation",
    "CausalClaim",
    "DependencyClaim",
    "Expectation",
    "Prescription",
    "Characterisation",
    "Question",
    "Intention",
    "UnstructuredClaim",
)


@pytest.fixture(scope="module")
def store() -> ox.Store:
    store = ox.Store()
    store.extend(list(from_rdflib(compile_dataset())))
    return store


def select(store: ox.Store, query: str, union: bool = True) -> list[dict[str, str]]:
    result = store.query(PREFIXES + query, use_default_graph_as_union=union)
    names = [v.value for v in result.variables]
    return [{n: (row[n].value if row[n] is not None else None) for n in names} for row in result]


def ask(store: ox.Store, query: str) -> bool:
    return bool(store.query(PREFIXES + query, use_default_graph_as_union=True))


def values(*names: str) -> str:
    return " ".join(f"sg:{n}" for n in names)


# ---------------------------------------------------------------- every claim structured


def test_at_most_four_free_text_assertions_per_source_each_with_a_reason(store) -> None:
    rows = select(
        store,
        """SELECT ?assertion ?doc ?reason WHERE {
             ?assertion sg:sourceDocument ?doc .
             GRAPH ?assertion { ?claim a sg:UnstructuredClaim }
             OPTIONAL { ?assertion sg:freeTextReason ?reason }
           }""",
    )
    per_source = Counter(r["doc"] for r in rows)
    assert all(n <= 4 for n in per_source.values()), per_source
    assert all(r["reason"] for r in rows), [r["assertion"] for r in rows if not r["reason"]]
    # and the other way round: a reason is only given for an unstructured claim
    reasons = select(store, "SELECT ?assertion WHERE { ?assertion sg:freeTextReason ?reason }")
    assert {r["assertion"] for r in reasons} == {r["assertion"] for r in rows}


def test_the_article_has_no_free_text_claim(store) -> None:
    assert not ask(
        store,
        f"""ASK {{ ?a sg:sourceDocument <{ARTICLE}> ; sg:freeTextReason ?reason }}""",
    )


def test_every_author_claim_has_exactly_one_claim_content(store) -> None:
    rows = select(
        store,
        f"""SELECT ?assertion (COUNT(DISTINCT ?content) AS ?contents) WHERE {{
              ?assertion sg:kind ?kind .
              VALUES ?kind {{ {values(*AUTHOR_KINDS)} }}
              OPTIONAL {{
                GRAPH ?assertion {{ ?content a ?class }}
                VALUES ?class {{ {values(*CONTENT_CLASSES)} }}
              }}
            }} GROUP BY ?assertion""",
    )
    assert len(rows) >= 50
    wrong = [r["assertion"] for r in rows if r["contents"] != "1"]
    assert not wrong, f"author's claims without exactly one claim content: {wrong}"


def test_the_content_node_is_this_claim(store) -> None:
    rows = select(
        store,
        f"""SELECT ?assertion ?content WHERE {{
              GRAPH ?assertion {{ ?content a ?class }}
              VALUES ?class {{ {values(*CONTENT_CLASSES)} }}
            }}""",
    )
    assert rows
    assert all(r["content"] == r["assertion"] + "#claim" for r in rows)


def test_no_description_inside_any_assertion_graph(store) -> None:
    assert not ask(
        store,
        """ASK {
             ?assertion a sg:Assertion .
             GRAPH ?assertion { ?s ?p ?o }
             VALUES ?p { rdfs:comment <https://schema.org/description>
                         <http://purl.org/dc/terms/description>
                         <http://www.w3.org/2004/02/skos/core#definition> }
           }""",
    )


# ---------------------------------------------------------------- relations between claims


def relations(store) -> list[dict[str, str]]:
    return select(
        store,
        f"""SELECT ?from ?relation ?to ?fromDoc ?toDoc ?fromIsAssertion ?toIsAssertion WHERE {{
              ?from ?relation ?to .
              VALUES ?relation {{ {values(*RELATIONS)} }}
              OPTIONAL {{ ?from sg:sourceDocument ?fromDoc }}
              OPTIONAL {{ ?to sg:sourceDocument ?toDoc }}
              BIND (EXISTS {{ ?from a sg:Assertion }} AS ?fromIsAssertion)
              BIND (EXISTS {{ ?to a sg:Assertion }} AS ?toIsAssertion)
            }}""",
    )


def test_at_least_25_relations_between_the_articles_claims(store) -> None:
    article = [r for r in relations(store) if r["fromDoc"] == ARTICLE]
    assert len(article) >= 25, len(article)
    kinds = Counter(r["relation"].removeprefix(SG) for r in article)
    for relation in RELATIONS:
        if relation != "attacksClaim":  # the article qualifies, it never argues against itself
            assert kinds[relation] >= 1, kinds


def test_each_relation_links_two_assertions_of_the_same_source(store) -> None:
    rows = relations(store)
    assert rows
    for r in rows:
        assert r["fromIsAssertion"] == "true" and r["toIsAssertion"] == "true", r
        assert r["fromDoc"] is not None and r["fromDoc"] == r["toDoc"], r
        assert r["from"] != r["to"], r


def test_each_answer_answers_a_rhetorical_question(store) -> None:
    rows = select(
        store,
        """SELECT ?answer ?question ?kind ?content WHERE {
             ?answer sg:answersQuestion ?question .
             OPTIONAL { ?question sg:kind ?kind }
             OPTIONAL { GRAPH ?question { ?content a sg:Question } }
           }""",
    )
    assert len(rows) >= 5
    for r in rows:
        assert r["kind"] == SG + "RhetoricalQuestion", r
        assert r["content"] == r["question"] + "#claim", r


def test_the_credibility_question_is_a_question_not_a_dependency(store) -> None:
    rows = select(
        store,
        """SELECT ?assertion ?class WHERE {
             ?assertion sg:kind sg:RhetoricalQuestion ;
                        prov:wasQuotedFrom/oa:hasSelector/oa:exact ?exact .
             FILTER (CONTAINS(?exact, "can these guarantees be enforced"))
             GRAPH ?assertion { ?content a ?class }
           }""",
    )
    assert [r["class"] for r in rows] == [SG + "Question"]
    assert not ask(
        store,
        """ASK { ?a sg:kind sg:RhetoricalQuestion .
                 GRAPH ?a { ?s sg:hasCondition|sg:dependsOn ?o } }""",
    )


def test_facts_support_russia_being_far_from_isolated(store) -> None:
    rows = select(
        store,
        """SELECT ?exact WHERE {
             GRAPH ?claim {
               ?c sg:characterised country:russia ; sg:characterisedAs concept:isolated ;
                  sg:negated true
             }
             ?fact sg:supportsClaim ?claim ; sg:kind sg:ReportedFact ;
                   prov:wasQuotedFrom/oa:hasSelector/oa:exact ?exact .
           }""",
    )
    quotes = {r["exact"] for r in rows}
    assert {
        "China’s support",
        "quiet backing from countries seeking to hedge against US power",
    } <= quotes


# ---------------------------------------------------------------- the encoding rules


def test_a_claim_under_a_condition_is_a_conditional(store) -> None:
    rows = select(
        store,
        """SELECT DISTINCT ?assertion ?kind WHERE {
             GRAPH ?assertion { ?c sg:inAbsenceOf|sg:underCondition|sg:until ?condition }
             ?assertion sg:kind ?kind .
           }""",
    )
    assert len(rows) >= 7
    assert {r["kind"] for r in rows} <= {SG + "Conditional", SG + "RhetoricalQuestion"}, rows


def test_without_us_backing_has_one_kind(store) -> None:
    rows = select(
        store,
        f"""SELECT DISTINCT ?exact ?kind ?absent WHERE {{
              ?assertion sg:sourceDocument <{ARTICLE}> ; sg:kind ?kind ;
                         prov:wasQuotedFrom/oa:hasSelector/oa:exact ?exact .
              FILTER (CONTAINS(LCASE(?exact), "without") && CONTAINS(?exact, "US"))
              OPTIONAL {{ GRAPH ?assertion {{ ?c sg:inAbsenceOf ?absent }} }}
            }}""",
    )
    assert len(rows) >= 4
    for r in rows:
        assert r["absent"] is not None, r
        assert r["kind"] in (SG + "Conditional", SG + "RhetoricalQuestion"), r
    absent = {r["absent"] for r in rows}
    owners = select(store, "SELECT ?f ?o WHERE { ?f sg:factorOf ?o }")
    owner = {r["f"]: r["o"] for r in owners}
    assert all(owner.get(f) == ID + "country/united-states" for f in absent), absent


def test_will_depend_on_is_a_prediction_with_a_dependency_on_the_guarantees(store) -> None:
    rows = select(
        store,
        f"""SELECT ?exact ?kind ?class ?type ?hedge ?dependent WHERE {{
              ?assertion sg:sourceDocument <{ARTICLE}> ; sg:kind ?kind ;
                         prov:wasQuotedFrom/oa:hasSelector/oa:exact ?exact .
              FILTER (CONTAINS(?exact, "will depend on"))
              GRAPH ?assertion {{
                ?c a ?class .
                OPTIONAL {{ ?c sg:dependencyType ?type }}
                OPTIONAL {{ ?c sg:hedge ?hedge }}
                OPTIONAL {{ ?c sg:dependent ?dependent }}
              }}
            }}""",
    )
    assert len(rows) >= 3
    for r in rows:
        assert r["kind"] == SG + "Prediction", r
        assert r["class"] == SG + "DependencyClaim" and r["type"] == SG + "DependsOn", r
        assert r["hedge"] == SG + "Certain", r
    effectiveness = [r for r in rows if "effectiveness of the security guarantees" in r["exact"]]
    assert len(effectiveness) == 2
    assert {r["dependent"] for r in effectiveness} == {
        ID + "guarantee/ukraine-postwar-security-guarantees"
    }


def test_predictions_and_conditionals_carry_a_hedge(store) -> None:
    rows = select(
        store,
        """SELECT ?assertion ?hedge WHERE {
             ?assertion sg:kind ?kind . VALUES ?kind { sg:Prediction sg:Conditional }
             OPTIONAL { GRAPH ?assertion { ?c sg:hedge ?hedge } }
           }""",
    )
    assert rows
    assert all(r["hedge"] for r in rows), [r["assertion"] for r in rows if not r["hedge"]]


# ---------------------------------------------------------------- what the audit found


FACTS_ONLY = """
PREFIX sg: <https://w3id.org/sgkg/ontology/>
CONSTRUCT { ?s ?p ?o } WHERE { ?g sg:kind sg:ReportedFact . GRAPH ?g { ?s ?p ?o } }
"""


def test_the_facts_only_view_is_the_readmes_query() -> None:
    readme = (Path(paths.__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    assert FACTS_ONLY.strip().splitlines()[-1] in readme


@pytest.fixture(scope="module")
def facts(store) -> set[tuple[str, str, str]]:
    return {
        (t.subject.value, t.predicate.value, t.object.value)
        for t in store.query(FACTS_ONLY, use_default_graph_as_union=True)
    }


def test_the_audited_statements_are_absent_from_the_facts_only_view(facts) -> None:
    g, c, k = ID + "guarantee/", ID + "commitment/", ID + "condition/"
    usp = ID + "country/united-states"
    guarantee = g + "ukraine-postwar-security-guarantees"
    preferred = {SG + "Sanctions", SG + "OilRevenueRestrictions", SG + "PressureOnThirdParties"}
    # usg-032/033/034: Trump's preferred instruments are no US commitments, proposed or not
    us_commitments = {s for s, p, o in facts if p == SG + "guarantor" and o == usp}
    for s, p, o in facts:
        if s in us_commitments:
            assert not (p == SG + "commitmentType" and o in preferred), (s, o)
            assert not (p == SG + "status" and o == SG + "Proposed"), s
    for name in ("us-sanctions", "us-oil-revenue-restrictions", "us-pressure-on-china"):
        assert not any(s == c + name for s, _p, _o in facts), name
    # usg-021: no trigger condition (collective retaliation) on the coalition's commitment
    assert not any(p == SG + "triggerAdversary" for _s, p, _o in facts)
    assert (
        c + "coalition-reassurance-force",
        SG + "hasCondition",
        k + "strike-on-eu-or-nato-troops",
    ) not in facts
    # usg-022: the guarantee is not typed a pledge on the Article 5 quote
    rdf_type = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
    assert (guarantee, rdf_type, SG + "PledgeGuarantee") not in facts
    assert (guarantee, SG + "outsideOf", ID + "factor/natos-formal-article-5-umbrella") in facts
    # usg-054: hedging against US power is no opposition
    assert not any(p == SG + "opposes" for _s, p, _o in facts)
    # usg-076/079/080: participation is not "support without extending"
    assert not any(p == SG + "supportedBy" for _s, p, _o in facts)
    for state in ("japan", "australia", "canada"):
        assert (guarantee, SG + "hasParticipant", ID + "country/" + state) in facts
    # usg-086/087 and the "without US backing" claims: no dependency condition on the force
    assert not any(p == SG + "dependsOn" for _s, p, _o in facts)


def test_no_assertion_encodes_the_audited_statements(store) -> None:
    """Not even as an author's claim: the relations were not what the text says."""
    assert not ask(store, "ASK { ?s sg:opposes country:united-states }")
    assert not ask(
        store,
        """ASK { ?c sg:commitmentType sg:Sanctions ; sg:guarantor country:united-states ;
                    sg:beneficiary country:ukraine ; sg:status sg:Proposed }""",
    )
    assert not ask(
        store,
        """ASK { commitment:coalition-reassurance-force sg:hasCondition ?k .
                 ?k a sg:DependencyCondition }""",
    )
    assert not ask(
        store,
        """ASK { commitment:coalition-reassurance-force sg:hasCondition ?k .
                 ?k a sg:TriggerCondition }""",
    )
    assert not ask(store, "ASK { ?g a sg:PledgeGuarantee }")


def test_trumps_preferences_are_reported_preferences(store) -> None:
    rows = select(
        store,
        """SELECT ?instrument ?kind ?against WHERE {
             GRAPH ?a { ?p a sg:InstrumentPreference ; sg:preferredBy person:donald-trump ;
                           sg:prefersInstrument ?instrument ; sg:instrumentAgainst ?against }
             ?a sg:kind ?kind .
           }""",
    )
    assert {r["instrument"] for r in rows} == {
        SG + "Sanctions",
        SG + "OilRevenueRestrictions",
        SG + "PressureOnThirdParties",
    }
    assert {r["kind"] for r in rows} == {SG + "ReportedFact"}
    assert {r["against"] for r in rows} == {ID + "factor/russias-war-machine"}


ENTITY_PREDICATES = {
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#type",
    "http://www.w3.org/2000/01/rdf-schema#label",
    "http://www.w3.org/2004/02/skos/core#altLabel",
    "http://www.w3.org/2004/02/skos/core#definition",
    "http://www.w3.org/2004/02/skos/core#note",
    "http://www.w3.org/ns/prov#wasDerivedFrom",
    SG + "factorOf",  # part of a factor's name ("Moscow's capacity")
    SG + "concerns",
}


def test_the_articles_entities_hold_types_and_names_only(store) -> None:
    rows = select(
        store,
        f"""SELECT DISTINCT ?s ?p WHERE {{
              GRAPH <https://w3id.org/sgkg/graph/entities> {{
                ?s prov:wasDerivedFrom <{ARTICLE}> ; ?p ?o
              }}
            }}""",
        union=False,
    )
    assert len(rows) > 100
    relations = sorted({(r["s"], r["p"]) for r in rows if r["p"] not in ENTITY_PREDICATES})
    assert not relations, f"relations no claim quotes, in the entities graph: {relations}"


def test_leadership_is_quoted(store) -> None:
    rows = select(
        store,
        """SELECT ?person ?exact WHERE {
             GRAPH ?a { ?person sg:leads ?government }
             ?a sg:kind sg:ReportedFact ; prov:wasQuotedFrom/oa:hasSelector/oa:exact ?exact .
           }""",
    )
    quoted = {r["person"].rsplit("/", 1)[1]: r["exact"] for r in rows}
    assert quoted.get("donald-trump") == "President Trump’s administration"
    assert quoted.get("vladimir-putin") == "his government"


def test_every_factor_is_labelled_and_used(store) -> None:
    rows = select(
        store,
        f"""SELECT ?factor ?label (COUNT(?a) AS ?uses) WHERE {{
             ?factor a sg:Factor ; prov:wasDerivedFrom <{ARTICLE}> .
             OPTIONAL {{ ?factor rdfs:label ?label FILTER (LANG(?label) = "en") }}
             OPTIONAL {{ GRAPH ?a {{ ?s ?p ?factor }} ?a a sg:Assertion }}
           }} GROUP BY ?factor ?label""",
    )
    assert len(rows) >= 40
    assert all(r["label"] for r in rows), [r["factor"] for r in rows if not r["label"]]
    unused = [r["factor"] for r in rows if r["uses"] == "0"]
    assert not unused, f"factors no claim uses: {unused}"
