"""A full-text index of the words of quotes and claims: SQLite FTS5, one file per store version.

``kg build`` and ``kg load`` call :func:`ensure` when they have published a new generation;
the server calls it too (cheap when the file exists), so an index that is missing or stale —
made for another version of the store — is rebuilt instead of served. Nothing scans the store
per request: a search is one FTS5 ``MATCH`` ranked by ``bm25``.

What is indexed: every assertion (a subject of ``sg:kind``) with its quote (``oa:exact`` of the
selectors of ``prov:wasQuotedFrom``), its paraphrase (``sg:paraphrase``), the claim text of an
unstructured claim (``sg:statementText`` in the assertion graph), its kind and its source.
Words are folded with ``unicode61 remove_diacritics 2`` (case and accents ignored).

Where: ``<store>/var/search-<version>.sqlite`` for the embedded store (``var/`` beside the
generations; the store's own sweeping never touches it); for a remote store, a folder named
after the endpoint under the system's temporary directory. Writes go to a temporary file that
is renamed into place, so readers never see half an index; older files are pruned.
"""

from __future__ import annotations

import re
import sqlite3
import unicodedata
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import Any

from kg.store import Store
from kg.store.cache import new_version_file, prune_version_files, version_file

SCHEMA_VERSION = 1
OA = "http://www.w3.org/ns/oa#"
PROV = "http://www.w3.org/ns/prov#"
#: highlight sentinels: never in text (control characters are dropped on the way in)
OPEN, CLOSE = "\x02", "\x03"
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
KEEP_FILES = 3


def index_path(store: Store, base_iri: str) -> Path:
    return version_file(store, "search", SCHEMA_VERSION, base_iri)


@dataclass
class Doc:
    iri: str
    kind: str
    source: str
    quote: str
    paraphrase: str


def _clean(text: str) -> str:
    return _CONTROL.sub(" ", text)


def collect(store: Store, base_iri: str) -> list[Doc]:
    """The assertions and their words, from three grouped SPARQL queries."""
    sg = f"{base_iri}ontology/"
    docs: dict[str, Doc] = {}
    rows = store.query(
        f"""SELECT ?a ?kind ?doc WHERE {{
              ?a <{sg}kind> ?kind . OPTIONAL {{ ?a <{sg}sourceDocument> ?doc }} }}"""
    )
    for row in rows:
        iri = row["a"].value
        if iri not in docs:
            doc = row["doc"]
            docs[iri] = Doc(iri, row["kind"].value, doc.value if doc else "", "", "")
    quotes = store.query(
        f"""SELECT ?a ?text WHERE {{ ?a <{sg}kind> ?k ;
              <{PROV}wasQuotedFrom>/<{OA}hasSelector>/<{OA}exact> ?text }}"""
    )
    for row in quotes:
        doc = docs.get(row["a"].value)
        if doc is not None and not doc.quote:
            doc.quote = _clean(row["text"].value)
    words = store.query(
        f"""SELECT ?a ?text WHERE {{ ?a <{sg}kind> ?k .
              {{ ?a <{sg}paraphrase> ?text }}
              UNION {{ GRAPH ?a {{ ?claim <{sg}statementText> ?text }} }} }}"""
    )
    for row in words:
        doc = docs.get(row["a"].value)
        if doc is not None:
            text = _clean(row["text"].value)
            if text not in doc.paraphrase:
                doc.paraphrase = f"{doc.paraphrase} {text}".strip()
    return list(docs.values())


def write_index(path: Path, docs: list[Doc]) -> None:
    """Write ``docs`` to a new FTS5 file at ``path`` (atomically)."""
    with new_version_file(path) as db:
        db.executescript(
            """
            PRAGMA journal_mode = OFF;
            CREATE VIRTUAL TABLE docs USING fts5(
                iri UNINDEXED, kind UNINDEXED, source UNINDEXED, quote, paraphrase,
                tokenize = 'unicode61 remove_diacritics 2');
            CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);
            """
        )
        db.executemany(
            "INSERT INTO docs VALUES (?, ?, ?, ?, ?)",
            [(d.iri, d.kind, d.source, d.quote, d.paraphrase) for d in docs],
        )
        db.execute("INSERT INTO docs(docs) VALUES ('optimize')")
        db.execute("INSERT INTO meta VALUES ('documents', ?)", (str(len(docs)),))


def ensure(store: Store, base_iri: str = "https://w3id.org/sgkg/") -> Path:
    """The index file of the store's current version, built first if missing."""
    path = index_path(store, base_iri)
    if not path.is_file():
        write_index(path, collect(store, base_iri))
        prune_version_files(path.parent, "search-*.sqlite", path, KEEP_FILES)
    return path


# --- searching -------------------------------------------------------------------------------


@dataclass
class TextHit:
    iri: str
    kind: str
    source: str
    quote: str
    paraphrase: str
    quote_html: str  # the quote (or its best passage) with the matched words in <mark>
    paraphrase_html: str
    rank: float  # bm25: lower is better


def fts_query(text: str) -> str | None:
    """User words → an FTS5 query: every word must occur, the last one as a prefix."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    words = re.findall(r"\w+", folded)[:12]
    if not words:
        return None
    parts = [f'"{w}"' for w in words]
    parts[-1] += "*"
    return " ".join(parts)


def marked(text: str) -> str:
    """FTS5 highlight output (sentinels) → escaped HTML with ``<mark>``."""
    out = escape(text, quote=True)
    return out.replace(OPEN, "<mark>").replace(CLOSE, "</mark>")


def connect(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)


def search(
    db: sqlite3.Connection, text: str, *, limit: int = 20, offset: int = 0
) -> tuple[list[TextHit], int]:
    """One page of assertion hits (best first) and how many match in all."""
    match = fts_query(text)
    if match is None:
        return [], 0
    try:
        total = db.execute("SELECT count(*) FROM docs WHERE docs MATCH ?", (match,)).fetchone()[0]
        if total == 0 or offset >= total:
            return [], total
        rows: list[Any] = db.execute(
            f"""SELECT iri, kind, source, quote, paraphrase,
                      bm25(docs, 0, 0, 0, 2.0, 1.0) AS score,
                      highlight(docs, 3, '{OPEN}', '{CLOSE}'),
                      highlight(docs, 4, '{OPEN}', '{CLOSE}')
               FROM docs WHERE docs MATCH ? ORDER BY score LIMIT ? OFFSET ?""",
            (match, limit, offset),
        ).fetchall()
    except sqlite3.OperationalError:  # a query FTS5 cannot parse: no hits, not a 500
        return [], 0
    hits = [
        TextHit(iri, kind, source, quote, para, marked(hq or ""), marked(hp or ""), score)
        for iri, kind, source, quote, para, score, hq, hp in rows
    ]
    return hits, total
