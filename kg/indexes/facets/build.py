"""Building the facet index: one SPARQL query per facet extracts its ``(item, value)`` pairs
(:mod:`kg.indexes.facets.definition`), written to a new SQLite file per store version.

Tables::

    item(id, iri)                    -- the universe, ids in page order (our data first, by IRI)
    term(id, facet, iri, items, first_byte, bits)
                                     -- the values of each facet, with their unfiltered counts
                                        and their items as a trimmed bitmap
    item_facet(facet, value, item)   -- primary key (facet, value, item)
    meta(key, value)

Where: the store's folder for derived files, ``facets-<version>-<digest>.sqlite``; written to
a temporary file and renamed into place under an ``flock``, so that concurrent workers build
it once and readers never see half an index; older files are pruned.
"""

from __future__ import annotations

import fcntl
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kg.indexes.facets.bitmaps import to_bytes
from kg.indexes.facets.definition import FACETS, agent_classes, fill
from kg.store import Store
from kg.store.cache import new_version_file, prune_version_files, version_file

SCHEMA_VERSION = 1
KEEP_FILES = 3


def index_path(store: Store, base_iri: str) -> Path:
    return version_file(store, "facets", SCHEMA_VERSION, base_iri)


@dataclass
class Extract:
    items: list[str]  # in page order
    pairs: dict[str, set[tuple[str, str]]]  # facet → {(item, value)}
    seconds: float


def _item_order(base_iri: str) -> Any:
    return lambda iri: (not iri.startswith(base_iri), iri)


def collect(store: Store, base_iri: str) -> Extract:
    """The universe and each facet's ``(item, value)`` pairs: one SPARQL query per facet."""
    started = time.perf_counter()
    agents = agent_classes(store, base_iri)
    pairs: dict[str, set[tuple[str, str]]] = {}
    for n, facet in enumerate(FACETS):
        found: set[tuple[str, str]] = set()
        sparql = f"SELECT DISTINCT ?item ?v WHERE {{ {fill(facet, base_iri, agents, n)} }}"
        for row in store.query(sparql):
            item, value = row["item"], row["v"]
            if type(item).__name__ == "NamedNode" and type(value).__name__ == "NamedNode":
                found.add((item.value, value.value))
        pairs[facet.name] = found
    # the universe is what the type facet matches (its pattern is the universe's)
    universe = {item for item, _ in pairs["type"]}
    for name, found in pairs.items():
        if name != "type":
            pairs[name] = {p for p in found if p[0] in universe}
    items = sorted(universe, key=_item_order(base_iri))
    return Extract(items, pairs, time.perf_counter() - started)


def write_index(path: Path, extract: Extract) -> None:
    """Write the index to a new SQLite file at ``path`` (atomically)."""
    with new_version_file(path) as db:
        db.executescript(
            """
            PRAGMA journal_mode = OFF;
            PRAGMA synchronous = OFF;
            CREATE TABLE item (id INTEGER PRIMARY KEY, iri TEXT NOT NULL);
            CREATE TABLE term (
                id INTEGER PRIMARY KEY, facet INTEGER NOT NULL, iri TEXT NOT NULL,
                items INTEGER NOT NULL, first_byte INTEGER NOT NULL, bits BLOB NOT NULL);
            CREATE TABLE item_facet (
                facet INTEGER NOT NULL, value INTEGER NOT NULL, item INTEGER NOT NULL,
                PRIMARY KEY (facet, value, item)) WITHOUT ROWID;
            CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);
            """
        )
        ids = {iri: n for n, iri in enumerate(extract.items)}
        db.executemany("INSERT INTO item VALUES (?, ?)", ((n, iri) for iri, n in ids.items()))
        term_id = 0
        for facet_id, facet in enumerate(FACETS):
            by_value: dict[str, list[int]] = {}
            for item, value in extract.pairs.get(facet.name, ()):
                by_value.setdefault(value, []).append(ids[item])
            rows = []
            for value in sorted(by_value):
                members = sorted(by_value[value])
                first, bits = to_bytes(members)
                db.execute(
                    "INSERT INTO term VALUES (?, ?, ?, ?, ?, ?)",
                    (term_id, facet_id, value, len(members), first, bits),
                )
                rows += [(facet_id, term_id, item) for item in members]
                term_id += 1
            db.executemany("INSERT INTO item_facet VALUES (?, ?, ?)", rows)
        db.execute("CREATE UNIQUE INDEX term_iri ON term (facet, iri)")
        db.executemany(
            "INSERT INTO meta VALUES (?, ?)",
            [
                ("schema", str(SCHEMA_VERSION)),
                ("items", str(len(extract.items))),
                ("pairs", str(sum(len(p) for p in extract.pairs.values()))),
                ("extract_seconds", f"{extract.seconds:.3f}"),
            ],
        )


def ensure(store: Store, base_iri: str = "https://w3id.org/sgkg/") -> Path:
    """The index file of the store's current version, built first (once: other processes
    and threads wait on the lock and then find it) if missing."""
    path = index_path(store, base_iri)
    if path.is_file():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.parent / "facets.lock", "a+") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not path.is_file():
            write_index(path, collect(store, base_iri))
            prune_version_files(path.parent, "facets-*.sqlite", path, KEEP_FILES)
    return path
