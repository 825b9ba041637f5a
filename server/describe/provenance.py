"""Where an assertion comes from: its kind, who it is attributed to, the quoted words and
their place in the source, its paraphrase, and its relations to other assertions — read from
the nanopublication's provenance graph (relations also from ``graph/argument``) and cached
per store version.

An assertion is a nanopublication's assertion graph: ``{base}np/RA…/assertion`` (a minted
nanopub; its readable slug ``usg-001`` is the pubinfo's ``dcterms:identifier``) or, in graphs
built before minting, ``{base}graph/assertion/usg-001``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox

from kg.store import Store
from server.describe.kinds import KIND_CLASS, KIND_WORDS, RELATION_BY_NAME
from server.labels import DCTERMS, NP, OA, PROV, cache_for, local_name, patterns

_ASSERTION_SLUG = re.compile(r"^[a-z][a-z0-9]*-\d+$")
_MINTED = re.compile(r"^np/(RA[A-Za-z0-9_-]{43})/assertion$")


@dataclass(frozen=True)
class Provenance:
    """Where an assertion comes from: its kind and the quoted words in the source."""

    assertion: str  # the assertion's graph IRI (it is the sg:Assertion)
    slug: str  # usg-NNN: the anchor in the source reader
    url: str  # the assertion's page on this server (``/np/RA…/assertion``)
    kind: str  # local name of the kind (ReportedFact, …) or "" when unknown
    kind_words: str
    kind_class: str
    exact: str = ""
    prefix: str = ""
    suffix: str = ""
    start: int | None = None
    end: int | None = None
    paragraph: int | None = None
    sentence: int | None = None
    section: str = ""
    source: str | None = None  # the source document IRI
    paraphrase: str = ""
    attributed: tuple[str, ...] = ()  # prov:wasAttributedTo: whose claim it is
    speaker: str | None = None  # sg:reportedSpeaker: whose words a fact reports
    relations: tuple[tuple[str, str], ...] = ()  # (relation local name, target assertion)

    @property
    def source_slug(self) -> str | None:
        return self.source.rsplit("/", 1)[-1] if self.source else None

    @property
    def reader_url(self) -> str | None:
        """The quote in the annotated reader (``/source/{slug}#usg-007``)."""
        slug = self.source_slug
        return f"/source/{slug}#{self.slug}" if slug else None


def assertion_slug(graph_iri: str, base: str) -> str | None:
    """``usg-007`` for ``{base}graph/assertion/usg-007``; the trusty code for a minted
    ``{base}np/RA…/assertion`` (its slug is in the store: :func:`provenance` reads it);
    ``None`` for any other IRI."""
    if not graph_iri.startswith(base):
        return None
    rest = graph_iri[len(base) :]
    if rest.startswith("graph/assertion/"):
        slug = rest[len("graph/assertion/") :]
        return slug if _ASSERTION_SLUG.match(slug) else None
    minted = _MINTED.match(rest)
    return minted.group(1) if minted else None


def is_assertion(iri: str, base: str) -> bool:
    return assertion_slug(iri, base) is not None


def _nanopub_of(reader: Any, graph: ox.NamedNode) -> Any:
    for head in reader.quads_for_pattern(None, ox.NamedNode(NP + "hasAssertion"), graph, None):
        return head.subject
    return None


def provenance_graph(reader: Any, graph: ox.NamedNode) -> ox.NamedNode:
    """The provenance graph named by the nanopub head, or the ``/provenance`` convention."""
    for head in reader.quads_for_pattern(None, ox.NamedNode(NP + "hasAssertion"), graph, None):
        for q in reader.quads_for_pattern(
            head.subject, ox.NamedNode(NP + "hasProvenance"), None, None
        ):
            if isinstance(q.object, ox.NamedNode):
                return q.object
    return ox.NamedNode(graph.value + "/provenance")


def _int(term: Any) -> int | None:
    try:
        return int(term.value) if isinstance(term, ox.Literal) else None
    except ValueError:
        return None


def _text(term: Any) -> str:
    return term.value if isinstance(term, ox.Literal) else ""


def _compute(store: Store, graph_iri: str, slug: str, base: str) -> Provenance:
    reader = patterns(store)
    graph = ox.NamedNode(graph_iri)
    pgraph = provenance_graph(reader, graph)
    nanopub = _nanopub_of(reader, graph)
    if nanopub is not None and slug.startswith("RA"):  # minted: the slug is in the pubinfo
        for q in reader.quads_for_pattern(nanopub, ox.NamedNode(DCTERMS + "identifier"), None):
            if isinstance(q.object, ox.Literal):
                slug = q.object.value
                break
    props: dict[Any, dict[str, list[Any]]] = {}
    for q in reader.quads_for_pattern(None, None, None, pgraph):
        props.setdefault(q.subject, {}).setdefault(q.predicate.value, []).append(q.object)
    mine = props.get(graph, {})
    sg = f"{base}ontology/"

    def one(node: Any, predicate: str) -> Any:
        values = props.get(node, {}).get(predicate) or []
        return values[0] if values else None

    kind_term = one(graph, sg + "kind")
    kind = local_name(kind_term.value) if isinstance(kind_term, ox.NamedNode) else ""
    # the quote: graph → prov:wasQuotedFrom → (oa:hasSource, oa:hasSelector → selectors)
    found: dict[str, Any] = {}
    for target in mine.get(PROV + "wasQuotedFrom", []):
        found.setdefault("source", one(target, OA + "hasSource"))
        for sel in [target, *props.get(target, {}).get(OA + "hasSelector", [])]:
            for key in ("exact", "prefix", "suffix", "start", "end"):
                value = one(sel, OA + key)
                if value is not None:
                    found.setdefault(key, value)
    source = found.get("source") or one(graph, sg + "sourceDocument")
    relations = sorted(  # in the provenance graph, or in graph/argument
        {
            (name, q.object.value)
            for name in RELATION_BY_NAME
            for q in reader.quads_for_pattern(graph, ox.NamedNode(sg + name), None, None)
            if isinstance(q.object, ox.NamedNode)
        }
    )
    speaker = one(graph, sg + "reportedSpeaker")
    return Provenance(
        assertion=graph_iri,
        slug=slug,
        url="/" + graph_iri[len(base) :],
        kind=kind,
        kind_words=KIND_WORDS.get(kind, kind or "Unclassified"),
        kind_class=KIND_CLASS.get(kind, "unknown"),
        exact=_text(found.get("exact")),
        prefix=_text(found.get("prefix")),
        suffix=_text(found.get("suffix")),
        start=_int(found.get("start")),
        end=_int(found.get("end")),
        paragraph=_int(one(graph, sg + "paragraph")),
        sentence=_int(one(graph, sg + "sentence")),
        section=_text(one(graph, sg + "section")),
        source=source.value if isinstance(source, ox.NamedNode) else None,
        paraphrase=_text(one(graph, sg + "paraphrase")),
        attributed=tuple(
            sorted(
                o.value
                for o in mine.get(PROV + "wasAttributedTo", [])
                if isinstance(o, ox.NamedNode)
            )
        ),
        speaker=speaker.value if isinstance(speaker, ox.NamedNode) else None,
        relations=tuple(relations),
    )


def provenance(store: Store, graph_iri: str, base: str) -> Provenance | None:
    """The provenance of an assertion graph (``None`` for graphs that are not assertions)."""
    slug = assertion_slug(graph_iri, base)
    if slug is None:
        return None
    return cache_for(store, "provenance").get(
        store, graph_iri, lambda: _compute(store, graph_iri, slug, base)
    )
