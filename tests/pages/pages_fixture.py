"""A small graph shaped like the real one (docs/vocabulary.md), for the page tests.

The quotes are found in the real article text, so the offsets are right by construction;
two spans overlap (one nests inside another, one crosses it) and one statement is made by
two assertions, which is what the source reader and the entity page must handle.
"""

from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph as ox

from kg.store import EmbeddedStore

ROOT = Path(__file__).resolve().parents[2]
TEXT = (ROOT / "kg" / "data" / "sources" / "ukraine-security-guarantees" / "text.txt").read_text(
    "utf-8"
)
BASE = "https://w3id.org/sgkg/"

#: (slug, kind, exact quote, assertion triples in Turtle)
ASSERTIONS = [
    (
        "usg-001",
        "ReportedFact",
        "The recent announcement by 26 nations to extend postwar security guarantees to Ukraine",
        "id:guarantee/postwar-guarantees sg:extendedBy id:coalition/coalition-of-26 ; "
        "sg:guaranteeFor id:country/ukraine .",
    ),
    (
        "usg-002",
        "ReportedFact",
        "Spearheaded by France",
        "id:guarantee/postwar-guarantees sg:ledBy id:country/france .",
    ),
    (
        "usg-003",
        "ReportedFact",
        "Spearheaded by France and endorsed by major European powers, Canada, Japan, and Australia",
        "id:guarantee/postwar-guarantees sg:endorsedBy id:country/canada .",
    ),
    (
        "usg-004",
        "AuthorAssessment",
        "France and endorsed by major European powers",
        "id:guarantee/postwar-guarantees sg:ledBy id:country/france .",
    ),
    (
        "usg-005",
        "ReportedFact",
        "President Trump’s administration has promised air support and intelligence cooperation",
        "id:commitment/us-air-support a sg:Commitment ; "
        "sg:guarantor id:government/trump-administration ; "
        "sg:beneficiary id:country/ukraine ; sg:commitmentType sg:AirSupport .",
    ),
    (
        "usg-006",
        "Prediction",
        "Russia is unlikely to be intimidated by promises that only take effect "
        "“once hostilities cease.”",
        "id:country/russia sg:opposes id:guarantee/postwar-guarantees .",
    ),
    (
        "usg-007",
        "Conditional",
        "If implemented effectively, the reassurance force could mark the first real step toward a "
        "post-American European defence architecture",
        "id:force/reassurance-force sg:contributedBy id:country/france .",
    ),
    (
        "usg-008",
        "Recommendation",
        "Washington, meanwhile, must decide whether to remain a cautious supporter "
        "or to embrace the role of guarantor",
        "id:country/united-states sg:supports id:country/ukraine .",
    ),
]

PREFIXES = f"""
@prefix sg: <{BASE}ontology/> .
@prefix id: <{BASE}id/> .
@prefix g: <{BASE}graph/> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix oa: <http://www.w3.org/ns/oa#> .
@prefix np: <http://www.nanopub.org/nschema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix wd: <http://www.wikidata.org/entity/> .
"""

ONTOLOGY = """
g:ontology {
  sg:State a owl:Class ; rdfs:label "State"@en , "État"@fr .
  sg:Coalition a owl:Class ; rdfs:label "Coalition"@en .
  sg:Commitment a owl:Class ; rdfs:label "Commitment"@en .
  sg:SecurityGuarantee a owl:Class ; rdfs:label "Security guarantee"@en .
  sg:Government a owl:Class ; rdfs:label "Government"@en .
  sg:MilitaryForce a owl:Class ; rdfs:label "Military force"@en .
  sg:SourceDocument a owl:Class ; rdfs:label "Source document"@en .
  sg:Assertion a owl:Class ; rdfs:label "Assertion"@en .
  sg:ledBy a owl:ObjectProperty ; rdfs:label "led by"@en , "dirigée par"@fr .
  sg:extendedBy a owl:ObjectProperty ; rdfs:label "extended by"@en .
  sg:guaranteeFor a owl:ObjectProperty ; rdfs:label "guarantee for"@en .
  sg:endorsedBy a owl:ObjectProperty ; rdfs:label "endorsed by"@en .
  sg:guarantor a owl:ObjectProperty ; rdfs:label "guarantor"@en .
  sg:beneficiary a owl:ObjectProperty ; rdfs:label "beneficiary"@en .
  sg:commitmentType a owl:ObjectProperty ; rdfs:label "commitment type"@en .
  sg:hasMember a owl:ObjectProperty ; rdfs:label "has member"@en .
  sg:kind a owl:ObjectProperty ; rdfs:label "kind"@en .
  sg:AirSupport a skos:Concept ; skos:prefLabel "air support"@en .
  sg:ReportedFact skos:prefLabel "reported fact"@en .
  sg:AuthorAssessment skos:prefLabel "author assessment"@en .
  sg:Prediction skos:prefLabel "prediction"@en .
  sg:Conditional skos:prefLabel "conditional"@en .
  sg:Recommendation skos:prefLabel "recommendation"@en .
}
"""

