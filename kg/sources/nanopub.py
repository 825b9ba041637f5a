"""A compiled claim → the draft of its nanopublication (four graphs), before its Trusty URI.

The draft lives under a temporary namespace per claim, ``{DRAFT_ROOT}{slug}/``: the nanopub
itself is that IRI, its graphs are ``…/Head``, ``…/assertion``, ``…/provenance`` and
``…/pubinfo``, and its own nodes (the claim's content node ``…/assertion#claim``, the quote and
its selectors ``…/quote``, ``…/quote-selector``, ``…/position-selector``) sit beside them.
:func:`kg.publish.mint.mint` then signs each draft with the nanopub toolkit, which replaces the
namespace by ``{base}np/RA…`` (the Trusty URI). Until then nothing here is public.

The assertion graph holds what the claim says. Its provenance says who says it (by the kind's
voice: the authors, the document reporting a speaker, or the parties of a provision), where (a
Web Annotation quote and position selector into the stored text, the paragraph, sentence and
section); the publication info says who curated it, from which text (its SHA-256) and the
claim's readable slug (``dcterms:identifier "usg-001"``, the key that ties the versions of a
claim together); the head ties the graphs together.

Relations between claims (``sg:supportsClaim`` …) are not inside the nanopubs: the toolkit
rewrites every IRI under the draft namespace, so a signed nanopub cannot name a sibling under
``{base}np/``. They go to the graph ``{base}graph/argument``, between the assertion IRIs
(drafts here, the minted ``{base}np/RA…/assertion`` after :func:`kg.publish.mint.mint`).
"""

from __future__ import annotations

from collections.abc import Iterator

import pyoxigraph as ox

from kg.namespaces import NP, OA, SG
from kg.publish import DRAFT_ROOT
from kg.rdfio import QuadTerm
from kg.sources import vocab as v
from kg.sources.claims import Claim, mentioned_entities
from kg.sources.source import sha256_of

ARGUMENT_GRAPH = "graph/argument"


def draft_ns(slug: str) -> str:
    return f"{DRAFT_ROOT}{slug}/"


def _n(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


def _lit(value: object, datatype: str) -> ox.Literal:
    return ox.Literal(str(value), datatype=_n(v.XSD + datatype))


def _draft_assertion(legacy_iri: str) -> str:
    """``{B}graph/assertion/usg-001`` (what the claims module names) → the draft assertion."""
    slug = legacy_iri.removeprefix(v.B + v.ASSERTION_GRAPH_PREFIX)
    return draft_ns(slug) + "assertion"


def _in_draft(term: QuadTerm, legacy: str, draft: str) -> QuadTerm:
    """Nodes the curator wrote as ``this:…`` (``{legacy}#…``) move into the draft namespace."""
    if isinstance(term, ox.NamedNode) and term.value.startswith(legacy + "#"):
        return _n(draft + term.value[len(legacy) :])
    return term


def nanopub_quads(claim: Claim, names: dict[str, str]) -> Iterator[ox.Quad]:
    source = claim.source
    sentence = claim.sentence
    assert sentence is not None
    ns = draft_ns(claim.slug)
    np_, head, prov, info = _n(ns), _n(ns + "Head"), _n(ns + "provenance"), _n(ns + "pubinfo")
    assertion, doc = _n(ns + "assertion"), _n(source.document)
    resource = _n(ns + "quote")
    text_sel, pos_sel = _n(ns + "quote-selector"), _n(ns + "position-selector")

    for t in claim.content:
        s = _in_draft(t.subject, claim.assertion, assertion.value)
        o = _in_draft(t.object, claim.assertion, assertion.value)
        yield ox.Quad(s, t.predicate, o, assertion)

    def p(s: ox.NamedNode, pred: str, o: ox.NamedNode | ox.Literal, g: ox.NamedNode = prov):
        return ox.Quad(s, _n(pred), o, g)

    yield p(assertion, v.RDF + "type", _n(str(SG.Assertion)))
    yield p(assertion, str(SG.kind), _n(claim.kind))
    if claim.voice == "author":
        attributed = source.authors
    elif claim.voice == "document":
        attributed = [source.document]
    else:
        attributed = [claim.speaker] if claim.speaker else source.parties or source.authors
    for agent in attributed:
        yield p(assertion, v.PROV + "wasAttributedTo", _n(agent))
    if claim.speaker and claim.voice == "document":
        yield p(assertion, str(SG.reportedSpeaker), _n(claim.speaker))
    yield p(assertion, str(SG.sourceDocument), doc)
    yield p(assertion, v.SCHEMA + "appearance", doc)
    yield p(assertion, str(SG.paragraph), _lit(sentence.paragraph, "integer"))
    yield p(assertion, str(SG.sentence), _lit(sentence.sentence, "integer"))
    if sentence.section:
        yield p(assertion, str(SG.section), ox.Literal(sentence.section, language="en"))
    for entity in mentioned_entities(claim):
        yield p(assertion, str(SG.about), _n(entity))
    if claim.paraphrase:
        yield p(assertion, str(SG.paraphrase), ox.Literal(claim.paraphrase, language="en"))
    if claim.free_text:
        yield p(assertion, str(SG.freeTextReason), ox.Literal(claim.free_text, language="en"))
    if claim.note:
        yield p(assertion, v.SKOS + "note", ox.Literal(claim.note, language="en"))
    argument = _n(v.B + ARGUMENT_GRAPH)
    for relation, targets in claim.relations.items():
        for target in targets:
            yield p(assertion, relation, _n(_draft_assertion(names[target])), argument)
    yield p(assertion, v.PROV + "wasQuotedFrom", resource)
    yield p(resource, v.RDF + "type", _n(str(OA.SpecificResource)))
    yield p(resource, str(OA.hasSource), doc)
    yield p(resource, str(OA.hasSelector), text_sel)
    yield p(resource, str(OA.hasSelector), pos_sel)
    yield p(text_sel, v.RDF + "type", _n(str(OA.TextQuoteSelector)))
    yield p(text_sel, str(OA.exact), ox.Literal(claim.quote))
    if claim.prefix_text:
        yield p(text_sel, str(OA.prefix), ox.Literal(claim.prefix_text))
    if claim.suffix_text:
        yield p(text_sel, str(OA.suffix), ox.Literal(claim.suffix_text))
    yield p(pos_sel, v.RDF + "type", _n(str(OA.TextPositionSelector)))
    yield p(pos_sel, str(OA.start), _lit(claim.start, "integer"))
    yield p(pos_sel, str(OA.end), _lit(claim.end, "integer"))

    yield p(np_, v.DCTERMS + "created", _lit(claim.created, "date"), info)
    yield p(np_, v.DCTERMS + "identifier", ox.Literal(claim.slug), info)
    yield p(np_, v.PROV + "wasAttributedTo", _n(v.B + v.CURATOR), info)
    yield p(np_, v.PROV + "wasDerivedFrom", doc, info)
    yield p(np_, v.SG + "sha256", ox.Literal(sha256_of(source.text)), info)

    yield p(np_, v.RDF + "type", _n(str(NP.Nanopublication)), head)
    yield p(np_, str(NP.hasAssertion), assertion, head)
    yield p(np_, str(NP.hasProvenance), prov, head)
    yield p(np_, str(NP.hasPublicationInfo), info, head)
