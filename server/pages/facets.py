"""Faceted browsing: which things match the chosen facet values, and how many per value.

The things browsed are the assertions and the entities of the data: every IRI with a type in
the ``sg:`` namespace outside the ontology and shapes graphs (no ``#`` fragments: quote
selectors and claim nodes belong to their assertion). Each facet is a SPARQL pattern from
``?item`` to a value ``?v``:

========== ===================================================================================
type       ``?item a ?v`` (sg: classes)
kind       ``?item sg:kind ?v`` — the kind of claim of an assertion
source     ``?item sg:sourceDocument ?v``
actor      ``?item sg:about|sg:guarantor|sg:beneficiary ?v``, ``?v`` an agent (``sg:Agent``
           or a subclass)
commitment ``sg:commitmentType`` of the item, or of a commitment the assertion is about
status     ``sg:status`` likewise
condition  the type of an ``sg:hasCondition`` of the item, or of what the assertion is about
========== ===================================================================================

Values of one facet are alternatives (OR); facets combine (AND). The counts of a facet are
computed with every *other* facet's choice applied (disjunctive faceting), so the counts say
how many results a value would give, and choosing a value narrows every other facet's counts.
Every count is a ``GROUP BY`` in the store; the unfiltered counts are cached per version.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from kg.store import Store
from server.labels import RDFS, cache_for

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
MAX_VALUES = 60  # values listed per facet (the most frequent)


@dataclass(frozen=True)
class Facet:
    name: str
    title: str
    #: the pattern binding ``?v`` for ``?item``; ``{sg}`` and ``{agents}`` are filled in
    pattern: str


FACETS: tuple[Facet, ...] = (
    Facet(
        "type",
        "Type",
        'GRAPH ?tg_{n} {{ ?item a ?v }} FILTER(STRSTARTS(STR(?v), "{sg}") '
        "&& ?tg_{n} != <{onto}> && ?tg_{n} != <{shapes}>)",
    ),
    Facet("kind", "Kind of claim", "?item <{sg}kind> ?v ."),
    Facet("source", "Source", "?item <{sg}sourceDocument> ?v ."),
    Facet(
        "actor",
        "Actor",
        "?item <{sg}about>|<{sg}guarantor>|<{sg}beneficiary> ?v . "
        "?v a ?at_{n} . VALUES ?at_{n} {{ {agents} }}",
    ),
    Facet(
        "commitment",
        "Commitment type",
        "{{ ?item <{sg}commitmentType> ?v }} UNION "
        "{{ ?item <{sg}about> ?c_{n} . ?c_{n} <{sg}commitmentType> ?v }}",
    ),
    Facet(
        "status",
        "Status",
        "{{ ?item <{sg}status> ?v }} UNION {{ ?item <{sg}about> ?c_{n} . ?c_{n} <{sg}status> ?v }}",
    ),
    Facet(
        "condition",
        "Condition type",
        "{{ ?item <{sg}hasCondition> ?k_{n} }} UNION "
        "{{ ?item <{sg}about> ?c_{n} . ?c_{n} <{sg}hasCondition> ?k_{n} }} "
        '?k_{n} a ?v . FILTER(STRSTARTS(STR(?v), "{sg}"))',
    ),
)
FACETS_BY_NAME = {f.name: f for f in FACETS}


@dataclass
class Count:
    value: str  # IRI
    count: int


class FacetQuery:
    """The SPARQL of one browsing state (facet name → chosen IRIs) on one store."""

    def __init__(self, store: Store, base: str, chosen: Mapping[str, Sequence[str]]) -> None:
        self.store = store
        self.base = base
        self.sg = f"{base}ontology/"
        self.chosen = {k: list(v) for k, v in chosen.items() if v}
        self._agents = agent_classes(store, base)

    def _fill(self, facet: Facet, n: int, var: str = "?v") -> str:
        text = facet.pattern.format(
            sg=self.sg,
            n=n,
            agents=self._agents,
            onto=f"{self.base}graph/ontology",
            shapes=f"{self.base}graph/shapes",
        )
        return text.replace("?v", var)

    def universe(self) -> str:
        return (
            "FILTER EXISTS { GRAPH ?ug { ?item a ?ut } "
            f'FILTER(STRSTARTS(STR(?ut), "{self.sg}") && ?ug != <{self.base}graph/ontology> '
            f'&& ?ug != <{self.base}graph/shapes>) }} FILTER(!CONTAINS(STR(?item), "#"))'
        )

    def filters(self, skip: str | None = None) -> str:
        parts = []
        for n, facet in enumerate(FACETS):
            values = self.chosen.get(facet.name)
            if not values or facet.name == skip:
                continue
            var = f"?f_{n}"
            iris = " ".join(f"<{v}>" for v in values)
            parts.append(f"VALUES {var} {{ {iris} }} {self._fill(facet, n, var)}")
        return "\n".join(parts)

    def where(self, skip: str | None = None) -> str:
        filters = self.filters(skip)
        if filters:
            return f"{filters}\n{self.universe()}"
        # nothing chosen: the universe itself is the pattern
        return (
            "GRAPH ?ug { ?item a ?ut } "
            f'FILTER(STRSTARTS(STR(?ut), "{self.sg}") && ?ug != <{self.base}graph/ontology> '
            f'&& ?ug != <{self.base}graph/shapes>) FILTER(!CONTAINS(STR(?item), "#"))'
        )

    def counts(self, facet: Facet) -> list[Count]:
        n = FACETS.index(facet) + 100
        where = self.where(skip=facet.name)
        sparql = (
            f"SELECT ?v (COUNT(DISTINCT ?item) AS ?n) WHERE {{ {where}\n{self._fill(facet, n)} }} "
            f"GROUP BY ?v ORDER BY DESC(?n) ?v LIMIT {MAX_VALUES}"
        )
        if not self.chosen or list(self.chosen) == [facet.name]:
            key = ("counts", facet.name)
            return cache_for(self.store, "facets").get(
                self.store, key, lambda: self._run_counts(sparql)
            )
        return self._run_counts(sparql)

    def _run_counts(self, sparql: str) -> list[Count]:
        return [
            Count(row["v"].value, int(row["n"].value))
            for row in self.store.query(sparql)
            if row["v"] is not None and hasattr(row["v"], "value") and row["v"].value
        ]

    def total(self) -> int:
        sparql = f"SELECT (COUNT(DISTINCT ?item) AS ?n) WHERE {{ {self.where()} }}"

        def run() -> int:
            for row in self.store.query(sparql):
                return int(row["n"].value)
            return 0

        if not self.chosen:
            return cache_for(self.store, "facets").get(self.store, "total", run)
        return run()

    def page(self, offset: int, limit: int) -> list[str]:
        sparql = (
            f"SELECT DISTINCT ?item WHERE {{ {self.where()} }} "
            f"ORDER BY ?item LIMIT {int(limit)} OFFSET {int(offset)}"
        )
        return [row["item"].value for row in self.store.query(sparql)]


def agent_classes(store: Store, base: str) -> str:
    """``sg:Agent`` and its subclasses, as the inside of a ``VALUES`` block (cached)."""
    agent = f"{base}ontology/Agent"

    def compute() -> str:
        found = {agent}
        for row in store.query(f"SELECT DISTINCT ?c WHERE {{ ?c <{RDFS}subClassOf>+ <{agent}> }}"):
            found.add(row["c"].value)
        return " ".join(f"<{c}>" for c in sorted(found))

    return cache_for(store, "facets").get(store, "agents", compute)
