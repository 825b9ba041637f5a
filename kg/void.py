"""The dataset described in VoID and DCAT 3, generated from the store.

Federation clients (Comunica, SPARQL crawlers, data catalogues) discover a dataset through
``/.well-known/void``: its SPARQL endpoint, dumps, URI space, license, statistics and the
linksets that join it to Wikidata, ISO 3166 and the Correlates of War codes. Everything here
is computed from the data, so it cannot drift from what is served.

Statistics are SPARQL aggregates over the union of the named graphs (distinct triples, as a
SPARQL client sees them). They cost a few passes over the store, so they are computed once
per store version (:meth:`kg.store.Store.version`) and cached; the dump part is read from
``manifest.json`` on each call because dumps are written independently of the store.
"""

from __future__ import annotations

import json
import threading
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg.store import Store

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


# --- statistics (cached per store version) ---------------------------------------------------


@dataclass
class Linkset:
    target: Target
    predicate: str
    triples: int


@dataclass
class Statistics:
    """What the store holds, computed once per store version."""

    version: str
    modified: datetime | None
    triples: int = 0
    entities: int = 0
    distinct_subjects: int = 0
    distinct_objects: int = 0
    classes: list[tuple[str, int]] = field(default_factory=list)
    properties: list[tuple[str, int]] = field(default_factory=list)
    graphs: list[tuple[str, int]] = field(default_factory=list)
    linksets: list[Linkset] = field(default_factory=list)
    vocabularies: list[str] = field(default_factory=list)


_CACHE: dict[tuple[str, str, str], Statistics] = {}
_CACHE_LOCK = threading.Lock()


def _store_key(store: Store) -> str:
    root = getattr(store, "root", None)
    return f"{type(store).__name__}:{root if root is not None else store.describe()}"


def _int(value: Any) -> int:
    return int(value.value) if value is not None else 0


def _one(store: Store, sparql: str) -> int:
    for row in store.query(sparql):
        return _int(row[0])
    return 0


def _version_time(store: Store) -> datetime | None:
    """When the current generation was published (mtime of its directory)."""
    current = getattr(store, "current_generation", None)
    if current is None:
        return None
    path = current()
    if path is None or not path.exists():
        return None
    return datetime.fromtimestamp(path.stat().st_mtime, tz=UTC).replace(microsecond=0)


def compute_statistics(store: Store, base_iri: str) -> Statistics:
    """Run the aggregates (uncached). Counts are of distinct triples in the union graph."""
    id_space = f"{base_iri}id/"
    links = f"{base_iri}graph/links/"
    stats = Statistics(version=store.version(), modified=_version_time(store))
    distinct = "{ SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }"
    # one pass over the distinct subjects gives both counts (a FILTER per triple is 6x slower)
    for row in store.query(
        "SELECT (COUNT(*) AS ?all) "
        f'(SUM(IF(isIRI(?s) && STRSTARTS(STR(?s), "{id_space}"), 1, 0)) AS ?entities) '
        "WHERE { SELECT DISTINCT ?s WHERE { ?s ?p ?o } }"
    ):
        stats.distinct_subjects, stats.entities = _int(row["all"]), _int(row["entities"])
    stats.distinct_objects = _one(store, "SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE { ?s ?p ?o }")
    stats.classes = [
        (row["c"].value, _int(row["n"]))
        for row in store.query(
            "SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?c FILTER(isIRI(?c)) } "
            "GROUP BY ?c ORDER BY DESC(?n) ?c"
        )
    ]
    stats.properties = [
        (row["p"].value, _int(row["n"]))
        for row in store.query(
            f"SELECT ?p (COUNT(*) AS ?n) WHERE {distinct} GROUP BY ?p ORDER BY DESC(?n) ?p"
        )
    ]
    stats.triples = sum(n for _, n in stats.properties)  # one DISTINCT pass, not two
    stats.graphs = [
        (row["g"].value, _int(row["n"]))
        for row in store.query(
            "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g"
        )
        if isinstance(row["g"], ox.NamedNode)
    ]
    link_graphs = [g for g, _ in stats.graphs if g.startswith(links)]
    stats.linksets = _linksets(store, base_iri, link_graphs, id_space)
    vocabularies = {namespace_of(p) for p, _ in stats.properties}
    vocabularies |= {namespace_of(c) for c, _ in stats.classes}
    stats.vocabularies = sorted(
        v for v in vocabularies if v in KNOWN_VOCABULARIES or v == f"{base_iri}ontology/"
    )
    return stats


def _target_for(iri: str) -> Target | None:
    for namespace, target in TARGETS_BY_NAMESPACE:
        if iri.startswith(namespace):
            return target
    return None


