"""The one per-version cache: values computed from a store, kept until its version moves.

A store's version (:meth:`kg.store.Store.version`) changes with every write, and what is
computed from one version stays true until then: labels, VoID statistics, the ontology and
shapes documents, the subsets per source. ``cached(store, name, key, compute)`` computes once
per (store, version, name, key); a new version empties that store's entries.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import re
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable, Hashable, Iterator
from pathlib import Path
from typing import Any, TypeVar

from kg.store.base import Store

T = TypeVar("T")

_lock = threading.RLock()  # re-entrant: cached values are built from cached values
#: store key → (version, {(name, key): value})
_entries: dict[str, tuple[str, dict[tuple[str, Hashable], Any]]] = {}
#: store key → the newest value of each (name, key) in the versions before the current one
_previous: dict[str, dict[tuple[str, Hashable], Any]] = {}
_refreshing: set[tuple[str, str, str, Hashable]] = set()
_stale_names: set[str] = set()  # only these are kept across versions
_refreshed: dict[tuple[str, str, Hashable], float] = {}  # when each entry was last rebuilt
#: a stale-ok entry is rebuilt at most this often while versions keep changing
REFRESH_SECONDS = 5.0
log = logging.getLogger(__name__)


def cached(
    store: Store, name: str, key: Hashable, compute: Callable[[], T], *, stale_ok: bool = False
) -> T:
    """``compute()`` once per (store, version, ``name``, ``key``).

    ``stale_ok=True`` (expensive derived indexes: search, completion, facets): right after a
    write, the value of an earlier version is answered while one background thread computes
    the new one — a burst of updates does not make every request rebuild the index."""
    store_key = store.cache_key()
    version = store.version()
    found = _entries.get(store_key)
    if found is None or found[0] != version:
        with _lock:
            found = _entries.get(store_key)
            if found is None or found[0] != version:
                if found is not None:  # the newest value of each stale-ok entry so far
                    kept = {k: v for k, v in found[1].items() if k[0] in _stale_names}
                    _previous[store_key] = {**_previous.get(store_key, {}), **kept}
                found = (version, {})
                _entries[store_key] = found
    values = found[1]
    try:
        return values[(name, key)]
    except KeyError:
        pass
    if stale_ok:
        _stale_names.add(name)
        old = _previous.get(store_key, {})
        if (name, key) in old:
            _refresh((store_key, version, name, key), values, compute)
            stale: T = old[(name, key)]
            return stale
    with _lock:
        if (name, key) not in values:
            values[(name, key)] = compute()
        return values[(name, key)]


def _refresh(job: tuple[str, str, str, Hashable], values: dict[Any, Any], compute: Any) -> None:
    """Compute one value of a new version in the background (once; and for each entry at
    most once per ``REFRESH_SECONDS``, so a stream of updates costs one rebuild per interval,
    not one per update)."""
    entry = (job[0], job[2], job[3])
    now = time.monotonic()
    with _lock:
        if job in _refreshing or now - _refreshed.get(entry, -REFRESH_SECONDS) < REFRESH_SECONDS:
            return
        _refreshing.add(job)
        _refreshed[entry] = now

    def run() -> None:
        try:
            value = compute()
            with _lock:
                values.setdefault((job[2], job[3]), value)
        except Exception:
            log.exception("refreshing the %s cache failed", job[2])
        finally:
            with _lock:
                _refreshing.discard(job)

    threading.Thread(target=run, name=f"refresh-{job[2]}", daemon=True).start()


def clear() -> None:
    """Forget everything (tests)."""
    with _lock:
        _entries.clear()
        _previous.clear()
        _refreshed.clear()


def version_file(store: Store, kind: str, schema_version: int, base_iri: str) -> Path:
    """The path of a per-version index file (``{kind}-{version}-{digest}.sqlite`` in the
    store's local folder): one per store version, schema version and base IRI."""
    digest = hashlib.sha256(f"{schema_version} {base_iri}".encode()).hexdigest()[:8]
    version = re.sub(r"[^A-Za-z0-9_.-]", "_", store.version())[:80]
    return store.local_dir() / f"{kind}-{version}-{digest}.sqlite"


@contextlib.contextmanager
def new_version_file(path: Path) -> Iterator[sqlite3.Connection]:
    """A new SQLite file for ``path``, written aside and renamed into place when the block
    ends without an exception (removed otherwise): readers never see half an index."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp")
    db = sqlite3.connect(tmp)
    try:
        yield db
        db.commit()
    except BaseException:
        db.close()
        tmp.unlink(missing_ok=True)
        raise
    db.close()
    os.replace(tmp, path)


def prune_version_files(
    folder: Path, pattern: str, keep: Path, count: int = 3, min_age: float = 60.0
) -> None:
    """Delete all but the ``count`` newest files matching ``pattern`` in ``folder`` (never
    ``keep``): the per-version index files (search, facets) of versions that are gone. A
    file younger than ``min_age`` seconds stays: another worker may still answer from it
    while it builds the next one (stale-ok entries above)."""
    cutoff = time.time() - min_age
    dated = []
    for path in folder.glob(pattern):
        with contextlib.suppress(OSError):
            dated.append((path.stat().st_mtime, path))
    dated.sort(reverse=True)
    for mtime, old in dated[count:]:
        if old != keep and mtime < cutoff:
            with contextlib.suppress(OSError):
                old.unlink()
