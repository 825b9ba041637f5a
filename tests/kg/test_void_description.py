"""kg.publish.void: the VoID + DCAT 3 description, checked against SPARQL counts on one store."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from rdflib import RDF, Literal, URIRef

from kg.publish import void
from tests.pages.test_ontology_docs import BASE, build_small_store

VOID = rdflib.Namespace(void.VOID)
DCAT = rdflib.Namespace(void.DCAT)
SPDX = rdflib.Namespace(void.SPDX)
DCTERMS = rdflib.Namespace(void.DCTERMS)
DATASET = URIRef(f"{BASE}void")


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory):
    return build_small_store(tmp_path_factory.mktemp("void") / "store")


def as_graph(triples: list[ox.Triple]) -> rdflib.Graph:
    data = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
    return rdflib.Graph().parse(data=data, format="nt")


def count(store, sparql: str) -> int:
    return int(next(iter(store.query(sparql)))[0].value)


def test_core_description(store) -> None:
    graph = as_graph(
        void.describe_dataset(store, BASE, sparql_endpoint="http://127.0.0.1:5000/sparql")
    )
    assert (DATASET, RDF.type, VOID.Dataset) in graph
    assert (DATASET, RDF.type, DCAT.Dataset) in graph
    assert (DATASET, VOID.sparqlEndpoint, URIRef("http://127.0.0.1:5000/sparql")) in graph
    assert (DATASET, VOID.uriSpace, Literal(f"{BASE}id/")) in graph
    assert (DATASET, DCTERMS.license, URIRef(void.CC_BY_4)) in graph
    assert graph.value(DATASET, DCTERMS.modified) is not None
    assert graph.value(DATASET, DCTERMS.publisher) is not None
    distinct = count(store, "SELECT (COUNT(*) AS ?n) { SELECT DISTINCT ?s ?p ?o { ?s ?p ?o } }")
    assert graph.value(DATASET, VOID.triples).toPython() == distinct
    entities = count(
        store,
        f'SELECT (COUNT(DISTINCT ?s) AS ?n) {{ ?s ?p ?o FILTER(STRSTARTS(STR(?s), "{BASE}id/")) }}',
    )
    assert graph.value(DATASET, VOID.entities).toPython() == entities == 4
    # property partitions add up to the triples
    parts = list(graph.objects(DATASET, VOID.propertyPartition))
    assert sum(graph.value(p, VOID.triples).toPython() for p in parts) == distinct
    # class partition of sg:State: three states
    sg_state = URIRef(f"{BASE}ontology/State")
    part = next(
        p
        for p in graph.objects(DATASET, VOID.classPartition)
        if graph.value(p, VOID["class"]) == sg_state
    )
    assert graph.value(part, VOID.entities).toPython() == 3
    assert URIRef(f"{BASE}ontology/") in set(graph.objects(DATASET, VOID.vocabulary))
    service = graph.value(predicate=DCAT.servesDataset, object=DATASET)
    assert (service, RDF.type, DCAT.DataService) in graph
    assert graph.value(service, DCAT.endpointURL) == URIRef("http://127.0.0.1:5000/sparql")
    assert graph.value(service, DCAT.endpointDescription) is not None


def test_linksets_match_sparql_counts(store) -> None:
    graph = as_graph(void.describe_dataset(store, BASE))
    linksets = {
        (graph.value(ls, VOID.objectsTarget), graph.value(ls, VOID.linkPredicate)): graph.value(
            ls, VOID.triples
        ).toPython()
        for ls in graph.objects(DATASET, VOID.subset)
        if (ls, RDF.type, VOID.Linkset) in graph
    }
    links = f"{BASE}graph/links/"

    def links_count(predicate: str, extra: str = "") -> int:
        return count(
            store,
            f"SELECT (COUNT(*) AS ?n) {{ GRAPH ?g {{ ?s <{predicate}> ?o }} "
            f'FILTER(STRSTARTS(STR(?g), "{links}"){extra}) }}',
        )

    same_as = links_count(
        str(rdflib.OWL.sameAs), ' && STRSTARTS(STR(?o), "http://www.wikidata.org/entity/")'
    )
    iso = links_count(f"{BASE}ontology/iso3166Alpha2")
    cow = links_count(f"{BASE}ontology/cowStateCode")
    assert (same_as, iso, cow) == (3, 3, 2)
    wikidata = URIRef(f"{BASE}void#wikidata")
    assert linksets[(wikidata, rdflib.OWL.sameAs)] == same_as
    assert linksets[(URIRef(f"{BASE}void#iso3166"), URIRef(f"{BASE}ontology/iso3166Alpha2"))] == iso
    assert linksets[(URIRef(f"{BASE}void#cow"), URIRef(f"{BASE}ontology/cowStateCode"))] == cow
    assert graph.value(wikidata, VOID.uriSpace) == Literal("http://www.wikidata.org/entity/")
    for ls in graph.objects(DATASET, VOID.subset):
        assert graph.value(ls, VOID.subjectsTarget) == DATASET


def test_distributions_from_manifest(store, tmp_path: Path) -> None:
    dumps = tmp_path / "dumps"
    try:
        from kg.publish.dump import dump
    except ImportError:  # pragma: no cover - write the files to the manifest contract
        dump = None
    if dump is not None:
        dump(store, dumps)
    else:  # pragma: no cover
        dumps.mkdir()
        data = b"<a:b> <a:b> <a:b> .\n"
        (dumps / "sgkg.ttl").write_bytes(data)
        manifest = {
            "files": [
                {
                    "name": "sgkg.ttl",
                    "bytes": len(data),
                    "sha256": hashlib.sha256(data).hexdigest(),
                    "media_type": "text/turtle",
                }
            ]
        }
        (dumps / "manifest.json").write_text(json.dumps(manifest))
    manifest = json.loads((dumps / "manifest.json").read_text())
    entries = manifest["files"] if isinstance(manifest, dict) else manifest
    graph = as_graph(void.describe_dataset(store, BASE, dumps_dir=dumps, origin="http://h.test/"))
    dumps_listed = set(graph.objects(DATASET, VOID.dataDump))
    assert dumps_listed == {URIRef(f"http://h.test/dumps/{e['name']}") for e in entries}
    distributions = [
        d for d in graph.objects(DATASET, DCAT.distribution) if graph.value(d, DCAT.downloadURL)
    ]
    assert len(distributions) == len(entries)
    for dist in distributions:
        name = str(graph.value(dist, DCAT.downloadURL)).rsplit("/", 1)[1]
        entry = next(e for e in entries if e["name"] == name)
        media = str(graph.value(dist, DCAT.mediaType))
        assert media.startswith("https://www.iana.org/assignments/media-types/"), media
        assert media.rsplit("/", 2)[-2] in ("application", "text")
        if name.endswith(".gz"):
            assert media.endswith("/application/n-quads")
            assert graph.value(dist, DCAT.compressFormat) == URIRef(void.iana("application/gzip"))
        assert graph.value(dist, DCTERMS.license) == URIRef(void.CC_BY_4)
        checksum = graph.value(dist, SPDX.checksum)
        assert graph.value(checksum, SPDX.algorithm) == SPDX.checksumAlgorithm_sha256
        assert str(graph.value(checksum, SPDX.checksumValue)) == entry["sha256"]
        assert graph.value(dist, DCAT.byteSize).toPython() == entry["bytes"]


def test_statistics_cached_per_version(store) -> None:
    first = void.statistics(store, BASE)
    again = void.statistics(store, BASE)
    assert again is first  # the same object: nothing recomputed for the same version
    with store.writer() as oxstore:
        oxstore.add(
            ox.Quad(
                ox.NamedNode(f"{BASE}id/country/poland"),
                ox.NamedNode(str(RDF.type)),
                ox.NamedNode(f"{BASE}ontology/State"),
                ox.NamedNode(f"{BASE}graph/entities"),
            )
        )
    fresh = void.statistics(store, BASE)
    assert fresh is not first
    assert fresh.triples == first.triples + 1
    assert fresh.entities == first.entities + 1


def test_no_manifest_means_no_dumps(tmp_path: Path) -> None:
    assert void.read_manifest(tmp_path) == []
    (tmp_path / "manifest.json").write_text("{not json")
    assert void.read_manifest(tmp_path) == []
    assert void.read_manifest(None) == []
