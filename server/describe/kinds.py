"""The tables pages share: kinds of assertion (badge class and words), relations between
assertions, how important each type is, and the schema.org type of each class.

Every kind has a CSS class (``k-fact`` …) that gives its badge a colour *and* an icon shape
(server/static/site.css), and always its words, so a kind never rests on colour alone.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Kind:
    name: str  # local name of the sg:AssertionKind
    css: str  # CSS class suffix: k-{css}
    words: str  # what the badge says
    voice: str  # author | document | parties: whose claim it is


#: assertion kinds in the order legends list them
KIND_LIST: tuple[Kind, ...] = (
    Kind("ReportedFact", "fact", "Reported fact", "document"),
    Kind("AuthorAssessment", "assessment", "Author assessment", "author"),
    Kind("Prediction", "prediction", "Prediction", "author"),
    Kind("Conditional", "conditional", "Conditional", "author"),
    Kind("Recommendation", "recommendation", "Recommendation", "author"),
    Kind("RhetoricalQuestion", "question", "Rhetorical question", "author"),
    Kind("Obligation", "obligation", "Obligation", "parties"),
    Kind("PolicyStatement", "policy", "Policy or intent", "parties"),
    Kind("Permission", "permission", "Permission", "parties"),
    Kind("Recital", "recital", "Recital", "parties"),
    Kind("Affirmation", "affirmation", "Affirmation", "parties"),
)
#: ``(local name, CSS class, words)``, the shape older callers iterate over
KINDS: tuple[tuple[str, str, str], ...] = tuple((k.name, k.css, k.words) for k in KIND_LIST)
KIND_BY_NAME = {k.name: k for k in KIND_LIST}
KIND_CLASS = {k.name: k.css for k in KIND_LIST}
KIND_WORDS = {k.name: k.words for k in KIND_LIST}
#: kinds that are the author's (or the parties') own claim, not a reported fact
CLAIM_KINDS = frozenset(k.name for k in KIND_LIST if k.voice != "document")


@dataclass(frozen=True)
class Relation:
    name: str  # local name of the property between assertions
    verb: str  # "supports": how an edge reads, source → target
    css: str


#: relations between assertions (ontology/argument.ttl), in the order lists show them
RELATIONS: tuple[Relation, ...] = (
    Relation("supportsClaim", "supports", "supports"),
    Relation("attacksClaim", "attacks", "attacks"),
    Relation("qualifiesClaim", "qualifies", "qualifies"),
    Relation("answersQuestion", "answers", "answers"),
    Relation("elaboratesClaim", "elaborates", "elaborates"),
    Relation("implementsClaim", "implements", "implements"),
)
RELATION_BY_NAME = {r.name: r for r in RELATIONS}

#: how important a type is for ranking and for the "main" type shown (lower is first)
TYPE_RANK = {
    name: rank
    for rank, name in enumerate(
        (
            "Coalition",
            "State",
            "InternationalOrganisation",
            "FormalBloc",
            "InformalBloc",
            "Bloc",
            "Person",
            "Government",
            "Group",
            "MilitaryForce",
            "TreatyGuarantee",
            "PledgeGuarantee",
            "SecurityGuarantee",
            "Commitment",
            "ActivationCondition",
            "TriggerCondition",
            "DependencyCondition",
            "Condition",
            "Summit",
            "Gathering",
            "Announcement",
            "Invasion",
            "War",
            "Event",
            "Region",
            "Place",
            "OpinionArticle",
            "AgreementDocument",
            "DeclarationDocument",
            "StatementDocument",
            "SourceDocument",
            "Factor",
            "CommitmentType",
            "MilitaryDomain",
            "Assertion",
            "Agent",
        )
    )
}

#: our classes → the schema.org type an entity page's JSON-LD uses
SCHEMA_TYPES = {
    "State": "Country",
    "InternationalOrganisation": "Organization",
    "Coalition": "Organization",
    "Government": "GovernmentOrganization",
    "Bloc": "Organization",
    "FormalBloc": "Organization",
    "InformalBloc": "Organization",
    "Group": "Organization",
    "MilitaryForce": "Organization",
    "Person": "Person",
    "Event": "Event",
    "Summit": "Event",
    "Gathering": "Event",
    "Announcement": "Event",
    "Invasion": "Event",
    "War": "Event",
    "Place": "Place",
    "Region": "Place",
    "Assertion": "Claim",
    "SourceDocument": "CreativeWork",
    "OpinionArticle": "OpinionNewsArticle",
    "AgreementDocument": "Legislation",
    "DeclarationDocument": "CreativeWork",
    "StatementDocument": "CreativeWork",
}
