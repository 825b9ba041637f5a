"""A compiled claim → the four graphs of its nanopublication.

``graph/assertion/{slug}`` holds what the claim says. Its provenance says who says it (by the
kind's voice: the authors, the document reporting a speaker, or the parties of a provision),
where (a Web Annotation quote and position selector into the stored text, the paragraph,
sentence and section) and how it relates to other claims; the publication info says who
curated it and from which text (its SHA-256); the head ties the graphs together.
"""

from __future__ import annotations

from collections.abc import Iterator

import pyoxigraph as ox

from kg.sources import vocab as v
from kg.sources.claims import Claim, mentioned_entities
from kg.sources.source import sha256_of


def _n(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


def _lit(value: object, datatype: str) -> ox.Literal:
    return ox.Literal(str(value), datatype=_n(v.XSD + datatype))


def nanopub_quads(claim: Claim, names: dict[str, str]) -> Iterator[ox.Quad]:
    source = claim.source
    a = claim.assertion
    sentence = claim.sentence
    assert sentence is not None
    nanopub = v.B + v.NANOPUB_PREFIX + claim.slug
    head, prov, info = _n(a + "/head"), _n(a + "/provenance"), _n(a + "/pubinfo")
    assertion, doc = _n(a), _n(source.document)
    resource = _n(nanopub + "#quote")
    text_sel, pos_sel = _n(nanopub + "#quote-selector"), _n(nanopub + "#position-selector")

    for t in claim.content:
        yield ox.Quad(t.subject, t.predicate, t.object, assertion)

    def p(s: ox.NamedNode, pred: str, o: ox.NamedNode | ox.Literal, g: ox.NamedNode = prov):
        return ox.Quad(s, _n(pred), o, g)

    yield p(assertion, v.RDF + "type", _n(v.SG + "Assertion"))
    yield p(assertion, v.SG + "kind", _n(claim.kind))
    if claim.voice == "author":
        attributed = source.authors
    elif claim.voice == "document":
        attributed = [source.document]
    else:
        attributed = [claim.speaker] if claim.speaker else source.parties or source.authors
    for agent in attributed:
        yield p(assertion, v.PROV + "wasAttributedTo", _n(agent))
    if claim.speaker and claim.voice == "document":
        yield p(assertion, v.SG + "reportedSpeaker", _n(claim.speaker))
    yield p(assertion, v.SG + "sourceDocument", doc)
    yield p(assertion, v.SCHEMA + "appearance", doc)
    yield p(assertion, v.SG + "paragraph", _lit(sentence.paragraph, "integer"))
    yield p(assertion, v.SG + "sentence", _lit(sentence.sentence, "integer"))
    if sentence.section:
        yield p(assertion, v.SG + "section", ox.Literal(sentence.section, language="en"))
    for entity in mentioned_entities(claim):
        yield p(assertion, v.SG + "about", _n(entity))
    if claim.paraphrase:
        yield p(assertion, v.SG + "paraphrase", ox.Literal(claim.paraphrase, language="en"))
    if claim.free_text:
        yield p(assertion, v.SG + "freeTextReason", ox.Literal(claim.free_text, language="en"))
    if claim.note:
        yield p(assertion, v.SKOS + "note", ox.Literal(claim.note, language="en"))
    for relation, targets in claim.relations.items():
        for target in targets:
            yield p(assertion, relation, _n(names[target]))
    yield p(assertion, v.PROV + "wasQuotedFrom", resource)
    yield p(resource, v.RDF + "type", _n(v.OA + "SpecificResource"))
    yield p(resource, v.OA + "hasSource", doc)
    yield p(resource, v.OA + "hasSelector", text_sel)
    yield p(resource, v.OA + "hasSelector", pos_sel)
    yield p(text_sel, v.RDF + "type", _n(v.OA + "TextQuoteSelector"))
    yield p(text_sel, v.OA + "exact", ox.Literal(claim.quote))
    if claim.prefix_text:
        yield p(text_sel, v.OA + "prefix", ox.Literal(claim.prefix_text))
    if claim.suffix_text:
        yield p(text_sel, v.OA + "suffix", ox.Literal(claim.suffix_text))
    yield p(pos_sel, v.RDF + "type", _n(v.OA + "TextPositionSelector"))
    yield p(pos_sel, v.OA + "start", _lit(claim.start, "integer"))
    yield p(pos_sel, v.OA + "end", _lit(claim.end, "integer"))

    np_ = _n(nanopub)
    yield p(np_, v.DCTERMS + "created", _lit(claim.created, "date"), info)
    yield p(np_, v.PROV + "wasAttributedTo", _n(v.B + v.CURATOR), info)
    yield p(np_, v.PROV + "wasDerivedFrom", doc, info)
    yield p(np_, v.SG + "sha256", ox.Literal(sha256_of(source.text)), info)

    yield p(np_, v.RDF + "type", _n(v.NP + "Nanopublication"), head)
    yield p(np_, v.NP + "hasAssertion", assertion, head)
    yield p(np_, v.NP + "hasProvenance", prov, head)
    yield p(np_, v.NP + "hasPublicationInfo", info, head)
