"""Per-version indexes derived from the store, kept in its folder for derived files
(:meth:`kg.store.Store.local_dir`), one file per store version, rebuilt when stale:

- :mod:`kg.indexes.search`: the words of quotes and claims (SQLite FTS5), for ``/search``;
- :mod:`kg.indexes.facets`: the facet values of every browsable thing, for ``/browse``.

``kg build`` and ``kg load`` build both when they publish a new generation; the server builds
a missing one once, under a lock, before answering.
"""
