"""One ``void:subset`` of the dataset per source document (issue 9.5).

Each curated source is published as nanopublications: for every claim an assertion graph and
its provenance, publication-info and head graphs. The subset of a source is those graphs; the
VoID description gives its title, the document it comes from (``dcterms:source``), how many
nanopublications and triples it holds (``void:triples``: the triples of its graphs, summed), an
example resource and the SPARQL query that selects it. Nothing is typed by hand: the subsets
are read from the nanopub heads (``np:hasAssertion`` …) and the provenance's
``sg:sourceDocument``, once per store version.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

from kg.store import Store
from kg.store.cache import cached

VOID = "http://rdfs.org/ns/void#"
DCTERMS = "http://purl.org/dc/terms/"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
XSD = "http://www.w3.org/2001/XMLSchema#"
NP = "http://www.nanopub.org/nschema#"


@dataclass(frozen=True)
class SourceSubset:
    document: str
    title: str
    nanopubs: int
    graphs: tuple[str, ...]
    example: str | None


def source_subsets_of(store: Store, base_iri: str) -> list[SourceSubset]:
    """The nanopublication graphs of each source document (cached per store version)."""
    return cached(store, "void-subsets", base_iri, lambda: _source_subsets(store, base_iri))


def _source_subsets(store: Store, base_iri: str) -> list[SourceSubset]:
    sg = f"{base_iri}ontology/"
    graphs: dict[str, set[str]] = {}
    assertions: dict[str, set[str]] = {}
    for row in store.query(
        f"SELECT ?doc ?head ?a ?p ?i WHERE {{ GRAPH ?head {{ ?np <{NP}hasAssertion> ?a ; "
        f"<{NP}hasProvenance> ?p . OPTIONAL {{ ?np <{NP}hasPublicationInfo> ?i }} }} "
        f"GRAPH ?p {{ ?a <{sg}sourceDocument> ?doc }} }}"
    ):
        doc = row["doc"].value
        found = graphs.setdefault(doc, set())
        for name in ("head", "a", "p", "i"):
            if isinstance(row[name], ox.NamedNode):
                found.add(row[name].value)
        assertions.setdefault(doc, set()).add(row["a"].value)
    titles = {
        row["doc"].value: row["title"].value
        for row in store.query(
            f"SELECT ?doc (SAMPLE(?t) AS ?title) WHERE {{ ?doc a <{sg}SourceDocument> ; "
            f"<http://www.w3.org/2000/01/rdf-schema#label> ?t }} GROUP BY ?doc"
        )
        if row["title"] is not None
    }
    subsets = [
        SourceSubset(
            document=doc,
            title=titles.get(doc, doc.rsplit("/", 1)[-1]),
            nanopubs=len(assertions[doc]),
            graphs=tuple(sorted(graphs[doc])),
            example=min(assertions[doc]) if assertions[doc] else None,
        )
        for doc in sorted(graphs)
    ]
    return subsets


def _int(n: int) -> ox.Literal:
    return ox.Literal(str(n), datatype=ox.NamedNode(XSD + "integer"))


def source_subsets(
    store: Store, base_iri: str, dataset: ox.NamedNode, graph_triples: list[tuple[str, int]]
) -> list[ox.Triple]:
    """The ``void:subset`` triples: one subset per source, sized from ``graph_triples``
    (``(graph IRI, triples)`` as the dataset statistics count them)."""
    counts = dict(graph_triples)
    triples: list[ox.Triple] = []

    def add(s: ox.NamedNode, p: str, o: ox.NamedNode | ox.Literal) -> None:
        triples.append(ox.Triple(s, ox.NamedNode(p), o))

    for subset in source_subsets_of(store, base_iri):
        slug = subset.document.rsplit("/", 1)[-1]
        node = ox.NamedNode(f"{dataset.value}#source-{slug}")
        add(dataset, VOID + "subset", node)
        add(node, RDF + "type", ox.NamedNode(VOID + "Dataset"))
        add(node, DCTERMS + "title", ox.Literal(f"Claims of “{subset.title}”", language="en"))
        add(
            node,
            DCTERMS + "description",
            ox.Literal(
                f"{subset.nanopubs} nanopublications (assertion, provenance, publication info "
                f"and head graphs) quoting the source document “{subset.title}”.",
                language="en",
            ),
        )
        add(node, DCTERMS + "source", ox.NamedNode(subset.document))
        add(node, VOID + "triples", _int(sum(counts.get(g, 0) for g in subset.graphs)))
        add(node, VOID + "documents", _int(subset.nanopubs))
        if subset.example:
            add(node, VOID + "exampleResource", ox.NamedNode(subset.example))
    return triples
