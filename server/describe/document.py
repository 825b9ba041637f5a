"""The RDF *document* of an IRI: every quad with it as subject (any graph), the blank nodes
those reach (a concise bounded description), the whole named graph when the IRI names one,
and ``<iri> void:inDataset <{base}void>``.

Every lookup is a bounded pattern match (``quads_for_pattern`` on the embedded reader, or
:class:`SparqlPatterns` over a remote store), never a scan.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator
from typing import Any

import pyoxigraph as ox

from kg.errors import TooLarge
from kg.store import Store
from server.labels import VOID, patterns

BNODE_DEPTH = 3


class SparqlPatterns:
    """``quads_for_pattern`` over SPARQL, for a remote store (slower; same answers)."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def quads_for_pattern(self, s: Any, p: Any, o: Any, g: Any = None) -> Iterator[ox.Quad]:
        def term(value: Any, var: str) -> str:
            return str(value) if value is not None else var

        query = (
            f"SELECT * WHERE {{ GRAPH {term(g, '?g')} "
            f"{{ {term(s, '?s')} {term(p, '?p')} {term(o, '?o')} }} }} LIMIT 100000"
        )
        for row in self.store.query(query):
            yield ox.Quad(
                s if s is not None else row["s"],
                p if p is not None else row["p"],
                o if o is not None else row["o"],
                g if g is not None else row["g"],
            )

    def contains_named_graph(self, g: ox.NamedNode) -> bool:
        return bool(self.store.query(f"ASK {{ GRAPH {g} {{ ?s ?p ?o }} }}"))


def first(items: Iterable[Any]) -> Any:
    return next(iter(items), None)


def exists(store: Store, iri: str) -> bool:
    """True when the IRI is a subject, an object or a graph name in the store."""
    reader = patterns(store)
    node = ox.NamedNode(iri)
    return (
        first(reader.quads_for_pattern(node, None, None, None)) is not None
        or first(reader.quads_for_pattern(None, None, node, None)) is not None
        or reader.contains_named_graph(node)
    )


def bnode_closure(reader: Any, quads: list[ox.Quad]) -> list[ox.Quad]:
    """Add the descriptions of blank nodes the quads point at, BNODE_DEPTH levels deep."""
    out = list(quads)
    frontier = [q.object for q in quads if isinstance(q.object, ox.BlankNode)]
    seen: set[ox.BlankNode] = set()
    for _ in range(BNODE_DEPTH):
        nxt = []
        for bnode in frontier:
            if bnode in seen:
                continue
            seen.add(bnode)
            for quad in reader.quads_for_pattern(bnode, None, None, None):
                out.append(quad)
                if isinstance(quad.object, ox.BlankNode):
                    nxt.append(quad.object)
        frontier = nxt
    return out


def unique(quads: Iterable[ox.Quad]) -> list[ox.Quad]:
    """The quads without repeats, in first-seen order."""
    return list(dict.fromkeys(quads))


def resource_quads(store: Store, iri: str, base: str, *, max_quads: int) -> list[ox.Quad]:
    """The document of an IRI (see the module docstring), as quads with their graph names."""
    reader = patterns(store)
    node = ox.NamedNode(iri)
    quads = bnode_closure(reader, list(reader.quads_for_pattern(node, None, None, None)))
    if reader.contains_named_graph(node):
        contents = list(
            itertools.islice(reader.quads_for_pattern(None, None, None, node), max_quads + 1)
        )
        if len(contents) > max_quads:
            raise TooLarge(
                f"the graph <{iri}> holds more than {max_quads} triples: "
                f"fetch it from /store?graph={iri} or the dumps at /dumps/"
            )
        quads.extend(contents)
    quads.append(ox.Quad(node, ox.NamedNode(VOID + "inDataset"), ox.NamedNode(f"{base}void"), None))
    return unique(quads)
