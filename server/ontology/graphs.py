"""The ontology and shapes graphs read from the store, cached per store version.

Both are small (hundreds to a few thousand triples) and are navigated in many directions
(superclasses, domains, shapes targeting a class), which rdflib does well; the store is read
once per version with a CONSTRUCT so that embedded and remote stores work the same way.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import pyoxigraph as ox
import rdflib

from kg.rdfio import from_rdflib_triple, to_rdflib_term
from kg.store import Store
from kg.store.cache import cached as per_version

T = TypeVar("T")


def cached(
    store: Store, name: str, base: str, compute: Callable[[], T], *, stale_ok: bool = False
) -> T:
    """``compute()`` once per (store, version, name, base) (:mod:`kg.store.cache`)."""
    return per_version(store, name, base, compute, stale_ok=stale_ok)


def read_graph(store: Store, graph_iri: str) -> rdflib.Graph:
    """One named graph of the store as an rdflib Graph (blank nodes kept consistent)."""
    graph = rdflib.Graph()
    for triple in store.query(
        f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{graph_iri}> {{ ?s ?p ?o }} }}"
    ):
        graph.add(
            (
                to_rdflib_term(triple.subject),
                to_rdflib_term(triple.predicate),
                to_rdflib_term(triple.object),
            )
        )
    return graph


def ontology_graph(store: Store, base: str) -> rdflib.Graph:
    return cached(store, "ontology-graph", base, lambda: read_graph(store, f"{base}graph/ontology"))


def shapes_graph(store: Store, base: str) -> rdflib.Graph:
    return cached(store, "shapes-graph", base, lambda: read_graph(store, f"{base}graph/shapes"))


def instance_counts(store: Store, base: str) -> dict[str, int]:
    """Distinct instances per class in the store (shapes excluded; the concept individuals
    of the ontology count as instances of their concept classes)."""

    def compute() -> dict[str, int]:
        rows = store.query(
            "SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { GRAPH ?g { ?s a ?c } "
            f"FILTER(?g != <{base}graph/shapes>) }} GROUP BY ?c"
        )
        return {
            row["c"].value: int(row["n"].value)
            for row in rows
            if isinstance(row["c"], ox.NamedNode)
        }

    return cached(store, "instance-counts", base, compute, stale_ok=True)  # counts may lag 5 s


def usage_counts(store: Store, base: str) -> dict[str, int]:
    """Triples per property in the published data (how much each property is used)."""

    def compute() -> dict[str, int]:
        rows = store.query(
            "SELECT ?p (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } "
            f"FILTER(?g NOT IN (<{base}graph/ontology>, <{base}graph/shapes>)) }} GROUP BY ?p"
        )
        return {row["p"].value: int(row["n"].value) for row in rows}

    return cached(store, "usage-counts", base, compute, stale_ok=True)


def concise_description(graph: rdflib.Graph, node: rdflib.term.Node) -> list[ox.Triple]:
    """The node's triples plus those of the blank nodes it reaches (CBD)."""
    triples: list[ox.Triple] = []
    seen: set[rdflib.term.Node] = set()
    todo = [node]
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        for _s, p, o in graph.triples((current, None, None)):
            triples.append(from_rdflib_triple(current, p, o))
            if isinstance(o, rdflib.BNode):
                todo.append(o)
    return triples


def all_triples(graph: rdflib.Graph) -> list[ox.Triple]:
    return [from_rdflib_triple(s, p, o) for s, p, o in graph]
