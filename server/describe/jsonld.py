"""The schema.org description embedded in an entity page (for search engines).

``description`` is the entity's neutral definition or nothing. What the sources *say* about
the entity goes in ``subjectOf`` as ``schema:Claim``s, each with its quote (``text``), its
kind (``genre`` in words, ``additionalType`` as the kind's IRI), its author (whoever the
assertion is attributed to) and the document it appears in — a claim is never a description.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from server.describe.kinds import SCHEMA_TYPES
from server.describe.provenance import Provenance
from server.describe.view import EntityView
from server.labels import local_name

#: at most this many claims in one page's JSON-LD (the RDF documents hold all of them)
MAX_CLAIMS = 100


def claim_jsonld(
    p: Provenance, base: str, name_of: Callable[[str], str], origin: str = ""
) -> dict[str, Any]:
    """One assertion as a ``schema:Claim`` with its kind and author."""
    data: dict[str, Any] = {"@type": "Claim", "@id": p.assertion}
    if p.exact:
        data["text"] = p.exact
    data["genre"] = p.kind_words
    if p.kind:
        data["additionalType"] = f"{base}ontology/{p.kind}"
    authors = [{"@id": a, "name": name_of(a)} for a in p.attributed]
    if authors:
        data["author"] = authors
    if p.source:
        data["appearance"] = {"@id": p.source, "name": name_of(p.source)}
    if p.reader_url:
        data["url"] = origin + p.reader_url
    return data


def schema_jsonld(
    view: EntityView,
    page_url: str,
    *,
    base: str = "",
    name_of: Callable[[str], str] | None = None,
    origin: str = "",
) -> dict[str, Any]:
    """A schema.org description of the entity (embedded in the page)."""
    names = name_of or (lambda iri: iri)
    kind = "Thing"
    for t in view.types:
        mapped = SCHEMA_TYPES.get(local_name(t.value))
        if mapped:
            kind = mapped
            break
    own = view.own_provenance
    if own is not None:
        data = {"@context": "https://schema.org", **claim_jsonld(own, base, names, origin)}
        data.update({"name": view.label, "url": page_url})
        return data
    data = {
        "@context": "https://schema.org",
        "@type": kind,
        "@id": view.iri,
        "name": view.label,
        "url": page_url,
    }
    if view.definition:
        data["description"] = view.definition
    if view.same_as:
        data["sameAs"] = [t.value for t in view.same_as]
    claims = view.claims[:MAX_CLAIMS]
    if claims:
        data["subjectOf"] = [claim_jsonld(p, base, names, origin) for p in claims]
    return data
