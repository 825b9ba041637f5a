"""``kg stats``: what is in the store, counted by SPARQL ``GROUP BY`` queries.

The numbers are the ones a VoID description publishes (``void:triples``,
``void:distinctSubjects``, class and property partitions, linksets), plus the claim layer's
assertions by kind. Every number is one aggregate query, so this works the same on the embedded
store and on a remote SPARQL server, and stays fast at millions of triples (nothing is
iterated in Python but the grouped rows).
"""

from __future__ import annotations

import json
import sys
from typing import Any

from kg.publish.dump import PREFIXES
from kg.store import Store, open_store

DEFAULT_BASE = "https://w3id.org/sgkg/"
OWL_SAME_AS = "http://www.w3.org/2002/07/owl#sameAs"

# Link targets by IRI prefix (first match wins); anything else is counted under its host.
DATASETS: tuple[tuple[str, str], ...] = (
    ("http://www.wikidata.org/entity/", "Wikidata"),
    ("https://www.wikidata.org/wiki/", "Wikidata"),
    ("https://sws.geonames.org/", "GeoNames"),
    ("http://sws.geonames.org/", "GeoNames"),
    ("https://www.geonames.org/", "GeoNames"),
    ("http://dbpedia.org/resource/", "DBpedia"),
    ("https://dbpedia.org/resource/", "DBpedia"),
    ("http://id.loc.gov/", "Library of Congress"),
    ("https://www.iso.org/obp/ui/#iso:code:3166:", "ISO 3166"),
    ("http://publications.europa.eu/resource/authority/country/", "EU country authority"),
    ("https://correlatesofwar.org/", "Correlates of War"),
    ("http://correlatesofwar.org/", "Correlates of War"),
    ("http://www.atopdata.org/", "ATOP"),
    ("https://www.atopdata.org/", "ATOP"),
)

Q_GRAPHS = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
Q_TRIPLES = (
    "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } } }"
)
Q_SUBJECTS = "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
Q_CLASSES = "SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { GRAPH ?g { ?s a ?c } } GROUP BY ?c"
Q_PROPERTIES = "SELECT ?p (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?p"
Q_SAME_AS = (
    "SELECT ?ns (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s <" + OWL_SAME_AS + "> ?o } "
    'BIND(IF(isIRI(?o), REPLACE(STR(?o), "^([a-zA-Z][a-zA-Z0-9+.-]*://[^/?#]*/?).*$", "$1"), '
    '"(not an IRI)") AS ?ns) } GROUP BY ?ns'
)
Q_KINDS = (
    "SELECT ?k (COUNT(DISTINCT ?a) AS ?n) WHERE {{ GRAPH ?g {{ ?a <{sg}kind> ?k }} }} GROUP BY ?k"
)


def _rows(store: Store, sparql: str) -> list[tuple[str, int]]:
    """(first column as text, count) pairs, biggest first then by name (stable output)."""
    result = store.query(sparql)
    names = [v.value for v in result.variables]
    rows = []
    for row in result:
        key = row[names[0]]
        rows.append((key.value if key is not None else "", int(row[names[1]].value)))
    rows.sort(key=lambda r: (-r[1], r[0]))
    return rows


def _count(store: Store, sparql: str) -> int:
    for row in store.query(sparql):
        return int(row["n"].value)
    return 0


def dataset_of(iri_prefix: str) -> str:
    """The linked dataset a link target belongs to (by IRI prefix), or its host."""
    for prefix, name in DATASETS:
        if iri_prefix.startswith(prefix) or prefix.startswith(iri_prefix):
            return name
    host = iri_prefix.split("://", 1)[-1].split("/", 1)[0]
    return host or iri_prefix


def stats(store: Store, *, base_iri: str = DEFAULT_BASE) -> dict[str, Any]:
    """Counts of the store: see the module docstring. Keys are stable (JSON output)."""
    same_as: dict[str, int] = {}
    for prefix, n in _rows(store, Q_SAME_AS):
        name = dataset_of(prefix)
        same_as[name] = same_as.get(name, 0) + n
    graphs = _rows(store, Q_GRAPHS)
    kinds = _rows(store, Q_KINDS.format(sg=f"{base_iri}ontology/"))
    return {
        "store": store.describe(),
        "version": store.version(),
        "quads": sum(n for _, n in graphs),
        "triples": _count(store, Q_TRIPLES),
        "graphs": dict(graphs),
        "distinct_subjects": _count(store, Q_SUBJECTS),
        "classes": dict(_rows(store, Q_CLASSES)),
        "properties": dict(_rows(store, Q_PROPERTIES)),
        "same_as": dict(sorted(same_as.items(), key=lambda kv: (-kv[1], kv[0]))),
        "assertions_by_kind": {_local(k): n for k, n in kinds},
    }


def compact(iri: str) -> str:
    """``sg:Commitment`` for people; the full IRI when no known prefix fits."""
    for prefix, ns in PREFIXES.items():
        if iri.startswith(ns) and len(iri) > len(ns):
            return f"{prefix}:{iri[len(ns) :]}"
    return iri


def _local(iri: str) -> str:
    return iri.rsplit("/", 1)[-1].rsplit("#", 1)[-1] or iri


def _table(title: str, rows: dict[str, int], limit: int = 40) -> list[str]:
    if not rows:
        return [f"{title}: none", ""]
    items = list(rows.items())
    shown = items[:limit]
    width = max(len(k) for k, _ in shown)
    nwidth = max(len(f"{n:,}") for _, n in shown)
    lines = [f"{title} ({len(items)})"]
    lines += [f"  {k:<{width}}  {n:>{nwidth},}" for k, n in shown]
    if len(items) > limit:
        rest = sum(n for _, n in items[limit:])
        lines.append(f"  … {len(items) - limit} more ({rest:,})")
    lines.append("")
    return lines


def render(data: dict[str, Any]) -> str:
    """The stats as aligned text tables for people."""
    lines = [
        f"{data['store']}",
        f"  quads              {data['quads']:>12,}",
        f"  distinct triples   {data['triples']:>12,}",
        f"  named graphs       {len(data['graphs']):>12,}",
        f"  distinct subjects  {data['distinct_subjects']:>12,}",
        "",
    ]
    lines += _table("triples per graph", data["graphs"])
    lines += _table("classes (instances)", {compact(k): n for k, n in data["classes"].items()})
    lines += _table("properties (uses)", {compact(k): n for k, n in data["properties"].items()})
    lines += _table("owl:sameAs links by target dataset", data["same_as"])
    lines += _table("assertions by kind", data["assertions_by_kind"])
    return "\n".join(lines).rstrip() + "\n"


def cli(args: Any, settings: dict[str, Any]) -> int:
    """``kg stats [--format table|json]`` (``--format`` when the parser offers it)."""
    data = stats(open_store(settings["STORE"], settings), base_iri=settings["BASE_IRI"])
    if getattr(args, "format", "table") == "json":
        json.dump(data, sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(render(data))
    return 0
