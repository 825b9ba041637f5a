"""Human labels for IRIs, in the reader's language, cached per store version.

Labels come from ``rdfs:label`` and ``skos:prefLabel`` in any graph (the ontology graph
``{base}graph/ontology`` gives the property and class labels). A page asks for dozens of
labels, so each IRI's labels are looked up once per store *version* (the generation the
store's ``current`` link points at): a new build is seen at once, and nothing stale is
served. An IRI without a label gets one made from its local name (``commitmentType`` →
"commitment type"), so a page never shows a bare IRI where a word would do.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import pyoxigraph as ox

from kg.store import Store
from kg.store.cache import cached

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
XSD = "http://www.w3.org/2001/XMLSchema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
PROV = "http://www.w3.org/ns/prov#"
OA = "http://www.w3.org/ns/oa#"
NP = "http://www.nanopub.org/nschema#"
SCHEMA = "https://schema.org/"
DCTERMS = "http://purl.org/dc/terms/"
VOID = "http://rdfs.org/ns/void#"
ORG = "http://www.w3.org/ns/org#"
WD = "http://www.wikidata.org/entity/"

RDF_TYPE = ox.NamedNode(RDF + "type")
RDFS_LABEL = ox.NamedNode(RDFS + "label")
SKOS_PREF = ox.NamedNode(SKOS + "prefLabel")
SKOS_ALT = ox.NamedNode(SKOS + "altLabel")
#: predicates that name a thing on its page, best first
NAME_PREDICATES = (SKOS_PREF, RDFS_LABEL)
#: predicates that search looks through
SEARCH_PREDICATES = (RDFS_LABEL, SKOS_PREF, SKOS_ALT)


def prefixes(base: str) -> dict[str, str]:
    """The prefixes used in Turtle output and in CURIEs shown on pages."""
    return {
        "sg": f"{base}ontology/",
        "id": f"{base}id/",
        "rdf": RDF,
        "rdfs": RDFS,
        "owl": OWL,
        "xsd": XSD,
        "skos": SKOS,
        "prov": PROV,
        "oa": OA,
        "np": NP,
        "schema": SCHEMA,
        "dcterms": DCTERMS,
        "void": VOID,
        "org": ORG,
        "wd": WD,
    }


@functools.lru_cache(maxsize=65536)
def curie(iri: str, base: str) -> str | None:
    """``sg:State`` for ``{base}ontology/State``; ``None`` when no prefix fits (memoized:
    entity pages ask for the same few hundred IRIs over and over)."""
    best: tuple[int, str] | None = None
    for name, ns in prefixes(base).items():
        if iri.startswith(ns) and (best is None or len(ns) > best[0]):
            rest = iri[len(ns) :]
            if rest and re.fullmatch(r"[A-Za-z0-9_.-]+", rest):
                best = (len(ns), f"{name}:{rest}")
    return best[1] if best else None


def expand(curie_or_name: str, base: str) -> str | None:
    """The IRI of ``State`` (an sg term), ``prov:Agent`` or a full IRI; ``None`` if unknown."""
    text = curie_or_name.strip()
    if text.startswith(("http://", "https://")):
        return text
    if ":" in text:
        prefix, _, local = text.partition(":")
        ns = prefixes(base).get(prefix)
        return ns + local if ns and re.fullmatch(r"[A-Za-z0-9_.-]+", local) else None
    if re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", text):
        return f"{base}ontology/{text}"
    return None


def local_name(iri: str) -> str:
    """The last segment of an IRI (after ``#`` or ``/``)."""
    return re.split(r"[#/]", iri.rstrip("/#"))[-1] or iri


def humanize(iri: str) -> str:
    """A readable fallback label: ``commitmentType`` → "commitment type",
    ``donald-trump`` → "donald trump", ``Q142`` stays ``Q142``."""
    name = local_name(iri)
    if re.fullmatch(r"[A-Z]\d+", name):
        return name
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", name).replace("-", " ").replace("_", " ")
    return spaced.lower() if name[:1].islower() else spaced


# --- per-version caches ------------------------------------------------------------------

T = TypeVar("T")


class VersionCache:
    """A named per-version cache of one store (:mod:`kg.store.cache`)."""

    def __init__(self, name: str) -> None:
        self.name = name

    def get(self, store: Store, key: Any, compute: Callable[[], T], *, stale_ok: bool = False) -> T:
        return cached(store, self.name, key, compute, stale_ok=stale_ok)


def cache_for(store: Store, name: str) -> VersionCache:
    """The named per-version cache of a store."""
    return VersionCache(name)


# --- looking labels up ---------------------------------------------------------------------


def patterns(store: Store) -> Any:
    """Something with ``quads_for_pattern`` for a burst of lookups (:meth:`Store.patterns`)."""
    return store.patterns()


def labels_of(store: Store, iri: str) -> dict[str, str]:
    """``{language tag: label}`` of an IRI (``""`` for a plain literal); cached per version."""

    def compute() -> dict[str, str]:
        found: dict[str, str] = {}
        reader = patterns(store)
        node = ox.NamedNode(iri)
        for predicate in NAME_PREDICATES:
            for quad in reader.quads_for_pattern(node, predicate, None, None):
                obj = quad.object
                if isinstance(obj, ox.Literal):
                    found.setdefault((obj.language or "").lower(), obj.value)
        return found

    return cache_for(store, "labels").get(store, iri, compute)


def choose(labels: dict[str, str], accepted: Sequence[str]) -> tuple[str, str] | None:
    """The label for the reader: the first accepted language that has one (``fr-CH``
    matches ``fr``, ``fr`` matches ``fr-CH``), then English, then untagged, then any.

    Returns ``(label, language tag)`` or ``None`` when there are no labels.
    """
    if not labels:
        return None
    for wanted in [*(a.lower() for a in accepted if a and a != "*"), "en", ""]:
        if wanted in labels:
            return labels[wanted], wanted
        primary = wanted.split("-")[0]
        for tag in sorted(labels):
            if tag and (tag == primary or tag.split("-")[0] == primary):
                return labels[tag], tag
    tag = sorted(labels)[0]
    return labels[tag], tag


def label(store: Store, iri: str, accepted: Sequence[str] = ()) -> tuple[str, str]:
    """``(label, language)`` of an IRI for a reader; falls back to its humanized name."""
    picked = choose(labels_of(store, iri), accepted)
    return picked if picked else (humanize(iri), "")