def _linksets(store: Store, base_iri: str, link_graphs: list[str], id_space: str) -> list[Linkset]:
    """Links from our entities (subjects in ``{base}id/``) in the link graphs, grouped by
    (external dataset, predicate). IRI objects are matched to a dataset by namespace,
    literal codes by the ontology's code properties."""
    counts: dict[tuple[str, str], int] = defaultdict(int)
    targets: dict[str, Target] = {}
    if not link_graphs:
        return []
    # GRAPH <g> per link graph: a FILTER on ?g would scan every quad of the store
    union = " UNION ".join(f"{{ GRAPH <{g}> {{ ?s ?p ?o }} }}" for g in link_graphs)
    rows = store.query(
        f"SELECT DISTINCT ?s ?p ?o WHERE {{ {union} "
        f'FILTER(isIRI(?s) && STRSTARTS(STR(?s), "{id_space}") && ?p != <{RDF}type>) }}'
    )
    code_predicates = {f"{base_iri}ontology/{name}": t for name, t in CODE_PREDICATES.items()}
    for row in rows:
        predicate, obj = row["p"].value, row["o"]
        target: Target | None
        if isinstance(obj, ox.NamedNode):
            if obj.value.startswith(base_iri):
                continue
            target = _target_for(obj.value)
            if target is None:
                continue
        elif isinstance(obj, ox.Literal):
            target = code_predicates.get(predicate)
            if target is None:
                continue
        else:
            continue
        targets[target.slug] = target
        counts[(target.slug, predicate)] += 1
    return [Linkset(targets[slug], predicate, n) for (slug, predicate), n in sorted(counts.items())]


def statistics(store: Store, base_iri: str) -> Statistics:
    """:func:`compute_statistics`, cached per (store, version, base)."""
    key = (_store_key(store), store.version(), base_iri)
    cached = _CACHE.get(key)
    if cached is not None:
        return cached
    with _CACHE_LOCK:
        cached = _CACHE.get(key)
        if cached is None:
            cached = compute_statistics(store, base_iri)
            stale = [k for k in _CACHE if k[0] == key[0] and k[2] == key[2]]
            for k in stale:
                del _CACHE[k]
            _CACHE[key] = cached
        return cached


# --- dumps -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DumpFile:
    """One entry of ``manifest.json`` (the contract of ``kg dump``)."""

    name: str
    bytes: int
    sha256: str
    media_type: str
    quads: int | None = None
    generated: str | None = None
    store_version: str | None = None

    @property
    def compressed(self) -> bool:
        return self.name.endswith(".gz")

    @property
    def content_media_type(self) -> str:
        """The media type of the RDF inside (a ``.gz`` is N-Quads etc., gzipped)."""
        inner = self.name.removesuffix(".gz").rsplit(".", 1)[-1].lower()
        declared = self.media_type.split(";", 1)[0].strip().lower()
        if declared and declared not in ("application/gzip", "application/x-gzip"):
            return declared
        return DUMP_MEDIA_TYPES.get(inner, "application/octet-stream")


def read_manifest(dumps_dir: str | Path | None) -> list[DumpFile]:
    """The dumps listed in ``manifest.json`` that exist on disk; [] when there are none.

    A manifest that does not parse is treated as no dumps (the listing explains `kg dump`)
    rather than failing the whole description.
    """
    if dumps_dir is None:
        return []
    path = Path(dumps_dir) / "manifest.json"
    try:
        entries = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    top: dict[str, Any] = {}
    if isinstance(entries, dict):  # {"generated", "store_version", "files": [...]}
        top = entries
        entries = entries.get("files", [])
    files: list[DumpFile] = []
    for entry in entries if isinstance(entries, list) else []:
        try:
            name = str(entry["name"])
            if "/" in name or name.startswith(".") or not (Path(dumps_dir) / name).is_file():
                continue
            count = entry.get("quads", entry.get("triples"))
            files.append(
                DumpFile(
                    name=name,
                    bytes=int(entry["bytes"]),
                    sha256=str(entry["sha256"]).lower(),
                    media_type=str(entry.get("media_type") or ""),
                    quads=int(count) if count is not None else None,
                    generated=entry.get("generated") or top.get("generated"),
                    store_version=entry.get("store_version") or top.get("store_version"),
                )
            )
        except (KeyError, TypeError, ValueError):
            continue
    return files


# --- the description -----------------------------------------------------------------------


class _Graph:
    """A tiny triple builder so that the description reads like Turtle."""

    def __init__(self) -> None:
        self.triples: list[ox.Triple] = []

    def add(self, s: ox.NamedNode | ox.BlankNode, p: str, o: Any) -> None:
        if isinstance(o, str | int | datetime):
            o = _literal(o)
        self.triples.append(ox.Triple(s, ox.NamedNode(p), o))


