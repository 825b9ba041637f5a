"""Faceted browsing: which things match the chosen facet values, and how many per value.

The things browsed are the assertions and the entities of the data: every IRI with a type in
the ``sg:`` namespace outside the ontology and shapes graphs (no ``#`` fragments: quote
selectors and claim nodes belong to their assertion). Each facet is a SPARQL pattern from
``?item`` to a value ``?v`` (:data:`kg.indexes.facets.FACETS`):

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

Nothing here runs SPARQL per request: the ``(item, value)`` pairs of every facet are extracted
once per store version into the facet index (:mod:`kg.indexes.facets`, built by ``kg build`` and
``kg load``, or here when missing or stale), and any state — counts, total, a page — is
answered from it in milliseconds, whatever the combination. The ``GROUP BY`` queries that
define the counts (:func:`kg.indexes.facets.counts_sparql`) check the index in the tests.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from kg.indexes.facets import FACETS, FACETS_BY_NAME, MAX_VALUES, Count, Facet, open_index
from kg.store import Store
from kg.store.cache import cached

__all__ = ["FACETS", "FACETS_BY_NAME", "MAX_VALUES", "Count", "Facet", "FacetQuery", "warm"]


class FacetQuery:
    """One browsing state (facet name → chosen IRIs) on one store, answered by the facet
    index of the store's current version."""

    def __init__(self, store: Store, base: str, chosen: Mapping[str, Sequence[str]]) -> None:
        self.store = store
        self.base = base
        self.chosen = {k: list(v) for k, v in chosen.items() if v}
        # right after a write, the previous version's index answers while the new one is
        # built in the background (kg.store.cache, stale_ok)
        index = cached(store, "facet-index", base, lambda: open_index(store, base), stale_ok=True)
        if not index.path.exists():  # a stale index whose file was pruned meanwhile
            index = open_index(store, base)
        self.state = index.state(self.chosen)
        self._counts: dict[str, list[Count]] | None = None

    def counts(self, facet: Facet) -> list[Count]:
        """The values of ``facet`` with their counts under every *other* choice, the most
        frequent first (at most :data:`MAX_VALUES`)."""
        if self._counts is None:
            self._counts = self.state.counts(MAX_VALUES)
        return self._counts[facet.name]

    def total(self) -> int:
        return self.state.total()

    def page(self, offset: int, limit: int) -> list[str]:
        """The matches from ``offset``, in the index's order (our data first, then by IRI;
        stable within a version)."""
        return self.state.page(int(offset), int(limit))


def warm(store: Store, base: str, size: int = 20) -> None:
    """Load (building it first if a build did not) the facet index of the current version."""
    FacetQuery(store, base, {}).page(0, size)
