"""The store: one interface (:class:`Store`), three implementations.

* :class:`EmbeddedStore` (``kg.store.embedded``): an on-disk pyoxigraph database in
  generations (``KG_STORE`` is a directory);
* :class:`RemoteStore` (``kg.store.remote``): any SPARQL 1.1 server — ``oxigraph serve``,
  Fuseki-style URL layouts (``KG_STORE`` is an ``http(s)://`` URL);
* :class:`VirtuosoStore` (``kg.store.virtuoso``): OpenLink Virtuoso 7
  (``KG_STORE=http://host:8890/sparql#flavour=virtuoso``).

Callers get one from :func:`open_store` and never ask which kind they hold.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from kg.store.base import (
    LoadPlan,
    LoadReport,
    NoAcceptableFormat,
    Patterns,
    QueryAnswer,
    QueryJob,
    ResultTooLarge,
    Store,
    Unsupported,
    import_graph_iri,
)
from kg.store.embedded import EmbeddedStore

__all__ = [
    "EmbeddedStore",
    "LoadPlan",
    "LoadReport",
    "NoAcceptableFormat",
    "Patterns",
    "QueryAnswer",
    "QueryJob",
    "ResultTooLarge",
    "Store",
    "Unsupported",
    "import_graph_iri",
    "open_store",
]


def open_store(
    location: str | os.PathLike[str], settings: Mapping[str, Any] | None = None
) -> Store:
    """The store named by ``KG_STORE``: a directory or an ``http(s)://`` endpoint.

    ``settings`` (``kg.settings.load()``, or the Flask config) gives the query timeout, the
    base IRI, the User-Agent contact and the number of query processes."""
    settings = settings or {}
    text = str(location)
    if text.startswith(("http://", "https://")):
        from kg.store.remote import open_remote  # noqa: PLC0415 (optional mode)

        return open_remote(text, settings)
    return EmbeddedStore(Path(text), query_workers=int(settings.get("QUERY_WORKERS", 4)))