def _literal(value: str | int | datetime) -> ox.Literal:
    if isinstance(value, bool):
        raise TypeError("no boolean literals here")
    if isinstance(value, int):
        return ox.Literal(str(value), datatype=ox.NamedNode(XSD + "integer"))
    if isinstance(value, datetime):
        return ox.Literal(value.isoformat(), datatype=ox.NamedNode(XSD + "dateTime"))
    return ox.Literal(value)


def _en(text: str) -> ox.Literal:
    return ox.Literal(text, language="en")


def _nn(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


def _datetime(text: str | None) -> ox.Literal | None:
    if not text:
        return None
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return ox.Literal(parsed.isoformat(), datatype=ox.NamedNode(XSD + "dateTime"))


def describe_dataset(
    store: Store,
    base_iri: str,
    *,
    dumps_dir: str | Path | None = None,
    sparql_endpoint: str | None = None,
    origin: str | None = None,
) -> list[ox.Triple]:
    """The VoID + DCAT 3 description of the published dataset ``{base}void``.

    ``origin`` is the serving origin ending in ``/`` (download links point there so they
    work wherever the app runs); it defaults to ``base_iri``. ``sparql_endpoint`` defaults
    to ``{origin}sparql``.
    """
    origin = origin or base_iri
    endpoint = sparql_endpoint or f"{origin}sparql"
    stats = statistics(store, base_iri)
    doc = f"{base_iri}void"
    ds = _nn(doc)
    g = _Graph()
    rdf_type = RDF + "type"

    g.add(ds, rdf_type, _nn(VOID + "Dataset"))
    g.add(ds, rdf_type, _nn(DCAT + "Dataset"))
    g.add(ds, DCTERMS + "title", _en("Security Guarantees Knowledge Graph"))
    g.add(
        ds,
        DCTERMS + "description",
        _en(
            "International security guarantees (guarantors, beneficiaries, commitments, "
            "conditions, blocs) encoded from curated sources as nanopublications: every "
            "assertion is traceable to the sentence that makes it."
        ),
    )
    g.add(ds, DCTERMS + "license", _nn(CC_BY_4))
    publisher = _nn(f"{doc}#publisher")
    g.add(ds, DCTERMS + "publisher", publisher)
    g.add(publisher, rdf_type, _nn(FOAF + "Organization"))
    g.add(publisher, FOAF + "name", "Security Guarantees Knowledge Graph project")
    g.add(publisher, FOAF + "homepage", _nn(base_iri))
    g.add(ds, FOAF + "homepage", _nn(base_iri))
    g.add(ds, DCAT + "landingPage", _nn(base_iri))
    for keyword in ("security guarantees", "alliances", "Ukraine", "nanopublications"):
        g.add(ds, DCAT + "keyword", _en(keyword))
    if stats.modified is not None:
        g.add(ds, DCTERMS + "modified", stats.modified)
    g.add(ds, DCTERMS + "hasVersion", stats.version)
    g.add(ds, DCTERMS + "conformsTo", _nn(f"{base_iri}ontology"))
    g.add(ds, VOID + "uriSpace", f"{base_iri}id/")
    g.add(ds, VOID + "sparqlEndpoint", _nn(endpoint))
    g.add(ds, VOID + "rootResource", _nn(f"{base_iri}ontology"))
    g.add(ds, VOID + "feature", _nn("http://www.w3.org/ns/formats/N-Quads"))
    g.add(ds, VOID + "feature", _nn("http://www.w3.org/ns/formats/Turtle"))
    g.add(ds, VOID + "triples", stats.triples)
    g.add(ds, VOID + "entities", stats.entities)
    g.add(ds, VOID + "distinctSubjects", stats.distinct_subjects)
    g.add(ds, VOID + "distinctObjects", stats.distinct_objects)
    g.add(ds, VOID + "classes", len(stats.classes))
    g.add(ds, VOID + "properties", len(stats.properties))
    for vocabulary in stats.vocabularies:
        g.add(ds, VOID + "vocabulary", _nn(vocabulary))

    for cls, entities in stats.classes:
        part = ox.BlankNode()
        g.add(ds, VOID + "classPartition", part)
        g.add(part, VOID + "class", _nn(cls))
        g.add(part, VOID + "entities", entities)
    for prop, triples in stats.properties:
        part = ox.BlankNode()
        g.add(ds, VOID + "propertyPartition", part)
        g.add(part, VOID + "property", _nn(prop))
        g.add(part, VOID + "triples", triples)

    described: set[str] = set()
    for linkset in stats.linksets:
        target = linkset.target
        target_node = _nn(f"{doc}#{target.slug}")
        if target.slug not in described:
            described.add(target.slug)
            g.add(target_node, rdf_type, _nn(VOID + "Dataset"))
            g.add(target_node, DCTERMS + "title", _en(target.title))
            g.add(target_node, FOAF + "homepage", _nn(target.homepage))
            if target.uri_space:
                g.add(target_node, VOID + "uriSpace", target.uri_space)
        node = _nn(f"{doc}#linkset-{target.slug}-{local_name(linkset.predicate)}")
        g.add(ds, VOID + "subset", node)
        g.add(node, rdf_type, _nn(VOID + "Linkset"))
        g.add(node, DCTERMS + "title", _en(f"Links to {target.title}"))
        g.add(node, VOID + "subjectsTarget", ds)
        g.add(node, VOID + "objectsTarget", target_node)
        g.add(node, VOID + "linkPredicate", _nn(linkset.predicate))
        g.add(node, VOID + "triples", linkset.triples)
        g.add(node, DCTERMS + "license", _nn(CC_BY_4))

    service = _nn(f"{doc}#sparql-service")
    g.add(service, rdf_type, _nn(DCAT + "DataService"))
    g.add(service, DCTERMS + "title", _en("SPARQL 1.1 endpoint"))
    g.add(service, DCAT + "endpointURL", _nn(endpoint))
    g.add(service, DCAT + "endpointDescription", _nn(endpoint))
    g.add(service, DCAT + "servesDataset", ds)
    g.add(service, DCTERMS + "conformsTo", _nn("https://www.w3.org/TR/sparql11-protocol/"))
    g.add(service, DCTERMS + "license", _nn(CC_BY_4))
    g.add(ds, DCAT + "distribution", _nn(f"{doc}#sparql"))
    sparql_dist = _nn(f"{doc}#sparql")
    g.add(sparql_dist, rdf_type, _nn(DCAT + "Distribution"))
    g.add(sparql_dist, DCTERMS + "title", _en("SPARQL endpoint"))
    g.add(sparql_dist, DCAT + "accessURL", _nn(endpoint))
    g.add(sparql_dist, DCAT + "accessService", service)
    g.add(sparql_dist, DCTERMS + "license", _nn(CC_BY_4))

    for dump in read_manifest(dumps_dir):
        url = f"{origin}dumps/{dump.name}"
        node = _nn(f"{doc}#dump-{dump.name}")
        g.add(ds, VOID + "dataDump", _nn(url))
        g.add(ds, DCAT + "distribution", node)
        g.add(node, rdf_type, _nn(DCAT + "Distribution"))
        g.add(node, DCTERMS + "title", _en(f"Dump {dump.name}"))
        g.add(node, DCAT + "downloadURL", _nn(url))
        g.add(node, DCAT + "accessURL", _nn(f"{origin}dumps/"))
        g.add(node, DCAT + "mediaType", _nn(iana(dump.content_media_type)))
        if dump.compressed:
            g.add(node, DCAT + "compressFormat", _nn(iana("application/gzip")))
        g.add(
            node,
            DCAT + "byteSize",
            ox.Literal(str(dump.bytes), datatype=_nn(XSD + "nonNegativeInteger")),
        )
        g.add(node, DCTERMS + "license", _nn(CC_BY_4))
        issued = _datetime(dump.generated)
        if issued is not None:
            g.add(node, DCTERMS + "issued", issued)
        checksum = ox.BlankNode()
        g.add(node, SPDX + "checksum", checksum)
        g.add(checksum, rdf_type, _nn(SPDX + "Checksum"))
        g.add(checksum, SPDX + "algorithm", _nn(SPDX + "checksumAlgorithm_sha256"))
        g.add(
            checksum,
            SPDX + "checksumValue",
            ox.Literal(dump.sha256, datatype=_nn(XSD + "hexBinary")),
        )
    from kg.void_subsets import source_subsets  # noqa: PLC0415  (one subset per source)

    g.triples += source_subsets(store, base_iri, ds, stats.graphs)
    from kg.void_release import release_triples  # noqa: PLC0415  (issue 12: versions)

    g.triples += release_triples(base_iri, origin)
    return _grouped(g.triples)


def _grouped(triples: list[ox.Triple]) -> list[ox.Triple]:
    """Triples of one subject together (in first-seen order): readable Turtle blocks."""
    by_subject: dict[Any, list[ox.Triple]] = {}
    for triple in triples:
        by_subject.setdefault(triple.subject, []).append(triple)
    return [t for group in by_subject.values() for t in group]
