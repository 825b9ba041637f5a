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
    base IRI, the User-Agent contact, the number of query processes and their memory
    ceiling (``MAX_MEMORY_MB``)."""
    settings = settings or {}
    text = str(location)
    if text.startswith(("http://", "https://")):
        return _open_remote(text, settings)
    memory_mb = settings.get("MAX_MEMORY_MB")
    return EmbeddedStore(
        Path(text),
        query_workers=int(settings.get("QUERY_WORKERS", 4)),
        memory_mb=int(memory_mb) if memory_mb else None,
        update_timeout=float(settings.get("QUERY_TIMEOUT", 120.0)),
    )


def _open_remote(url: str, settings: Mapping[str, Any]) -> Store:
    """The remote store for ``url`` (its flavour picks the class), set up from settings."""
    from kg.store.remote import DEFAULT_BASE_IRI, RemoteStore  # noqa: PLC0415
    from kg.store.transport import Endpoints  # noqa: PLC0415
    from kg.useragent import requests_agent  # noqa: PLC0415

    kwargs: dict[str, Any] = {
        "timeout": float(settings.get("QUERY_TIMEOUT", 30.0)),
        "base_iri": settings.get("BASE_IRI", DEFAULT_BASE_IRI),
        "user_agent": requests_agent(settings.get("CONTACT")),
    }
    if Endpoints.from_url(url).flavour == "virtuoso":
        from kg.store.virtuoso import VirtuosoStore  # noqa: PLC0415

        return VirtuosoStore(url, **kwargs)
    return RemoteStore(url, **kwargs)
