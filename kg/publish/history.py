"""A claim's history, for pages: every nanopub that ever stated it, oldest first, which one is
current and what replaced each (from ``graph/lifecycle``, which every build fills from the
release index's history).

``history(store, iri, base)`` takes a nanopub IRI or one of its graphs; a page shows it with
the ``history`` and ``superseded_by`` macros of ``server/templates/lifecycle/_history.html``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from kg.publish import DCTERMS, LIFECYCLE_GRAPH, NP, NP_PREFIX, NPX


@dataclass
class Version:
    iri: str
    url: str
    current: bool
    replaced_by: str | None = None
    retracted_by: str | None = None

    @property
    def code(self) -> str:
        return self.iri.rsplit("/", 1)[-1]


@dataclass
class History:
    slug: str
    versions: list[Version] = field(default_factory=list)

    @property
    def successor(self) -> str | None:
        current = [v for v in self.versions if v.current]
        return current[-1].iri if current else None


def nanopub_of(iri: str, base: str) -> str | None:
    """``{base}np/RA…`` for the nanopub or any of its graphs and nodes; else None."""
    prefix = base + NP_PREFIX
    if not iri.startswith(prefix):
        return None
    code = iri[len(prefix) :].split("/", 1)[0].split("#", 1)[0]
    return prefix + code if code.startswith("RA") else None


def _rows(store: Any, sparql: str) -> list[Any]:
    return list(store.query(sparql))


def history(store: Any, iri: str, base: str) -> History | None:
    nanopub = nanopub_of(iri, base)
    if nanopub is None:
        return None
    found = _rows(
        store, f"SELECT ?slug WHERE {{ GRAPH ?g {{ <{nanopub}> <{DCTERMS}identifier> ?slug }} }}"
    )
    if not found:
        return None
    slug = found[0]["slug"].value
    rows = _rows(
        store,
        f"""SELECT DISTINCT ?np ?head ?next ?retraction WHERE {{
          GRAPH ?g {{ ?np <{DCTERMS}identifier> "{slug}" }}
          OPTIONAL {{ GRAPH ?h {{ ?np a <{NP}Nanopublication> }} BIND(true AS ?head) }}
          OPTIONAL {{ GRAPH <{base}{LIFECYCLE_GRAPH}> {{ ?np <{DCTERMS}isReplacedBy> ?next }} }}
          OPTIONAL {{ GRAPH <{base}{LIFECYCLE_GRAPH}> {{ ?retraction <{NPX}retracts> ?np }} }}
        }}""",
    )
    versions: dict[str, Version] = {}
    for r in rows:
        np_iri = r["np"].value
        if not np_iri.startswith(base + NP_PREFIX):
            continue
        v = versions.setdefault(
            np_iri, Version(np_iri, "/" + np_iri[len(base) :], current=r["head"] is not None)
        )
        if r["next"] is not None:
            v.replaced_by = r["next"].value
        if r["retraction"] is not None:
            v.retracted_by = r["retraction"].value
    for r in rows:  # a retraction nanopub is not a version of the claim
        if r["retraction"] is not None:
            versions.pop(r["retraction"].value, None)
    # oldest first: follow isReplacedBy from the versions nothing replaced
    targets = {v.replaced_by for v in versions.values() if v.replaced_by}
    ordered: list[Version] = []
    for root in sorted(i for i in versions if i not in targets):
        cursor: str | None = root
        while cursor in versions and versions[cursor] not in ordered:
            ordered.append(versions[cursor])
            cursor = versions[cursor].replaced_by
    ordered += [v for v in versions.values() if v not in ordered]
    return History(slug, ordered)


def slug_of(store: Any, iri: str, base: str) -> str | None:
    """``usg-007`` for a nanopub ``{base}np/RA…`` or any of its graphs (its pubinfo's
    ``dcterms:identifier``); None for anything else. For pages that used to read the slug off
    ``graph/assertion/{slug}``."""
    nanopub = nanopub_of(iri, base)
    if nanopub is None:
        return None
    rows = _rows(
        store, f"SELECT ?s WHERE {{ GRAPH ?g {{ <{nanopub}> <{DCTERMS}identifier> ?s }} }}"
    )
    return rows[0]["s"].value if rows else None
