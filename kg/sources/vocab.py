"""The names a curator writes: prefixes, kinds of claims, document types.

One table each, so that the claims files, the compiler, the CLI and the docs agree.
"""

from __future__ import annotations

from kg import namespaces as ns

DEFAULT_BASE_IRI = "https://w3id.org/sgkg/"
B = DEFAULT_BASE_IRI
SG = B + "ontology/"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
XSD = "http://www.w3.org/2001/XMLSchema#"
OA = "http://www.w3.org/ns/oa#"
PROV = "http://www.w3.org/ns/prov#"
NP = "http://www.nanopub.org/nschema#"
DCTERMS = "http://purl.org/dc/terms/"
SCHEMA = "https://schema.org/"
SKOS = "http://www.w3.org/2004/02/skos/core#"

SOURCES_GRAPH = "graph/sources"
ENTITIES_GRAPH = "graph/entities"
LINKS_GRAPH_PREFIX = "graph/links/"
ASSERTION_GRAPH_PREFIX = "graph/assertion/"
NANOPUB_PREFIX = "id/nanopub/"
DOCUMENT_PREFIX = "id/document/"
CURATOR = "id/organisation/sgkg-project"

#: Entity kinds: ``{base}id/{kind}/{slug}``; the curator's prefix is the left column.
ENTITY_PREFIXES: dict[str, str] = {
    "country": "country",
    "person": "person",
    "gov": "government",
    "organisation": "organisation",
    "coalition": "coalition",
    "group": "group",
    "bloc": "bloc",
    "force": "force",
    "guarantee": "guarantee",
    "commitment": "commitment",
    "condition": "condition",
    "event": "event",
    "place": "place",
    "doc": "document",
    "factor": "factor",
    "concept": "concept",
    "office": "office",
    "instrument": "instrument",
}

#: Every prefix a claims file may use without declaring it.
PREFIXES: dict[str, str] = {
    "sg": SG,
    **{p: f"{B}id/{kind}/" for p, kind in ENTITY_PREFIXES.items()},
    "rdf": RDF,
    "rdfs": RDFS,
    "xsd": XSD,
    "oa": OA,
    "prov": PROV,
    "dcterms": DCTERMS,
    "schema": SCHEMA,
    "skos": SKOS,
    "owl": "http://www.w3.org/2002/07/owl#",
    "time": "http://www.w3.org/2006/time#",
    "wd": "http://www.wikidata.org/entity/",
}


#: Short kind names → (kind IRI, whose voice). Voices: "author" (the document's authors),
#: "document" (reported by the document; a speaker may be named), "parties" (the document's
#: own provision, attributed to its parties or to the party named as speaker).
KINDS: dict[str, tuple[str, str]] = {
    "fact": (str(ns.SG.ReportedFact), "document"),
    "assessment": (str(ns.SG.AuthorAssessment), "author"),
    "prediction": (str(ns.SG.Prediction), "author"),
    "conditional": (str(ns.SG.Conditional), "author"),
    "recommendation": (str(ns.SG.Recommendation), "author"),
    "question": (str(ns.SG.RhetoricalQuestion), "author"),
    "obligation": (str(ns.SG.Obligation), "parties"),
    "policy": (str(ns.SG.PolicyStatement), "parties"),
    "permission": (str(ns.SG.Permission), "parties"),
    "recital": (str(ns.SG.Recital), "parties"),
    "affirmation": (str(ns.SG.Affirmation), "parties"),
}
KIND_BY_IRI = {iri: (name, voice) for name, (iri, voice) in KINDS.items()}
REPORTED_FACT = str(ns.SG.ReportedFact)

#: Document types of source.yaml → the class of the document.
DOCUMENT_TYPES: dict[str, str] = {
    "commentary": str(ns.SG.OpinionArticle),
    "agreement": str(ns.SG.AgreementDocument),
    "declaration": str(ns.SG.DeclarationDocument),
    "statement": str(ns.SG.StatementDocument),
}

#: Relations between claims a claims file may state (key → property between assertions).
RELATIONS: dict[str, str] = {
    "supports": str(ns.SG.supportsClaim),
    "attacks": str(ns.SG.attacksClaim),
    "qualifies": str(ns.SG.qualifiesClaim),
    "answers": str(ns.SG.answersQuestion),
    "elaborates": str(ns.SG.elaboratesClaim),
    "implements": str(ns.SG.implementsClaim),
}

#: Predicates that would present prose as a description: never inside an assertion graph.
FORBIDDEN_IN_ASSERTIONS = {
    RDFS + "comment",
    SCHEMA + "description",
    DCTERMS + "description",
    SKOS + "definition",
}
