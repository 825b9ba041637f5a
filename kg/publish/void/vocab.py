"""The vocabulary of the dataset description: namespaces, prefixes, link targets."""

from __future__ import annotations

from dataclasses import dataclass

VOID = "http://rdfs.org/ns/void#"
DCAT = "http://www.w3.org/ns/dcat#"
DCTERMS = "http://purl.org/dc/terms/"
SPDX = "http://spdx.org/rdf/terms#"
FOAF = "http://xmlns.com/foaf/0.1/"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
XSD = "http://www.w3.org/2001/XMLSchema#"
OWL = "http://www.w3.org/2002/07/owl#"
SD = "http://www.w3.org/ns/sparql-service-description#"
IANA = "https://www.iana.org/assignments/media-types/"
CC_BY_4 = "https://creativecommons.org/licenses/by/4.0/"

#: prefixes for serializing the description (and for showing it)
PREFIXES: dict[str, str] = {
    "void": VOID,
    "dcat": DCAT,
    "dcterms": DCTERMS,
    "spdx": SPDX,
    "foaf": FOAF,
    "rdf": RDF,
    "rdfs": RDFS,
    "xsd": XSD,
    "owl": OWL,
    "sd": SD,
}

#: well-known vocabularies: namespace → prefix (for void:vocabulary and display)
KNOWN_VOCABULARIES: dict[str, str] = {
    RDF: "rdf",
    RDFS: "rdfs",
    OWL: "owl",
    XSD: "xsd",
    "http://www.w3.org/2004/02/skos/core#": "skos",
    "http://www.w3.org/ns/prov#": "prov",
    "http://www.w3.org/ns/org#": "org",
    "https://schema.org/": "schema",
    "http://schema.org/": "schema",
    "http://www.w3.org/ns/oa#": "oa",
    "http://www.nanopub.org/nschema#": "np",
    "http://www.w3.org/2006/time#": "time",
    DCTERMS: "dcterms",
    "http://purl.org/dc/elements/1.1/": "dc",
    FOAF: "foaf",
    VOID: "void",
    DCAT: "dcat",
    "http://www.w3.org/ns/shacl#": "sh",
    "http://www.wikidata.org/prop/direct/": "wdt",
    SD: "sd",
    SPDX: "spdx",
}


@dataclass(frozen=True)
class Target:
    """An external dataset our entities link to."""

    slug: str
    title: str
    homepage: str
    uri_space: str | None = None


#: IRI namespaces of external datasets (objects of links)
TARGETS_BY_NAMESPACE: tuple[tuple[str, Target], ...] = (
    (
        "http://www.wikidata.org/entity/",
        Target(
            "wikidata", "Wikidata", "https://www.wikidata.org/", "http://www.wikidata.org/entity/"
        ),
    ),
    (
        "https://www.wikidata.org/wiki/",
        Target(
            "wikidata", "Wikidata", "https://www.wikidata.org/", "http://www.wikidata.org/entity/"
        ),
    ),
    (
        "https://sws.geonames.org/",
        Target("geonames", "GeoNames", "https://www.geonames.org/", "https://sws.geonames.org/"),
    ),
    (
        "http://sws.geonames.org/",
        Target("geonames", "GeoNames", "https://www.geonames.org/", "http://sws.geonames.org/"),
    ),
    (
        "http://dbpedia.org/resource/",
        Target("dbpedia", "DBpedia", "https://www.dbpedia.org/", "http://dbpedia.org/resource/"),
    ),
    (
        "https://www.iso.org/obp/ui/#iso:code:3166:",
        Target(
            "iso3166", "ISO 3166 country codes", "https://www.iso.org/iso-3166-country-codes.html"
        ),
    ),
    (
        "http://id.loc.gov/vocabulary/countries/",
        Target("loc-countries", "Library of Congress MARC countries", "https://id.loc.gov/"),
    ),
)

ISO3166 = Target(
    "iso3166", "ISO 3166 country codes", "https://www.iso.org/iso-3166-country-codes.html"
)
COW = Target(
    "cow",
    "Correlates of War state system membership",
    "https://correlatesofwar.org/data-sets/state-system-membership/",
)

#: ontology properties whose literal values are codes in an external dataset
CODE_PREDICATES: dict[str, Target] = {
    "iso3166Alpha2": ISO3166,
    "iso3166Alpha3": ISO3166,
    "cowStateCode": COW,
    "cowStateAbbrev": COW,
}

#: file suffix → IANA media type of the (uncompressed) content
DUMP_MEDIA_TYPES: dict[str, str] = {
    "nq": "application/n-quads",
    "nt": "application/n-triples",
    "ttl": "text/turtle",
    "trig": "application/trig",
    "rdf": "application/rdf+xml",
    "jsonld": "application/ld+json",
}


def iana(media_type: str) -> str:
    """The IANA registry IRI of a media type (DCAT 3 wants an IRI, not a string)."""
    return IANA + media_type.split(";", 1)[0].strip().lower()


def local_name(iri: str) -> str:
    for sep in ("#", "/", ":"):
        if sep in iri.rstrip(sep):
            tail = iri.rstrip(sep).rsplit(sep, 1)[1]
            if tail:
                return tail
    return iri


def namespace_of(iri: str) -> str:
    """The namespace part of an IRI: up to and including the last ``#`` or ``/``."""
    cut = max(iri.rfind("#"), iri.rfind("/"))
    return iri[: cut + 1] if cut >= 0 else iri
