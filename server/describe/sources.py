"""The source documents: their metadata, stored text, how the text divides into sections,
paragraphs and sentences (furniture and headings as the curator marked them), where each
assertion's quote lies in it, and the counts a listing shows.

The text is the document's ``sg:sourceText`` (what quote offsets index into). Its furniture
and heading marks come from the source folder's ``claims.yaml`` when the folder holds the
same text (same SHA-256); otherwise the headings are the sections the assertions name
(``sg:section``) and nothing is furniture. Everything here is cached per store version.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pyoxigraph as ox

from kg.errors import KGError
from kg.paths import sources_dir
from kg.sources.source import load_source, sha256_of
from kg.sources.text import LineRule, Segmented, segment
from kg.store import Store
from server.describe.kinds import KIND_LIST, Kind
from server.describe.provenance import Provenance, provenance
from server.describe.view import Term, Viewer
from server.labels import DCTERMS, OA, PROV, RDF_TYPE, SCHEMA, SKOS, cache_for, patterns


@dataclass
class Span:
    """Where one assertion's quote lies in the text."""

    prov: Provenance
    start: int
    end: int
    triples: list[tuple[Term, Term, Term]] = field(default_factory=list)

    @property
    def slug(self) -> str:
        return self.prov.slug


@dataclass
class Placed:
    """A document's assertions located in its text."""

    spans: list[Span]
    unplaced: list[Provenance]  # quotes that the text does not hold


@dataclass
class SourceInfo:
    """One source document as the listing and the reader show it."""

    iri: str
    slug: str
    title: str
    lang: str
    type_words: str
    authors: list[Term]
    parties: list[Term]
    publisher: Term | None
    date: str
    url: str
    licence: Term | None
    language: str
    sha256: str
    obtained: str
    note: str
    counts: list[tuple[Kind, int]]  # only kinds with a count
    claims: int
    sentences: int
    covered: int

    @property
    def coverage(self) -> float:
        return 1.0 if not self.sentences else self.covered / self.sentences


def document_iris(store: Store, base: str) -> list[str]:
    """Every source document in the store (``sg:SourceDocument``), in IRI order."""
    reader = patterns(store)
    kind = ox.NamedNode(f"{base}ontology/SourceDocument")
    return sorted(
        {
            q.subject.value
            for q in reader.quads_for_pattern(None, RDF_TYPE, kind, None)
            if isinstance(q.subject, ox.NamedNode)
        }
    )


def _literal(store: Store, iri: str, predicate: str) -> str:
    for q in patterns(store).quads_for_pattern(
        ox.NamedNode(iri), ox.NamedNode(predicate), None, None
    ):
        if isinstance(q.object, ox.Literal):
            return q.object.value
    return ""


def _objects(store: Store, iri: str, predicate: str) -> list[ox.NamedNode]:
    found = {
        q.object.value: q.object
        for q in patterns(store).quads_for_pattern(
            ox.NamedNode(iri), ox.NamedNode(predicate), None, None
        )
        if isinstance(q.object, ox.NamedNode)
    }
    return [found[k] for k in sorted(found)]


def stored_text(store: Store, base: str, doc_iri: str) -> str | None:
    """The document's ``sg:sourceText`` (``None`` when the store holds none)."""
    text = _literal(store, doc_iri, f"{base}ontology/sourceText")
    return text or None


def segmentation(store: Store, base: str, doc_iri: str, text: str) -> Segmented:
    """The text's paragraphs, sentences, headings and furniture (see the module doc)."""

    def compute() -> Segmented:
        folder = sources_dir() / doc_iri.rsplit("/", 1)[-1]
        if (folder / "text.txt").is_file():
            try:
                source = load_source(folder)
                if sha256_of(source.text) == sha256_of(text):
                    return source.segmented
            except (KGError, OSError, ValueError):
                pass  # a folder being edited: fall back to what the graph says
        sections = {
            p.section
            for p in _assertions(store, base, doc_iri)
            if p.section  # headings are the sections the assertions name
        }
        return segment(text, (), [LineRule(exact=s) for s in sorted(sections)])

    return cache_for(store, "segmentation").get(store, (doc_iri, len(text)), compute)


