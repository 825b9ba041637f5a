"""Answering a browsing state from the facet index: counts, totals and pages, no SPARQL.

The matches of a state are the intersection over chosen facets of the items having one of the
chosen values (bitmaps ANDed). The counts of a facet are counted over the matches of every
*other* facet's choice: a facet that is not chosen over the matches; a chosen facet over the
matches without its own choice (the unfiltered counts, kept in ``term.items``, when it is the
only one chosen). These are the numbers of :func:`kg.indexes.facets.definition.counts_sparql`
(tested). Pages are the matches in item order.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from kg.indexes.facets.bitmaps import positions
from kg.indexes.facets.build import ensure, index_path
from kg.indexes.facets.definition import FACET_IDS, FACETS, MAX_VALUES
from kg.store import Store


@dataclass(frozen=True)
class Count:
    value: str  # IRI
    count: int


@dataclass
class _Values:
    """One facet's values: bitmaps shifted right by ``low`` (the facet's first member), so
    that an AND costs the facet's span of items, not the whole universe."""

    low: int
    term_ids: list[int]
    bits: list[int]


class FacetIndex:
    """One index file, read once per process: the facet values' bitmaps in memory (shared by
    threads: never written after loading), item IRIs read from SQLite per thread."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._local = threading.local()
        db = self._db()
        self.items = int(db.execute("SELECT count(*) FROM item").fetchone()[0])
        self.everything = (1 << self.items) - 1
        self.terms: dict[int, tuple[int, str, int]] = {}  # id → (facet, iri, unfiltered count)
        self.term_ids: dict[tuple[int, str], int] = {}
        raw: dict[int, list[tuple[int, int, bytes]]] = {n: [] for n in range(len(FACETS))}
        for tid, facet, iri, items, first, bits in db.execute(
            "SELECT id, facet, iri, items, first_byte, bits FROM term ORDER BY id"
        ):
            self.terms[tid] = (facet, iri, items)
            self.term_ids[(facet, iri)] = tid
            raw[facet].append((tid, first, bits))
        self.values: dict[int, _Values] = {}
        for facet, entries in raw.items():
            low = 8 * min((first for _, first, _ in entries), default=0)
            self.values[facet] = _Values(
                low,
                [tid for tid, _, _ in entries],
                [int.from_bytes(bits, "little") << (8 * first - low) for _, first, bits in entries],
            )
        self.unfiltered: dict[int, list[Count]] = {n: [] for n in range(len(FACETS))}
        for facet, iri, items in sorted(self.terms.values(), key=lambda t: (t[0], -t[2], t[1])):
            self.unfiltered[facet].append(Count(iri, items))

    def _db(self) -> sqlite3.Connection:
        db = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, check_same_thread=False)
            self._local.db = db
        return db

    def members(self, tid: int) -> int:
        """The bitmap of one value (absolute positions)."""
        facet = self.terms[tid][0]
        values = self.values[facet]
        return values.bits[values.term_ids.index(tid)] << values.low

    def iris(self, ids: Sequence[int]) -> list[str]:
        if not ids:
            return []
        marks = ",".join("?" * len(ids))
        found = dict(self._db().execute(f"SELECT id, iri FROM item WHERE id IN ({marks})", ids))
        return [found[i] for i in ids]

    def state(self, chosen: Mapping[str, Iterable[str]]) -> BrowseState:
        return BrowseState(self, chosen)


class BrowseState:
    """One browsing state (the chosen values per facet) answered from the index."""

    def __init__(self, index: FacetIndex, chosen: Mapping[str, Iterable[str]]) -> None:
        self.index = index
        #: facet id → the items having one of its chosen values (OR within a facet)
        self.sets: dict[int, int] = {}
        for name, values in chosen.items():
            values = list(values)
            if not values:
                continue
            fid = FACET_IDS[name]
            union = 0
            for value in values:
                tid = index.term_ids.get((fid, value))
                if tid is not None:
                    union |= index.members(tid)
            self.sets[fid] = union
        self._matches: dict[int | None, int | None] = {}

    def matches(self, skip: int | None = None) -> int | None:
        """The items matching every chosen facet but ``skip`` (AND across facets) as a
        bitmap; ``None`` when nothing else is chosen (every item matches)."""
        if skip not in self._matches:
            found: int | None = None
            for fid, members in sorted(self.sets.items(), key=lambda s: s[1].bit_length()):
                if fid != skip:
                    found = members if found is None else found & members
            self._matches[skip] = found
        return self._matches[skip]

    def total(self) -> int:
        found = self.matches()
        return self.index.items if found is None else found.bit_count()

    def page(self, offset: int, limit: int) -> list[str]:
        found = self.matches()
        if found is None:
            ids = list(range(offset, min(offset + limit, self.index.items)))
        else:
            ids = positions(found, offset, limit)
        return self.index.iris(ids)

    def counts(self, limit: int = MAX_VALUES) -> dict[str, list[Count]]:
        """Every facet's values with their counts under the other facets' choices, the most
        frequent first (ties by IRI), at most ``limit`` per facet."""
        out: dict[str, list[Count]] = {}
        terms = self.index.terms
        for fid, facet in enumerate(FACETS):
            within = self.matches(skip=fid)
            if within is None:
                out[facet.name] = self.index.unfiltered[fid][:limit]
                continue
            values = self.index.values[fid]
            shifted = within >> values.low
            counted = []
            for tid, bits in zip(values.term_ids, values.bits, strict=True):
                n = (shifted & bits).bit_count()
                if n:
                    counted.append(Count(terms[tid][1], n))
            counted.sort(key=lambda c: (-c.count, c.value))
            out[facet.name] = counted[:limit]
        return out


# --- per-process access for the server -----------------------------------------------------

_open: dict[Path, FacetIndex] = {}
_open_lock = threading.Lock()


def open_index(store: Store, base_iri: str) -> FacetIndex:
    """The index of the store's current version, loaded once per process (built first when
    missing or stale)."""
    path = index_path(store, base_iri)
    index = _open.get(path)
    if index is not None:
        return index
    with _open_lock:
        index = _open.get(path)
        if index is None:
            index = FacetIndex(ensure(store, base_iri))
            for old in [p for p in _open if p.parent == path.parent]:
                del _open[old]
            _open[path] = index
    return index
