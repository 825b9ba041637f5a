"""One source folder: its text, its metadata (``source.yaml``) and its claims file.

A source lives in ``kg/data/sources/<slug>/``::

    text.txt      the text exactly as obtained (UTF-8); quotes' offsets index into it
    source.yaml   title, type, authors or parties, publisher, date, URL, licence,
                  language, SHA-256 of text.txt, how the text was obtained, assertion prefix
    claims.yaml   the claims, written by hand (see docs/curation.md)
    entities.ttl  (optional) the entities this source names: types and names only

The metadata becomes the document's description in ``graph/sources``; nothing here is typed
twice: the SHA-256 is checked against the text, and the text itself is added as
``sg:sourceText`` so that every quote can be checked against the published graph.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg.errors import ParseError, QuoteMismatch, ValidationFailed
from kg.namespaces import SG
from kg.sources import vocab as v
from kg.sources import yamlfile
from kg.sources.text import LineRule, Segmented, segment

TEXT_FILE, META_FILE, CLAIMS_FILE, ENTITIES_FILE = (
    "text.txt",
    "source.yaml",
    "claims.yaml",
    "entities.ttl",
)
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
META_KEYS = {
    "title": "the document's title",
    "type": f"one of {', '.join(v.DOCUMENT_TYPES)}",
    "authors": "the authors (commentary), as CURIEs such as person:jane-doe",
    "parties": "the parties (agreement, declaration), as CURIEs such as country:ukraine",
    "publisher": "who published the document, as a CURIE",
    "date": "the document's date, YYYY-MM-DD, or null when the document gives none",
    "url": "where the document was published",
    "licence": "the licence or copyright status of the text (an IRI or a sentence)",
    "language": "the language of the text (BCP 47, e.g. en)",
    "sha256": "the SHA-256 of text.txt (kg source add computes it)",
    "obtained": "how the text was obtained and what was normalised",
    "assertion-prefix": "the prefix of this source's assertion slugs, e.g. usg",
    "curated": "the date the claims were written, YYYY-MM-DD",
    "note": "anything else a reader of the text should know",
}
REQUIRED_META = ("title", "type", "language", "sha256", "obtained", "assertion-prefix", "curated")


def sha256_of(text: str) -> str:
    """SHA-256 of the UTF-8 bytes of ``text``."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def expand(curie: Any, where: str, prefixes: dict[str, str] | None = None) -> str:
    """A CURIE (``country:ukraine``) or ``<IRI>`` → IRI; anything else is a ParseError."""
    table = prefixes or v.PREFIXES
    if isinstance(curie, str):
        if curie.startswith("<") and curie.endswith(">"):
            return curie[1:-1]
        if curie.startswith(("http://", "https://")):
            return curie
        prefix, sep, local = curie.partition(":")
        if sep and prefix in table and re.fullmatch(r"[A-Za-z0-9_][A-Za-z0-9_.-]*", local):
            return table[prefix] + local
    raise ParseError(
        f"{curie!r} is not a known CURIE (prefixes: {', '.join(sorted(table))}) or <IRI>",
        source=where,
    )


@dataclass
class Source:
    """A source folder, read and checked (not yet compiled to claims)."""

    folder: Path
    meta: yamlfile.Node
    text: str
    claims_doc: yamlfile.Node
    problems: list[str] = field(default_factory=list)

    @property
    def slug(self) -> str:
        return self.folder.name

    @property
    def document(self) -> str:
        return v.B + v.DOCUMENT_PREFIX + self.slug

    @property
    def prefix(self) -> str:
        return str(self.meta["assertion-prefix"])

    @property
    def doc_type(self) -> str:
        return str(self.meta["type"])

    def at(self, file: str, node: yamlfile.Node | None = None, key: str | None = None) -> str:
        """``path:line:column`` of a key in one of the folder's YAML files."""
        path = self.folder / file
        if node is None:
            return str(path)
        line, column = node.where(key)
        return f"{path}:{line}:{column}"

    def agents(self, key: str) -> list[str]:
        values = self.meta.get(key) or []
        if isinstance(values, str):
            values = [values]
        return [expand(x, self.at(META_FILE, self.meta, key)) for x in values]

    @property
    def authors(self) -> list[str]:
        return self.agents("authors")

    @property
    def parties(self) -> list[str]:
        return self.agents("parties")

    @cached_property
    def segmented(self) -> Segmented:
        return segment(self.text, self._rules("furniture"), self._rules("headings"))

    def _rules(self, key: str) -> list[LineRule]:
        rules: list[LineRule] = []
        items = self.claims_doc.get(key) or []
        if not isinstance(items, list):
            raise ParseError(
                f"{key!r} must be a list of lines or {{pattern: …}}",
                source=self.at(CLAIMS_FILE, self.claims_doc, key),
            )
        for index, item in enumerate(items):
            where = self.at(CLAIMS_FILE, self.claims_doc, key) + f" (item {index + 1})"
            if isinstance(item, str):
                rules.append(LineRule(exact=item.strip(), where=where))
            elif isinstance(item, dict) and set(item) == {"pattern"}:
                try:
                    rules.append(LineRule(pattern=re.compile(str(item["pattern"])), where=where))
                except re.error as exc:
                    raise ParseError(f"bad pattern: {exc}", source=where) from exc
            else:
                raise ParseError(
                    f"a {key} mark is a whole line (text) or {{pattern: regex}}", source=where
                )
        return rules


def source_folders(root: Path) -> list[Path]:
    """The source folders under ``root`` (``kg/data/sources``), in name order."""
    if not root.is_dir():
        return []
    return sorted(p for p in root.iterdir() if p.is_dir() and (p / META_FILE).is_file())