ENTITIES = """
g:entities {
  id:country/france a sg:State ; rdfs:label "France"@en , "France"@fr , "Frankreich"@de ;
      skos:altLabel "French Republic"@en .
  id:country/ukraine a sg:State ; rdfs:label "Ukraine"@en , "Україна"@uk .
  id:country/russia a sg:State ; rdfs:label "Russia"@en .
  id:country/canada a sg:State ; rdfs:label "Canada"@en .
  id:country/united-states a sg:State ; rdfs:label "United States"@en ;
      skos:altLabel "Washington"@en , "USA"@en .
  id:country/francia-fictional a sg:State ; rdfs:label "Françafrique"@fr .
  id:coalition/coalition-of-26 a sg:Coalition ; rdfs:label "Coalition of 26 nations"@en ;
      sg:hasMember id:country/france , id:country/canada .
  id:government/trump-administration a sg:Government ; rdfs:label "Trump administration"@en .
  id:guarantee/postwar-guarantees a sg:SecurityGuarantee ;
      rdfs:label "Postwar security guarantees for Ukraine"@en .
  id:force/reassurance-force a sg:MilitaryForce ; rdfs:label "Reassurance force"@en .
}
<https://w3id.org/sgkg/graph/links/wikidata> {
  id:country/france owl:sameAs wd:Q142 .
  id:country/ukraine owl:sameAs wd:Q212 .
}
"""


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def trig(extra: str = "") -> str:
    """The fixture as TriG; ``extra`` is appended (e.g. a hostile label)."""
    parts = [PREFIXES, ONTOLOGY, ENTITIES]
    parts.append(
        f"""
g:sources {{
  id:document/ukraine-security-guarantees a sg:SourceDocument ;
      rdfs:label "Ukraine’s Security Guarantees"@en ;
      sg:sourceText "{_escape(TEXT)}" .
}}
"""
    )
    for number, (slug, kind, exact, body) in enumerate(ASSERTIONS, start=1):
        start = TEXT.index(exact)
        end = start + len(exact)
        prefix, suffix = TEXT[max(0, start - 32) : start], TEXT[end : end + 32]
        paragraph = TEXT[:start].count("\n\n") + 1
        parts.append(
            f"""
<{BASE}graph/assertion/{slug}> {{ {body} }}
<{BASE}graph/assertion/{slug}/provenance> {{
  <{BASE}graph/assertion/{slug}> a sg:Assertion ; sg:kind sg:{kind} ;
      sg:paragraph "{paragraph}"^^xsd:integer ;
      {"sg:about id:country/france ;" if "france" in body else ""}
      prov:wasQuotedFrom [ a oa:SpecificResource ;
          oa:hasSource id:document/ukraine-security-guarantees ;
          oa:hasSelector [ a oa:TextQuoteSelector ; oa:exact "{_escape(exact)}" ;
                           oa:prefix "{_escape(prefix)}" ; oa:suffix "{_escape(suffix)}" ] ,
                         [ a oa:TextPositionSelector ; oa:start {start} ; oa:end {end} ] ] .
}}
<{BASE}graph/assertion/{slug}/head> {{
  id:nanopub/{slug} a np:Nanopublication ;
      np:hasAssertion <{BASE}graph/assertion/{slug}> ;
      np:hasProvenance <{BASE}graph/assertion/{slug}/provenance> .
}}
"""
        )
        del number
    parts.append(extra)
    # Turtle local names cannot hold "/": spell instance IRIs out in full
    return re.sub(r"\bid:([a-z]+/[a-z0-9-]+)", rf"<{BASE}id/\1>", "\n".join(parts))


def build_store(path: Path, extra: str = "", extra_quads: list[ox.Quad] | None = None) -> Path:
    """Write the fixture into an embedded store at ``path``; returns ``path``."""
    store = EmbeddedStore(path)
    with store.writer(fresh=True) as ox_store:
        ox_store.load(trig(extra).encode("utf-8"), format=ox.RdfFormat.TRIG)
        if extra_quads:
            ox_store.extend(extra_quads)
    return path