def _assertions(store: Store, base: str, doc_iri: str) -> list[Provenance]:
    """The assertions that quote the document (by their quote's ``oa:hasSource``)."""

    def compute() -> list[Provenance]:
        reader = patterns(store)
        graphs: set[str] = set()
        for q in reader.quads_for_pattern(
            None, ox.NamedNode(OA + "hasSource"), ox.NamedNode(doc_iri), None
        ):
            for holder in reader.quads_for_pattern(
                None, ox.NamedNode(PROV + "wasQuotedFrom"), q.subject, q.graph_name
            ):
                if isinstance(holder.subject, ox.NamedNode):
                    graphs.add(holder.subject.value)
        found = [provenance(store, g, base) for g in sorted(graphs)]
        return [p for p in found if p is not None]

    return cache_for(store, "doc-assertions").get(store, doc_iri, compute)


def assertions_of(store: Store, base: str, doc_iri: str) -> list[Provenance]:
    """The document's assertions in the order of the text (then slug)."""
    return sorted(
        _assertions(store, base, doc_iri),
        key=lambda p: (p.start if p.start is not None else -1, p.slug),
    )


def placed(store: Store, base: str, doc_iri: str, text: str) -> Placed:
    """The document's assertions located in ``text`` (by offsets, else by the exact words)."""

    def compute() -> Placed:
        spans, unplaced = [], []
        for prov in _assertions(store, base, doc_iri):
            start, end = prov.start, prov.end
            if start is None or end is None or text[start:end] != prov.exact:
                found = text.find(prov.exact) if prov.exact else -1
                if found < 0:
                    unplaced.append(prov)
                    continue
                start, end = found, found + len(prov.exact)
            spans.append(Span(prov, start, end))
        spans.sort(key=lambda s: (s.start, s.slug))
        return Placed(spans, unplaced)

    return cache_for(store, "placed").get(store, (doc_iri, len(text)), compute)


def source_info(store: Store, base: str, view: Viewer, doc_iri: str) -> SourceInfo:
    """Metadata, claim counts by kind and coverage of one document."""
    text = stored_text(store, base, doc_iri) or ""
    spans = placed(store, base, doc_iri, text).spans if text else []
    seg = segmentation(store, base, doc_iri, text) if text else segment("")
    uncovered = seg.uncovered((s.start, s.end) for s in spans)
    by_kind: dict[str, int] = {}
    for p in _assertions(store, base, doc_iri):
        by_kind[p.kind] = by_kind.get(p.kind, 0) + 1
    types = view.types_of(doc_iri)
    main = next((t for t in types if not t.value.endswith("/SourceDocument")), None)
    title, lang = view.iri_term(doc_iri).label, view.iri_term(doc_iri).lang
    licence_iri = _objects(store, doc_iri, DCTERMS + "license")
    licence: Term | None = view.iri_term(licence_iri[0].value) if licence_iri else None
    rights = _literal(store, doc_iri, DCTERMS + "rights")
    if licence is None and rights:
        licence = Term(value=rights, kind="literal", label=rights)
    publisher = _objects(store, doc_iri, DCTERMS + "publisher")
    return SourceInfo(
        iri=doc_iri,
        slug=doc_iri.rsplit("/", 1)[-1],
        title=title,
        lang=lang,
        type_words=(main or (types[0] if types else Term("", "iri", "Source document"))).label,
        authors=[view.iri_term(o.value) for o in _objects(store, doc_iri, DCTERMS + "creator")],
        parties=[view.iri_term(o.value) for o in _objects(store, doc_iri, f"{base}ontology/party")],
        publisher=view.iri_term(publisher[0].value) if publisher else None,
        date=_literal(store, doc_iri, DCTERMS + "issued"),
        url=next((o.value for o in _objects(store, doc_iri, SCHEMA + "url")), ""),
        licence=licence,
        language=_literal(store, doc_iri, DCTERMS + "language"),
        sha256=_literal(store, doc_iri, f"{base}ontology/sha256"),
        obtained=_literal(store, doc_iri, f"{base}ontology/howObtained"),
        note=_literal(store, doc_iri, SKOS + "note"),
        counts=[(k, by_kind[k.name]) for k in KIND_LIST if by_kind.get(k.name)],
        claims=sum(by_kind.values()),
        sentences=len(seg.sentences),
        covered=len(seg.sentences) - len(uncovered),
    )
