"""Curated sources → the named graphs of the knowledge graph.

What is curated (``kg/data/``) and which graph it becomes:

- ``sources.ttl`` → ``graph/sources``: the documents; ``sg:sourceText`` is added here from
  ``sources/<slug>.txt`` after checking it against the committed ``sg:sha256``;
- ``entities.ttl`` (and ``entities/*.ttl``) → ``graph/entities``;
- ``links/<name>.ttl`` → ``graph/links/<name>``;
- ``article/<document-slug>/*.trig`` → four graphs per assertion (a nanopublication):
  ``graph/assertion/usg-NNN`` (as written), and ``…/provenance``, ``…/pubinfo``, ``…/head``
  expanded from the compact provenance card in the file's default graph.

The card keeps files reviewable; the expansion adds what follows from rules rather than
curation (attribution by kind, oa:hasSource, the nanopub head, the text's hash), so those
rules hold for every assertion. Every quote is checked against the stored text
(:mod:`kg.quotes`) and every body sentence must be quoted; the ontology and shapes are not
included — the build adds them.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pyoxigraph as ox
import rdflib

from kg import paths
from kg.errors import NotFound, QuoteMismatch, ValidationFailed
from kg.quotes import Quote, find_line, require_coverage, sentences, verify_quote
from kg.rdfio import iter_quads, to_rdflib

DEFAULT_BASE_IRI = "https://w3id.org/sgkg/"
SOURCES_GRAPH = "graph/sources"
ENTITIES_GRAPH = "graph/entities"
LINKS_GRAPH_PREFIX = "graph/links/"
ASSERTION_GRAPH_PREFIX = "graph/assertion/"
NANOPUB_PREFIX = "id/nanopub/"
DOCUMENT_PREFIX = "id/document/"
CURATOR = "id/organisation/sgkg-project"

_B = DEFAULT_BASE_IRI
SG = _B + "ontology/"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
XSD = "http://www.w3.org/2001/XMLSchema#"
OA = "http://www.w3.org/ns/oa#"
PROV = "http://www.w3.org/ns/prov#"
NP = "http://www.nanopub.org/nschema#"
DCTERMS = "http://purl.org/dc/terms/"
SCHEMA = "https://schema.org/"

KINDS = {
    SG + "ReportedFact",
    SG + "AuthorAssessment",
    SG + "Prediction",
    SG + "Conditional",
    SG + "Recommendation",
}
REPORTED_FACT = SG + "ReportedFact"

_TYPE = ox.NamedNode(RDF + "type")
# Card predicates the expansion interprets; any other card triple is copied to provenance.
_CARD_HANDLED = {
    RDF + "type",
    SG + "kind",
    SG + "paragraph",
    SG + "sentence",
    DCTERMS + "created",
    PROV + "wasQuotedFrom",
}


def _n(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


def _lit(value: object, datatype: str) -> ox.Literal:
    return ox.Literal(str(value), datatype=ox.NamedNode(XSD + datatype))


# ---------------------------------------------------------------------------- source texts
def source_text(slug: str) -> str:
    """The stored text of a source document (quotes' offsets index into this string)."""
    path = paths.sources_dir() / f"{slug}.txt"
    if "/" in slug or not path.is_file():
        raise NotFound(f"no stored source text {slug!r} in {paths.sources_dir()}")
    return _read_text(path)


@lru_cache(maxsize=16)
def _read_text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def sha256_of(text: str) -> str:
    """SHA-256 of the UTF-8 bytes of ``text`` (what sources.ttl and pubinfo record)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def article_dirs() -> list[Path]:
    """One directory of curated assertion files per source document, named by its slug."""
    root = paths.data_dir() / "article"
    return sorted(p for p in root.iterdir() if p.is_dir()) if root.is_dir() else []


def article_files(slug: str | None = None) -> list[Path]:
    dirs = [d for d in article_dirs() if slug is None or d.name == slug]
    return [f for d in dirs for f in sorted(d.glob("*.trig"))]


# ---------------------------------------------------------------------------- cards
@dataclass
class Card:
    """A parsed provenance card: what one assertion's provenance says, before expansion."""

    assertion: str  # IRI of the assertion graph
    file: Path
    kind: str = ""
    paragraph: int | None = None
    sentence: int | None = None
    created: ox.Literal | None = None
    quote: Quote | None = None
    extra: list[tuple[ox.NamedNode, ox.Term]] = field(default_factory=list)

    @property
    def slug(self) -> str:
        return self.assertion.rsplit("/", 1)[-1]


def _index(quads: Iterable[ox.Quad]) -> dict[ox.Term, list[tuple[ox.NamedNode, ox.Term]]]:
    by_subject: dict[ox.Term, list[tuple[ox.NamedNode, ox.Term]]] = defaultdict(list)
    for q in quads:
        by_subject[q.subject].append((q.predicate, q.object))
    return by_subject


def _one(values: list[ox.Term], what: str, card: Card) -> ox.Term:
    if len(values) != 1:
        raise ValidationFailed(
            f"{card.file}: assertion {card.slug}: expected exactly one {what}, found {len(values)}"
        )
    return values[0]


def _values(pairs: list[tuple[ox.NamedNode, ox.Term]], predicate: str) -> list[ox.Term]:
    return [o for p, o in pairs if p.value == predicate]


def _int(term: ox.Term, what: str, card: Card) -> int:
    try:
        return int(term.value)  # type: ignore[union-attr]
    except (AttributeError, ValueError) as exc:
        raise ValidationFailed(
            f"{card.file}: assertion {card.slug}: {what} is not an integer: {term}"
        ) from exc


def _read_quote(card: Card, node: ox.Term, index: dict) -> Quote:
    exact = prefix = suffix = None
    start = end = None
    for selector in _values(index.get(node, []), OA + "hasSelector"):
        props = index.get(selector, [])
        types = {o.value for o in _values(props, RDF + "type")}  # type: ignore[union-attr]
        if OA + "TextQuoteSelector" in types:
            exact = _one(_values(props, OA + "exact"), "oa:exact", card).value  # type: ignore[union-attr]
            prefix = "".join(o.value for o in _values(props, OA + "prefix"))  # type: ignore[union-attr]
            suffix = "".join(o.value for o in _values(props, OA + "suffix"))  # type: ignore[union-attr]
        elif OA + "TextPositionSelector" in types:
            start = _int(_one(_values(props, OA + "start"), "oa:start", card), "oa:start", card)
            end = _int(_one(_values(props, OA + "end"), "oa:end", card), "oa:end", card)
    if exact is None or start is None or end is None:
        raise ValidationFailed(
            f"{card.file}: assertion {card.slug}: needs a oa:TextQuoteSelector (oa:exact) "
            "and a oa:TextPositionSelector (oa:start, oa:end)"
        )
    return Quote(
        assertion=card.slug,
        file=str(card.file),
        exact=exact,
        prefix=prefix or "",
        suffix=suffix or "",
        start=start,
        end=end,
        paragraph=card.paragraph,
        sentence=card.sentence,
        line=find_line(card.file, f"{card.slug} a sg:Assertion"),
    )


def read_article_file(path: Path) -> tuple[dict[str, list[ox.Quad]], list[Card]]:
    """Parse one curated file: assertion graphs (by IRI, as written) and provenance cards.

    Syntax errors raise :class:`kg.errors.ParseError` with ``file:line:column``."""
    graphs: dict[str, list[ox.Quad]] = defaultdict(list)
    default: list[ox.Quad] = []
    for q in iter_quads(path, base_iri=DEFAULT_BASE_IRI):
        if isinstance(q.graph_name, ox.DefaultGraph):
            default.append(q)
        elif q.graph_name.value.startswith(_B + ASSERTION_GRAPH_PREFIX):  # type: ignore[union-attr]
            graphs[q.graph_name.value].append(q)  # type: ignore[union-attr]
        else:
            raise ValidationFailed(
                f"{path}: graph {q.graph_name} is not an assertion graph "
                f"(<{_B}{ASSERTION_GRAPH_PREFIX}usg-NNN>)"
            )
    index = _index(default)
    cards: list[Card] = []
    for subject, pairs in index.items():
        if not isinstance(subject, ox.NamedNode):
            continue
        types = {o.value for o in _values(pairs, RDF + "type")}  # type: ignore[union-attr]
        if SG + "Assertion" not in types:
            continue
        card = Card(subject.value, path)
        card.kind = _one(_values(pairs, SG + "kind"), "sg:kind", card).value  # type: ignore[union-attr]
        if card.kind not in KINDS:
            raise ValidationFailed(f"{path}: assertion {card.slug}: unknown sg:kind {card.kind}")
        card.paragraph = _int(
            _one(_values(pairs, SG + "paragraph"), "sg:paragraph", card), "sg:paragraph", card
        )
        card.sentence = _int(
            _one(_values(pairs, SG + "sentence"), "sg:sentence", card), "sg:sentence", card
        )
        created = _values(pairs, DCTERMS + "created")
        card.created = created[0] if created else None  # type: ignore[assignment]
        quoted = _one(_values(pairs, PROV + "wasQuotedFrom"), "prov:wasQuotedFrom", card)
        card.quote = _read_quote(card, quoted, index)
        card.extra = [(p, o) for p, o in pairs if p.value not in _CARD_HANDLED]
        if card.kind != REPORTED_FACT and any(
            p.value == SG + "reportedSpeaker" for p, _ in card.extra
        ):
            raise ValidationFailed(
                f"{path}: assertion {card.slug}: sg:reportedSpeaker is only for "
                "sg:ReportedFact (other kinds are the author's own)"
            )
        cards.append(card)
    written, carded = set(graphs), {c.assertion for c in cards}
    for iri in sorted(written ^ carded):
        what = "has no provenance card" if iri in written else "has no assertion graph"
        raise ValidationFailed(f"{path}: assertion <{iri}> {what}")
    return dict(graphs), cards


# ---------------------------------------------------------------------------- expansion
def _nanopub_quads(card: Card, document: str, author: str, text_hash: str) -> Iterator[ox.Quad]:
    a = card.assertion
    quote = card.quote
    assert quote is not None
    nanopub = _B + NANOPUB_PREFIX + card.slug
    head, prov, info = _n(a + "/head"), _n(a + "/provenance"), _n(a + "/pubinfo")
    assertion, doc = _n(a), _n(document)
    resource = _n(nanopub + "#quote")
    text_sel, pos_sel = _n(nanopub + "#quote-selector"), _n(nanopub + "#position-selector")

    def p(s: ox.Term, pred: str, o: ox.Term, g: ox.NamedNode = prov) -> ox.Quad:
        return ox.Quad(s, _n(pred), o, g)

    yield p(assertion, RDF + "type", _n(SG + "Assertion"))
    yield p(assertion, SG + "kind", _n(card.kind))
    yield p(
        assertion, PROV + "wasAttributedTo", _n(document if card.kind == REPORTED_FACT else author)
    )
    yield p(assertion, SG + "sourceDocument", doc)
    yield p(assertion, SCHEMA + "appearance", doc)
    yield p(assertion, SG + "paragraph", _lit(card.paragraph, "integer"))
    yield p(assertion, SG + "sentence", _lit(card.sentence, "integer"))
    for pred, obj in card.extra:
        yield ox.Quad(assertion, pred, obj, prov)
    yield p(assertion, PROV + "wasQuotedFrom", resource)
    yield p(resource, RDF + "type", _n(OA + "SpecificResource"))
    yield p(resource, OA + "hasSource", doc)
    yield p(resource, OA + "hasSelector", text_sel)
    yield p(resource, OA + "hasSelector", pos_sel)
    yield p(text_sel, RDF + "type", _n(OA + "TextQuoteSelector"))
    yield p(text_sel, OA + "exact", ox.Literal(quote.exact))
    if quote.prefix:
        yield p(text_sel, OA + "prefix", ox.Literal(quote.prefix))
    if quote.suffix:
        yield p(text_sel, OA + "suffix", ox.Literal(quote.suffix))
    yield p(pos_sel, RDF + "type", _n(OA + "TextPositionSelector"))
    yield p(pos_sel, OA + "start", _lit(quote.start, "integer"))
    yield p(pos_sel, OA + "end", _lit(quote.end, "integer"))

    np_ = _n(nanopub)
    if card.created is not None:
        yield p(np_, DCTERMS + "created", card.created, info)
    yield p(np_, PROV + "wasAttributedTo", _n(_B + CURATOR), info)
    yield p(np_, PROV + "wasDerivedFrom", doc, info)
    yield p(np_, SG + "sha256", ox.Literal(text_hash), info)

    yield p(np_, RDF + "type", _n(NP + "Nanopublication"), head)
    yield p(np_, NP + "hasAssertion", assertion, head)
    yield p(np_, NP + "hasProvenance", prov, head)
    yield p(np_, NP + "hasPublicationInfo", info, head)


def _document_facts(quads: list[ox.Quad], document: str) -> tuple[str, str | None]:
    """(author IRI, committed sha256) of a document from the sources graph."""
    author = sha = None
    for q in quads:
        if q.subject.value != document:  # type: ignore[union-attr]
            continue
        if q.predicate.value == DCTERMS + "creator":
            author = q.object.value  # type: ignore[union-attr]
        elif q.predicate.value == SG + "sha256":
            sha = q.object.value  # type: ignore[union-attr]
    if author is None:
        raise ValidationFailed(f"sources.ttl: <{document}> has no dcterms:creator (the author)")
    return author, sha


def article_cards(slug: str) -> list[Card]:
    """All verified cards of one document (used by tests and tools)."""
    return [c for path in article_files(slug) for c in read_article_file(path)[1]]


def _article_quads(folder: Path, sources: list[ox.Quad]) -> Iterator[ox.Quad]:
    slug = folder.name
    document = _B + DOCUMENT_PREFIX + slug
    text = source_text(slug)
    digest = sha256_of(text)
    author, committed = _document_facts(sources, document)
    if committed is not None and committed != digest:
        raise QuoteMismatch(
            f"{paths.data_dir() / 'sources.ttl'}: sg:sha256 of <{document}> is {committed} "
            f"but sources/{slug}.txt hashes to {digest}: the text changed, so every quote "
            "offset must be re-checked"
        )
    body = sentences(text)
    cards: list[Card] = []
    for path in sorted(folder.glob("*.trig")):
        graphs, file_cards = read_article_file(path)
        for card in file_cards:
            assert card.quote is not None
            verify_quote(card.quote, text, sentence_list=body)
            yield from graphs[card.assertion]
            yield from _nanopub_quads(card, document, author, digest)
        cards.extend(file_cards)
    _check_order(cards, folder)
    require_coverage([c.quote for c in cards if c.quote], text, str(folder))


def _check_order(cards: list[Card], folder: Path) -> None:
    """Slugs are unique and numbered in document order (by quote start)."""
    seen: dict[str, Card] = {}
    for card in cards:
        if card.slug in seen:
            raise ValidationFailed(
                f"{folder}: assertion {card.slug} is defined in {seen[card.slug].file} "
                f"and {card.file}"
            )
        seen[card.slug] = card
    ordered = sorted(cards, key=lambda c: c.slug)
    for previous, card in zip(ordered, ordered[1:], strict=False):
        if card.quote and previous.quote and card.quote.start < previous.quote.start:
            raise ValidationFailed(
                f"{card.file}: assertion {card.slug} quotes offset {card.quote.start}, before "
                f"{previous.slug} ({previous.quote.start}): slugs must follow document order"
            )


def _into(path: Path, graph: str) -> list[ox.Quad]:
    return list(iter_quads(path, base_iri=DEFAULT_BASE_IRI, to_graph=_B + graph))


def _curated_quads() -> list[ox.Quad]:
    data = paths.data_dir()
    sources = _into(data / "sources.ttl", SOURCES_GRAPH)
    quads = list(sources)
    sources_graph = _n(_B + SOURCES_GRAPH)
    for document in {q.subject.value for q in sources if q.predicate == _TYPE}:  # type: ignore[union-attr]
        slug = document.removeprefix(_B + DOCUMENT_PREFIX)
        if (paths.sources_dir() / f"{slug}.txt").is_file():
            quads.append(
                ox.Quad(
                    _n(document),
                    _n(SG + "sourceText"),
                    ox.Literal(source_text(slug)),
                    sources_graph,
                )
            )
    entity_files = [data / "entities.ttl", *sorted((data / "entities").glob("*.ttl"))]
    for path in entity_files:
        if path.is_file():
            quads += _into(path, ENTITIES_GRAPH)
    for path in sorted((data / "links").glob("*.ttl")):
        quads += _into(path, LINKS_GRAPH_PREFIX + path.stem)
    for folder in article_dirs():
        quads += _article_quads(folder, sources)
    return quads


def _rebase(term: ox.Term, base_iri: str) -> ox.Term:
    if isinstance(term, ox.NamedNode) and term.value.startswith(DEFAULT_BASE_IRI):
        return ox.NamedNode(base_iri + term.value[len(DEFAULT_BASE_IRI) :])
    return term


def rebase_quads(quads: list[ox.Quad], base_iri: str) -> list[ox.Quad]:
    """The quads with every IRI under the canonical base moved under ``base_iri``."""
    if base_iri == DEFAULT_BASE_IRI:
        return quads
    return [
        ox.Quad(
            _rebase(q.subject, base_iri),
            _rebase(q.predicate, base_iri),
            _rebase(q.object, base_iri),
            _rebase(q.graph_name, base_iri),
        )
        for q in quads
    ]


def compile_quads(base_iri: str = DEFAULT_BASE_IRI) -> list[ox.Quad]:
    """Every curated quad (sources, entities, links, nanopubs), quotes verified, with IRIs
    under ``base_iri``. Raises ParseError / QuoteMismatch / ValidationFailed."""
    return rebase_quads(_curated_quads(), base_iri)


def compile_dataset(base_iri: str = DEFAULT_BASE_IRI) -> rdflib.Dataset:
    """The curated named graphs as an rdflib Dataset (no ontology/shapes: the build adds
    those). See :func:`compile_quads`."""
    return to_rdflib(compile_quads(base_iri))
