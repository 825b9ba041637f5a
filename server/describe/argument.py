"""A source's argument: its claims (every assertion that is not a reported fact, plus any
assertion a relation touches, such as the facts that support a claim) and the relations
between them (``sg:supportsClaim`` …, stated in the provenance graphs).

:func:`argument_map` gives the nodes and edges a page draws; :func:`argument_quads` the RDF
of the same argument: each node's provenance statements (kind, attribution, relations,
paraphrase, quote selectors) and its assertion graph (the claim-content node and its parts).
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

from kg.store import Store
from server.describe.document import unique
from server.describe.kinds import CLAIM_KINDS, RELATION_BY_NAME, Relation
from server.describe.provenance import Provenance, provenance, provenance_graph
from server.describe.sources import assertions_of
from server.labels import OA, PROV, RDF_TYPE, RDFS_LABEL, cache_for, patterns


@dataclass(frozen=True)
class ArgEdge:
    source: Provenance
    target: Provenance
    relation: Relation


@dataclass
class ArgumentMap:
    doc: str
    nodes: list[Provenance]  # in the order of the text
    edges: list[ArgEdge]  # sorted by (source, relation, target)

    def relations_of(self, node: Provenance) -> list[ArgEdge]:
        return [e for e in self.edges if node in (e.source, e.target)]


def argument_map(store: Store, base: str, doc_iri: str) -> ArgumentMap:
    """The claims of one document and the relations between them (cached per version)."""

    def compute() -> ArgumentMap:
        provs = assertions_of(store, base, doc_iri)
        by_iri = {p.assertion: p for p in provs}
        edges: list[ArgEdge] = []
        for p in provs:
            for name, target_iri in p.relations:
                target = by_iri.get(target_iri) or provenance(store, target_iri, base)
                relation = RELATION_BY_NAME.get(name)
                if target is None or relation is None:
                    continue
                by_iri.setdefault(target.assertion, target)
                edges.append(ArgEdge(p, target, relation))
        touched = {e.source.assertion for e in edges} | {e.target.assertion for e in edges}
        nodes = [p for p in by_iri.values() if p.kind in CLAIM_KINDS or p.assertion in touched]
        nodes.sort(
            key=lambda p: (
                p.source != doc_iri,
                p.start if p.start is not None else -1,
                p.slug,
            )
        )
        edges.sort(key=lambda e: (e.source.slug, e.relation.name, e.target.slug))
        return ArgumentMap(doc_iri, nodes, edges)

    return cache_for(store, "argument").get(store, doc_iri, compute)


def argument_quads(store: Store, base: str, amap: ArgumentMap) -> list[ox.Quad]:
    """The argument as RDF, each quad in its nanopublication graph."""
    reader = patterns(store)
    sg = f"{base}ontology/"
    doc = ox.NamedNode(amap.doc)
    quads: list[ox.Quad] = []
    for predicate in (RDF_TYPE, RDFS_LABEL):
        quads.extend(reader.quads_for_pattern(doc, predicate, None, None))
    quoted = ox.NamedNode(PROV + "wasQuotedFrom")
    selector = ox.NamedNode(OA + "hasSelector")
    for p in amap.nodes:
        graph = ox.NamedNode(p.assertion)
        pgraph = provenance_graph(reader, graph)
        own = list(reader.quads_for_pattern(graph, None, None, pgraph))
        quads.extend(own)
        for name, target in p.relations:  # wherever they are stated (graph/argument)
            quads.extend(
                reader.quads_for_pattern(graph, ox.NamedNode(sg + name), ox.NamedNode(target))
            )
        for q in own:
            if q.predicate == quoted and not isinstance(q.object, ox.Literal):
                quads.extend(reader.quads_for_pattern(q.object, None, None, pgraph))
                for s in reader.quads_for_pattern(q.object, selector, None, pgraph):
                    if not isinstance(s.object, ox.Literal):
                        quads.extend(reader.quads_for_pattern(s.object, None, None, pgraph))
        quads.extend(reader.quads_for_pattern(None, None, None, graph))
    return unique(quads)