def load_source(folder: Path) -> Source:
    """Read a source folder and check its metadata and text (not its claims)."""
    slug = folder.name
    if not SLUG.match(slug):
        raise ValidationFailed(f"{folder}: a source folder's name is its slug: a-z, 0-9, hyphens")
    meta = yamlfile.load(folder / META_FILE)
    if not isinstance(meta, yamlfile.Node):
        raise ParseError("source.yaml must be a mapping", source=str(folder / META_FILE))
    text_path = folder / TEXT_FILE
    try:
        text = text_path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ParseError(f"cannot read the source text: {exc}", source=str(text_path)) from exc
    claims_path = folder / CLAIMS_FILE
    claims_doc = yamlfile.load(claims_path) if claims_path.is_file() else yamlfile.Node()
    if claims_doc is None:
        claims_doc = yamlfile.Node()
    if not isinstance(claims_doc, yamlfile.Node):
        raise ParseError("claims.yaml must be a mapping", source=str(claims_path))
    source = Source(folder, meta, text, claims_doc)
    _check_meta(source)
    return source


def _check_meta(source: Source) -> None:
    meta, at = source.meta, source.at
    for key in meta:
        if key not in META_KEYS:
            raise ParseError(
                f"unknown key {key!r} (known: {', '.join(META_KEYS)})",
                source=at(META_FILE, meta, key),
            )
    for key in REQUIRED_META:
        if meta.get(key) in (None, ""):
            raise ParseError(f"missing {key!r}: {META_KEYS[key]}", source=at(META_FILE, meta))
    if meta["type"] not in v.DOCUMENT_TYPES:
        raise ParseError(
            f"type {meta['type']!r} is not one of {', '.join(v.DOCUMENT_TYPES)}",
            source=at(META_FILE, meta, "type"),
        )
    if meta["type"] == "commentary" and not source.authors:
        raise ParseError("a commentary needs its authors", source=at(META_FILE, meta))
    if meta["type"] != "commentary" and not source.parties and not source.authors:
        raise ParseError(
            f"a {meta['type']} needs its parties (or authors)", source=at(META_FILE, meta)
        )
    for key in ("date", "curated"):
        if meta.get(key) is not None:
            try:
                dt.date.fromisoformat(str(meta[key]))
            except ValueError as exc:
                raise ParseError(
                    f"{key} {meta[key]!r} is not a date YYYY-MM-DD",
                    source=at(META_FILE, meta, key),
                ) from exc
    if not re.fullmatch(r"[a-z][a-z0-9]*", str(meta["assertion-prefix"])):
        raise ParseError(
            "assertion-prefix is lower-case letters and digits",
            source=at(META_FILE, meta, "assertion-prefix"),
        )
    digest = sha256_of(source.text)
    if str(meta["sha256"]).lower() != digest:
        raise QuoteMismatch(
            f"{at(META_FILE, meta, 'sha256')}: sha256 is {meta['sha256']} but "
            f"{source.folder / TEXT_FILE} hashes to {digest}: the text changed, so every "
            "quote must be re-checked (or the metadata is wrong)"
        )


def _n(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


def document_quads(source: Source) -> Iterator[ox.Quad]:
    """The document's description in ``graph/sources``, from its metadata."""
    g = _n(v.B + v.SOURCES_GRAPH)
    doc = _n(source.document)
    meta = source.meta
    lang = str(meta["language"])

    def q(p: str, o: ox.NamedNode | ox.Literal) -> ox.Quad:
        return ox.Quad(doc, _n(p), o, g)

    yield q(v.RDF + "type", _n(v.DOCUMENT_TYPES[source.doc_type]))
    yield q(v.RDF + "type", _n(str(SG.SourceDocument)))
    title = str(meta["title"])
    yield q(v.RDFS + "label", ox.Literal(title, language=lang))
    yield q(v.DCTERMS + "title", ox.Literal(title, language=lang))
    for author in source.authors:
        yield q(v.DCTERMS + "creator", _n(author))
        yield q(v.SCHEMA + "author", _n(author))
    for party in source.parties:
        yield q(str(SG.party), _n(party))
    if meta.get("publisher"):
        publisher = expand(meta["publisher"], source.at(META_FILE, meta, "publisher"))
        yield q(v.DCTERMS + "publisher", _n(publisher))
        yield q(v.SCHEMA + "publisher", _n(publisher))
    if meta.get("date"):
        yield q(v.DCTERMS + "issued", ox.Literal(str(meta["date"]), datatype=_n(v.XSD + "date")))
    if meta.get("url"):
        yield q(v.SCHEMA + "url", _n(str(meta["url"])))
    licence = str(meta.get("licence") or "")
    if licence.startswith(("http://", "https://")):
        yield q(v.DCTERMS + "license", _n(licence))
    elif licence:
        yield q(v.DCTERMS + "rights", ox.Literal(licence, language="en"))
    yield q(v.DCTERMS + "language", ox.Literal(lang))
    yield q(v.SCHEMA + "encodingFormat", ox.Literal("text/plain; charset=utf-8"))
    yield q(v.SG + "sha256", ox.Literal(sha256_of(source.text)))
    yield q(str(SG.howObtained), ox.Literal(str(meta["obtained"]).strip(), language="en"))
    yield q(str(SG.assertionPrefix), ox.Literal(source.prefix))
    if meta.get("note"):
        yield q(v.SKOS + "note", ox.Literal(str(meta["note"]).strip(), language="en"))
    yield q(str(SG.sourceText), ox.Literal(source.text))
