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

from datetime import datetime
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg.publish.void.manifest import DumpFile, read_manifest  # noqa: F401
from kg.publish.void.stats import (  # noqa: F401
    Linkset,
    Statistics,
    _int,
    _linksets,
    _one,
    _target_for,
    _version_time,
    compute_statistics,
    statistics,
)
from kg.publish.void.vocab import (  # noqa: F401
    CC_BY_4,
    CODE_PREDICATES,
    COW,
    DCAT,
    DCTERMS,
    DUMP_MEDIA_TYPES,
    FOAF,
    IANA,
    ISO3166,
    KNOWN_VOCABULARIES,
    OWL,
    PREFIXES,
    RDF,
    RDFS,
    SD,
    SPDX,
    TARGETS_BY_NAMESPACE,
    VOID,
    XSD,
    Target,
    iana,
    local_name,
    namespace_of,
)
from kg.store import Store

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
    releases_dir: str | Path | None = None,
    stale_ok: bool = False,
) -> list[ox.Triple]:
    """The VoID + DCAT 3 description of the published dataset ``{base}void``.

    ``origin`` is the serving origin ending in ``/`` (download links point there so they
    work wherever the app runs); it defaults to ``base_iri``. ``sparql_endpoint`` defaults
    to ``{origin}sparql``. ``releases_dir`` defaults to ``KG_RELEASES``.
    """
    origin = origin or base_iri
    endpoint = sparql_endpoint or f"{origin}sparql"
    stats = statistics(store, base_iri, stale_ok=stale_ok)
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
    from kg.publish.void.subsets import source_subsets  # noqa: PLC0415  (one subset per source)

    g.triples += source_subsets(store, base_iri, ds, stats.graphs)
    from kg.publish.void.release import release_triples  # noqa: PLC0415  (issue 12: versions)

    g.triples += release_triples(base_iri, origin, releases_dir)
    return _grouped(g.triples)


def _grouped(triples: list[ox.Triple]) -> list[ox.Triple]:
    """Triples of one subject together (in first-seen order): readable Turtle blocks."""
    by_subject: dict[Any, list[ox.Triple]] = {}
    for triple in triples:
        by_subject.setdefault(triple.subject, []).append(triple)
    return [t for group in by_subject.values() for t in group]
