"""What the store holds, for the dataset description: counts, classes, properties,
linksets; computed once per store version."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pyoxigraph as ox

from kg.publish.void.vocab import (
    CODE_PREDICATES,
    KNOWN_VOCABULARIES,
    RDF,
    TARGETS_BY_NAMESPACE,
    Target,
    namespace_of,
)
from kg.store import Store
from kg.store.cache import cached

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


def _int(value: Any) -> int:
    return int(value.value) if value is not None else 0


def _one(store: Store, sparql: str) -> int:
    for row in store.query(sparql):
        return _int(row[0])
    return 0


def _version_time(store: Store) -> datetime | None:
    """When the current generation was published (mtime of its directory)."""
    mtime = store.modified()
    if mtime is None:
        return None
    return datetime.fromtimestamp(mtime, tz=UTC).replace(microsecond=0)


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


def statistics(store: Store, base_iri: str, *, stale_ok: bool = False) -> Statistics:
    """:func:`compute_statistics`, cached per (store, version, base). ``stale_ok`` (the web
    server): right after a write the previous version's figures answer while the new ones
    are computed (:mod:`kg.store.cache`), so a stream of updates does not stall /void."""
    return cached(
        store,
        "void-statistics",
        base_iri,
        lambda: compute_statistics(store, base_iri),
        stale_ok=stale_ok,
    )
