"""What the facet index holds, as SPARQL: the facets and the queries that define its answers.

The things browsed are the assertions and entities: every IRI with an ``sg:`` type outside the
ontology and shapes graphs, without a ``#`` fragment (the universe; quote selectors and claim
nodes belong to their assertion). Each facet is a SPARQL pattern from ``?item`` to a value
``?v`` (:data:`FACETS`); the index holds, per facet, the distinct ``(item, value)`` pairs of
that pattern whose item is in the universe and whose value is an IRI.

Values of one facet are alternatives (OR); facets combine (AND). The counts of a facet are a
``GROUP BY ?v`` over the matches of every *other* facet's choice (disjunctive faceting):
:func:`counts_sparql` and :func:`matches_sparql` are that definition, which the index
(:mod:`kg.indexes.facets.query`) answers without SPARQL and the tests check against the store.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from kg.store import Store

RDFS = "http://www.w3.org/2000/01/rdf-schema#"
MAX_VALUES = 60  # values listed per facet (the most frequent)


@dataclass(frozen=True)
class Facet:
    name: str
    title: str
    #: the pattern binding ``?v`` for ``?item``; ``{sg}``, ``{n}``, ``{agents}``, ``{onto}``
    #: and ``{shapes}`` are filled in
    pattern: str


FACETS: tuple[Facet, ...] = (
    Facet(
        "type",
        "Type",
        'GRAPH ?tg_{n} {{ ?item a ?v }} FILTER(STRSTARTS(STR(?v), "{sg}") '
        '&& ?tg_{n} != <{onto}> && ?tg_{n} != <{shapes}> && !CONTAINS(STR(?item), "#"))',
    ),
    Facet("kind", "Kind of claim", "?item <{sg}kind> ?v ."),
    Facet("source", "Source", "?item <{sg}sourceDocument> ?v ."),
    Facet(
        "actor",
        "Actor",
        "VALUES ?ap_{n} {{ <{sg}about> <{sg}guarantor> <{sg}beneficiary> }} "
        "?item ?ap_{n} ?v . ?v a ?at_{n} . VALUES ?at_{n} {{ {agents} }}",
    ),
    Facet(
        "commitment",
        "Commitment type",
        "?item <{sg}commitmentType>|(<{sg}about>/<{sg}commitmentType>) ?v .",
    ),
    Facet("status", "Status", "?item <{sg}status>|(<{sg}about>/<{sg}status>) ?v ."),
    Facet(
        "condition",
        "Condition type",
        "?item (<{sg}hasCondition>|(<{sg}about>/<{sg}hasCondition>))/a ?v . "
        'FILTER(STRSTARTS(STR(?v), "{sg}"))',
    ),
)
FACETS_BY_NAME = {f.name: f for f in FACETS}
FACET_IDS = {f.name: n for n, f in enumerate(FACETS)}


def agent_classes(store: Store, base_iri: str) -> list[str]:
    """``sg:Agent`` and its subclasses."""
    agent = f"{base_iri}ontology/Agent"
    found = {agent}
    for row in store.query(f"SELECT DISTINCT ?c WHERE {{ ?c <{RDFS}subClassOf>+ <{agent}> }}"):
        found.add(row["c"].value)
    return sorted(found)


def fill(facet: Facet, base_iri: str, agents: Sequence[str], n: int, var: str = "?v") -> str:
    """The facet's pattern with ``?v`` renamed to ``var`` and the placeholders filled in."""
    text = facet.pattern.format(
        sg=f"{base_iri}ontology/",
        n=n,
        agents=" ".join(f"<{a}>" for a in agents),
        onto=f"{base_iri}graph/ontology",
        shapes=f"{base_iri}graph/shapes",
    )
    return text.replace("?v", var)


def universe_sparql(base_iri: str) -> str:
    sg = f"{base_iri}ontology/"
    return (
        "GRAPH ?ug { ?item a ?ut } "
        f'FILTER(STRSTARTS(STR(?ut), "{sg}") && ?ug != <{base_iri}graph/ontology> '
        f'&& ?ug != <{base_iri}graph/shapes>) FILTER(isIRI(?item) && !CONTAINS(STR(?item), "#"))'
    )


def _where(
    base_iri: str, agents: Sequence[str], chosen: Mapping[str, Sequence[str]], skip: str | None
) -> list[str]:
    parts = [universe_sparql(base_iri)]
    for n, facet in enumerate(FACETS):
        values = chosen.get(facet.name)
        if values and facet.name != skip:
            var = f"?f_{n}"
            iris = " ".join(f"<{v}>" for v in values)
            parts.append(f"VALUES {var} {{ {iris} }} {fill(facet, base_iri, agents, n, var)}")
    return parts


def counts_sparql(
    base_iri: str, agents: Sequence[str], chosen: Mapping[str, Sequence[str]], facet: str
) -> str:
    """The ``GROUP BY`` that defines a facet's counts under the other facets' choices (what
    the index answers; the tests check it against the store)."""
    parts = _where(base_iri, agents, chosen, skip=facet)
    target = FACETS_BY_NAME[facet]
    parts.append(fill(target, base_iri, agents, 100 + FACETS.index(target)))
    parts.append("FILTER(isIRI(?v))")
    where = "\n".join(parts)
    return f"SELECT ?v (COUNT(DISTINCT ?item) AS ?n) WHERE {{ {where} }} GROUP BY ?v"


def matches_sparql(
    base_iri: str, agents: Sequence[str], chosen: Mapping[str, Sequence[str]]
) -> str:
    """The things a state selects (what :meth:`BrowseState.page` pages through)."""
    where = "\n".join(_where(base_iri, agents, chosen, skip=None))
    return f"SELECT DISTINCT ?item WHERE {{ {where} }}"
