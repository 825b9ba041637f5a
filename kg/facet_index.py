"""The facet index of ``/browse``: a small SQLite file per store version, counted with SQL.

``kg build`` and ``kg load`` call :func:`ensure` when they have published a new generation
(from :func:`kg.search_index.ensure`'s callers); the server calls it too and builds a missing
or stale index (made for another version) once, under a lock, before answering. Nothing scans
the store per request: a browsing state is a few SQL statements over indexed tables.

What is indexed. The things browsed are the assertions and entities: every IRI with an ``sg:``
type outside the ontology and shapes graphs, without a ``#`` fragment (the universe; quote
selectors and claim nodes belong to their assertion). Each facet is a SPARQL pattern from
``?item`` to a value ``?v`` (:data:`FACETS`); the index holds, per facet, the distinct
``(item, value)`` pairs of that pattern whose item is in the universe and whose value is an
IRI. One SPARQL query per facet extracts them at build time.

Tables::

    item(id, iri)                    -- the universe, ids in page order (our data first, by IRI)
    term(id, facet, iri, items)      -- the values of each facet, with their unfiltered counts
    item_facet(facet, value, item)   -- primary key (facet, value, item); index (item, facet, value)
    meta(key, value)

Answers (:class:`FacetIndex`). Values of one facet are alternatives (OR); facets combine
(AND). The matches of a state are the intersection over chosen facets of the items having one
of the chosen values. The counts of a facet are a ``GROUP BY value`` over the matches of every
*other* facet's choice (disjunctive faceting): a facet that is not chosen is counted over the
matches; a chosen facet over the matches without its own choice (the unfiltered counts, kept
in ``term.items``, when it is the only one chosen). Because ``(facet, value, item)`` is unique,
``COUNT(*)`` is the ``COUNT(DISTINCT ?item)`` of :func:`counts_sparql`, the same numbers the
store gives (tested). Pages are the matches in item order.

Where: beside the search index (:func:`kg.search_index.var_dir`), ``facets-<version>-<digest>
.sqlite``; written to a temporary file and renamed into place under an ``flock``, so that
concurrent workers build it once and readers never see half an index; older files are pruned.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import re
import sqlite3
import threading
import time
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kg.search_index import var_dir
from kg.store import Store
from kg.store.cache import prune_version_files

SCHEMA_VERSION = 1
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
KEEP_FILES = 3
MAX_VALUES = 60  # values listed per facet (the most frequent)


@dataclass(frozen=True)
class Facet:
    name: str
    title: str
    #: the pattern binding ``?v`` for ``?item``; ``{sg}``, ``{n}``, ``{agents}``, ``{onto}``
    #: and ``{shapes}`` are filled in
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
    Facet(
        "actor",
        "Actor",
        "VALUES ?ap_{n} {{ <{sg}about> <{sg}guarantor> <{sg}beneficiary> }} "
        "?item ?ap_{n} ?v . ?v a ?at_{n} . VALUES ?at_{n} {{ {agents} }}",
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
FACET_IDS = {f.name: n for n, f in enumerate(FACETS)}


# --- the SPARQL definition -----------------------------------------------------------------


def agent_classes(store: Store, base_iri: str) -> list[str]:
    """``sg:Agent`` and its subclasses."""
    agent = f"{base_iri}ontology/Agent"
    found = {agent}
    for row in store.query(f"SELECT DISTINCT ?c WHERE {{ ?c <{RDFS}subClassOf>+ <{agent}> }}"):
        found.add(row["c"].value)
    return sorted(found)


def fill(facet: Facet, base_iri: str, agents: Sequence[str], n: int, var: str = "?v") -> str:
    """The facet's pattern with ``?v`` renamed to ``var`` and the placeholders filled in."""
    text = facet.pattern.format(
        sg=f"{base_iri}ontology/",
        n=n,
        agents=" ".join(f"<{a}>" for a in agents),
        onto=f"{base_iri}graph/ontology",
        shapes=f"{base_iri}graph/shapes",
    )
    return text.replace("?v", var)


