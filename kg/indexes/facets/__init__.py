"""The facet index of ``/browse``: a small SQLite file per store version, counted in memory.

``kg build`` and ``kg load`` call :func:`ensure` when they have published a new generation
(beside :func:`kg.indexes.search.ensure`); the server calls it too and builds a missing or
stale index (made for another version) once, under a lock, before answering. Nothing scans
the store per request: a browsing state is a few bitmap operations over the loaded index.

- :mod:`~kg.indexes.facets.definition`: what is indexed — the facets as SPARQL patterns, and
  the SPARQL queries that define the counts and matches (the tests check the index on them);
- :mod:`~kg.indexes.facets.build`: extracting the ``(item, value)`` pairs and writing the file;
- :mod:`~kg.indexes.facets.bitmaps`: sets of item ids as integers and bytes;
- :mod:`~kg.indexes.facets.query`: answering a browsing state (counts, totals, pages).
"""

from kg.indexes.facets.build import Extract, collect, ensure, index_path, write_index
from kg.indexes.facets.definition import (
    FACET_IDS,
    FACETS,
    FACETS_BY_NAME,
    MAX_VALUES,
    Facet,
    agent_classes,
    counts_sparql,
    matches_sparql,
)
from kg.indexes.facets.query import BrowseState, Count, FacetIndex, open_index

__all__ = [
    "FACETS",
    "FACETS_BY_NAME",
    "FACET_IDS",
    "MAX_VALUES",
    "BrowseState",
    "Count",
    "Extract",
    "Facet",
    "FacetIndex",
    "agent_classes",
    "collect",
    "counts_sparql",
    "ensure",
    "index_path",
    "matches_sparql",
    "open_index",
    "write_index",
]
