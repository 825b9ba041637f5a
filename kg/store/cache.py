"""The one per-version cache: values computed from a store, kept until its version moves.

A store's version (:meth:`kg.store.Store.version`) changes with every write, and what is
computed from one version stays true until then: labels, VoID statistics, the ontology and
shapes documents, the subsets per source. ``cached(store, name, key, compute)`` computes once
per (store, version, name, key); a new version empties that store's entries.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Hashable
from pathlib import Path
from typing import Any, TypeVar

from kg.store.base import Store

T = TypeVar("T")

_lock = threading.RLock()  # re-entrant: cached values are built from cached values
#: store key → (version, {(name, key): value})
_entries: dict[str, tuple[str, dict[tuple[str, Hashable], Any]]] = {}


def cached(store: Store, name: str, key: Hashable, compute: Callable[[], T]) -> T:
    """``compute()`` once per (store, version, ``name``, ``key``)."""
    store_key = store.cache_key()
    version = store.version()
    found = _entries.get(store_key)
    if found is None or found[0] != version:
        with _lock:
            found = _entries.get(store_key)
            if found is None or found[0] != version:
                found = (version, {})
                _entries[store_key] = found
    values = found[1]
    try:
        return values[(name, key)]
    except KeyError:
        pass
    with _lock:
        if (name, key) not in values:
            values[(name, key)] = compute()
        return values[(name, key)]


def clear() -> None:
    """Forget everything (tests)."""
    with _lock:
        _entries.clear()


def prune_version_files(folder: Path, pattern: str, keep: Path, count: int = 3) -> None:
    """Delete all but the ``count`` newest files matching ``pattern`` in ``folder`` (never
    ``keep``): the per-version index files (search, facets) of versions that are gone."""
    files = sorted(folder.glob(pattern), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in files[count:]:
        if old != keep:
            with contextlib.suppress(OSError):
                old.unlink()