def universe_sparql(base_iri: str) -> str:
    sg = f"{base_iri}ontology/"
    return (
        "GRAPH ?ug { ?item a ?ut } "
        f'FILTER(STRSTARTS(STR(?ut), "{sg}") && ?ug != <{base_iri}graph/ontology> '
        f'&& ?ug != <{base_iri}graph/shapes>) FILTER(isIRI(?item) && !CONTAINS(STR(?item), "#"))'
    )


def _where(
    base_iri: str, agents: Sequence[str], chosen: Mapping[str, Sequence[str]], skip: str | None
) -> list[str]:
    parts = [universe_sparql(base_iri)]
    for n, facet in enumerate(FACETS):
        values = chosen.get(facet.name)
        if values and facet.name != skip:
            var = f"?f_{n}"
            iris = " ".join(f"<{v}>" for v in values)
            parts.append(f"VALUES {var} {{ {iris} }} {fill(facet, base_iri, agents, n, var)}")
    return parts


def counts_sparql(
    base_iri: str, agents: Sequence[str], chosen: Mapping[str, Sequence[str]], facet: str
) -> str:
    """The ``GROUP BY`` that defines a facet's counts under the other facets' choices (what
    the index answers; the tests check it against the store)."""
    parts = _where(base_iri, agents, chosen, skip=facet)
    target = FACETS_BY_NAME[facet]
    parts.append(fill(target, base_iri, agents, 100 + FACETS.index(target)))
    parts.append("FILTER(isIRI(?v))")
    where = "\n".join(parts)
    return f"SELECT ?v (COUNT(DISTINCT ?item) AS ?n) WHERE {{ {where} }} GROUP BY ?v"


def matches_sparql(
    base_iri: str, agents: Sequence[str], chosen: Mapping[str, Sequence[str]]
) -> str:
    """The things a state selects (what :meth:`BrowseState.page` pages through)."""
    where = "\n".join(_where(base_iri, agents, chosen, skip=None))
    return f"SELECT DISTINCT ?item WHERE {{ {where} }}"


# --- building --------------------------------------------------------------------------------


def index_path(store: Store, base_iri: str) -> Path:
    digest = hashlib.sha256(f"{SCHEMA_VERSION} {base_iri}".encode()).hexdigest()[:8]
    version = re.sub(r"[^A-Za-z0-9_.-]", "_", store.version())[:80]
    return var_dir(store) / f"facets-{version}-{digest}.sqlite"


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


def _bits(ids: Iterable[int]) -> tuple[int, bytes]:
    """A set of item ids as ``(first byte, little-endian bytes from it)``: a bitmap trimmed
    to the bytes between its first and last member."""
    ids = sorted(ids)
    first = ids[0] // 8
    buf = bytearray(ids[-1] // 8 - first + 1)
    for i in ids:
        buf[i // 8 - first] |= 1 << (i % 8)
    return first, bytes(buf)


def write_index(path: Path, extract: Extract) -> None:
    """Write the index to a new SQLite file at ``path`` (atomically)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp")
    with contextlib.suppress(FileNotFoundError):
        tmp.unlink()
    db = sqlite3.connect(tmp)
    try:
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
                first, bits = _bits(members)
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
        db.commit()
    finally:
        db.close()
    os.replace(tmp, path)


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


# --- answering -------------------------------------------------------------------------------


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


def _positions(matches: int, offset: int, limit: int) -> list[int]:
    """The ids (bit positions) of the ``offset``-th to ``offset + limit - 1``-th members."""
    if limit <= 0 or offset >= matches.bit_count():
        return []
    lo, hi = 0, matches.bit_length()
    while lo < hi:  # the smallest width holding more than ``offset`` members
        mid = (lo + hi) // 2
        if (matches & ((1 << mid) - 1)).bit_count() > offset:
            hi = mid
        else:
            lo = mid + 1
    position = lo - 1
    rest = matches >> position
    found = []
    while rest and len(found) < limit:
        step = (rest & -rest).bit_length() - 1
        position += step
        found.append(position)
        rest >>= step + 1
        position += 1
    return found


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
            ids = _positions(found, offset, limit)
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


# --- per-process access for the server ---------------------------------------------------------

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
