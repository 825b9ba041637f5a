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
Every count is a ``GROUP BY`` in the store; answers are remembered per store version (an LRU
keyed by the choices), so paging through a choice asks the store for the page only.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from kg.store import Store
from server.labels import RDFS, cache_for

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
T = TypeVar("T")
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
        '&& ?tg_{n} != <{onto}> && ?tg_{n} != <{shapes}> && !CONTAINS(STR(?item), "#"))',
    ),
    Facet("kind", "Kind of claim", "?item <{sg}kind> ?v ."),
    Facet("source", "Source", "?item <{sg}sourceDocument> ?v ."),
    # no UNIONs: each branch would be evaluated over the whole graph, not from ?item
    Facet(
        "actor",
        "Actor",
        "?item ?ap_{n} ?v . FILTER(?ap_{n} IN (<{sg}about>, <{sg}guarantor>, <{sg}beneficiary>)) "
        "?v a ?at_{n} . FILTER(?at_{n} IN ({agents}))",
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
        """Every thing browsed: an IRI with an ``sg:`` type outside the ontology and shapes
        graphs, no ``#`` fragment."""
        return (
            "GRAPH ?ug { ?item a ?ut } "
            f'FILTER(STRSTARTS(STR(?ut), "{self.sg}") && ?ug != <{self.base}graph/ontology> '
            f'&& ?ug != <{self.base}graph/shapes>) FILTER(!CONTAINS(STR(?item), "#"))'
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
        """The chosen values as patterns (each facet's pattern only matches things: a kind,
        a source, an actor… belong to assertions and entities), or the universe when
        nothing is chosen. No universe join on top: on a big graph it multiplies the work."""
        return self.filters(skip) or self.universe()

    def _state(self, skip: str | None = None) -> tuple[tuple[str, tuple[str, ...]], ...]:
        return tuple(sorted((k, tuple(sorted(v))) for k, v in self.chosen.items() if k != skip))

    def counts(self, facet: Facet) -> list[Count]:
        """The values of ``facet`` with their counts under every *other* choice (cached per
        version and state: paging through a choice, or changing this facet's own values,
        asks the store once)."""
        n = FACETS.index(facet) + 100
        where = self.filters(skip=facet.name)  # nothing else chosen: the facet's own pattern
        sparql = (
            f"SELECT ?v (COUNT(DISTINCT ?item) AS ?n) WHERE {{ {where}\n{self._fill(facet, n)} }} "
            f"GROUP BY ?v ORDER BY DESC(?n) ?v LIMIT {MAX_VALUES}"
        )
        key = ("counts", facet.name, self._state(skip=facet.name))
        return _remember(self.store, key, lambda: self._run_counts(sparql))

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

        return _remember(self.store, ("total", self._state()), run)

    def page(self, offset: int, limit: int) -> list[str]:
        # no ORDER BY: the store's index order is stable within a version (published
        # generations never change) and a sort would touch every match for each page
        sparql = (
            f"SELECT DISTINCT ?item WHERE {{ {self.where()} }} "
            f"LIMIT {int(limit)} OFFSET {int(offset)}"
        )
        key = ("page", self._state(), int(offset), int(limit))
        return _remember(
            self.store, key, lambda: [row["item"].value for row in self.store.query(sparql)]
        )


#: answers kept per store version: the unfiltered state and the most recent choices
MAX_REMEMBERED = 4096
_remembered: dict[tuple[int, str], OrderedDict[Any, Any]] = {}
_lock = threading.Lock()


def _remember(store: Store, key: Any, compute: Callable[[], T]) -> T:
    """A small LRU of query answers per store and version (a new build empties it)."""
    slot = (id(store), store.version())
    with _lock:
        entries = _remembered.get(slot)
        if entries is None:
            for old in [s for s in _remembered if s[0] == slot[0]]:
                del _remembered[old]
            entries = _remembered[slot] = OrderedDict()
        if key in entries:
            entries.move_to_end(key)
            return entries[key]
    value = compute()
    with _lock:
        entries[key] = value
        if len(entries) > MAX_REMEMBERED:
            entries.popitem(last=False)
    return value


def warm(store: Store, base: str, size: int = 20) -> None:
    """Ask for the unfiltered counts, total and first page once (they are remembered)."""
    query = FacetQuery(store, base, {})
    for facet in FACETS:
        query.counts(facet)
    query.total()
    query.page(0, size)


def agent_classes(store: Store, base: str) -> str:
    """``sg:Agent`` and its subclasses, as the inside of ``IN (…)`` (cached)."""
    agent = f"{base}ontology/Agent"

    def compute() -> str:
        found = {agent}
        for row in store.query(f"SELECT DISTINCT ?c WHERE {{ ?c <{RDFS}subClassOf>+ <{agent}> }}"):
            found.add(row["c"].value)
        return ", ".join(f"<{c}>" for c in sorted(found))

    return cache_for(store, "facets").get(store, "agents", compute)
