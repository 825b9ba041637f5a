"""OpenLink Virtuoso 7 as the store (``KG_STORE=http://host:8890/sparql#flavour=virtuoso``).

Virtuoso speaks the SPARQL 1.1 Protocol at ``/sparql`` (queries, and updates once the
``SPARQL`` user holds the ``SPARQL_UPDATE`` role) and the Graph Store Protocol at
``/sparql-graph-crud``. What differs from the generic remote store:

* **The default graph is already the union** of all graphs (no configuration), but that
  union includes Virtuoso's own graphs (``virtrdf#``, the LDP and URIQA graphs, about 2,500
  triples). The set-up puts them in the ``PrivateGraphs`` group, which the endpoint's
  anonymous user cannot read (docs/deployment.md; ``tests/servers.py`` does the same).
* **The version** is a Virtuoso sequence (``sgkg_version``), read with
  ``bif:sequence_set(…, 0, 1)`` and advanced by every write of ours (``bif:sequence_next`` in
  the same update request), so no bookkeeping triple shows in the union default graph.
* **The query form decides the format**: asked for SPARQL JSON, Virtuoso answers a
  CONSTRUCT as JSON bindings of ``?s ?p ?o``. So the form is read from the text (the lexer)
  and only that family's format is asked for.
* ``GRAPH ?g { }`` (an empty pattern) matches nothing on Virtuoso: graphs are enumerated with
  a triple pattern.
* **Row cap.** Virtuoso cuts answers at ``ResultSetMaxRows`` (``[SPARQL]`` in
  ``virtuoso.ini``) *silently*; set it above ``KG_MAX_ROWS`` so that an answer over the cap
  arrives whole and is refused with 422 (docs/deployment.md).
* Bulk loads use the staging-graph path (GSP POST of N-Quads, then one update with
  ``ADD``/``DROP``); Virtuoso has no ``no_transaction`` bulk mode over HTTP.

See docs/deployment.md for the set-up (update rights, union default graph, bulk load).
"""

from __future__ import annotations

import dataclasses

import pyoxigraph as ox

from kg.lexer import first_keyword
from kg.store.base import NoAcceptableFormat, QueryAnswer, QueryJob
from kg.store.remote import INTERNAL_PREFIXES, RemoteStore

SEQUENCE = "sgkg_version"
GRAPH_FORMS = ("CONSTRUCT", "DESCRIBE")


class VirtuosoStore(RemoteStore):
    """A :class:`kg.store.remote.RemoteStore` that knows Virtuoso 7's ways."""

    kind = "virtuoso"

    def describe(self) -> str:
        return f"Virtuoso store {self.url}"

    def _results_accept(self, sparql: str) -> str:
        if first_keyword(sparql) in GRAPH_FORMS:
            return "application/n-triples"
        return "application/sparql-results+json"

    def answer(self, job: QueryJob, timeout: float, limit: float | None = None) -> QueryAnswer:
        form = first_keyword(job.query)
        if form in GRAPH_FORMS:
            if job.graph_format is None:
                raise NoAcceptableFormat("graph")
            job = dataclasses.replace(job, result_format=None)
        elif form in ("SELECT", "ASK"):
            if job.result_format is None:
                raise NoAcceptableFormat("boolean" if form == "ASK" else "solutions")
            job = dataclasses.replace(job, graph_format=None)
        return super().answer(job, timeout, limit)

    def _bump(self) -> str:
        # evaluated for its side effect: deletes nothing, advances the sequence
        return (
            "DELETE { GRAPH <urn:x-sgkg:meta> { <urn:x-sgkg:store> <urn:x-sgkg:version> ?v } } "
            f"WHERE {{ BIND(bif:sequence_next('{SEQUENCE}') AS ?v) }}"
        )

    def _fetch_version(self, cached: tuple[float, str] | None) -> str:
        import time  # noqa: PLC0415

        now = time.monotonic()
        rows = self.select_values(f"SELECT (bif:sequence_set('{SEQUENCE}', 0, 1) AS ?v) {{}}")
        value = f"virtuoso-{rows[0][0].value}" if rows and rows[0][0] is not None else "virtuoso-0"
        if self._version is cached:
            self._version = (now, value)
        return value

    def _post_chunk(
        self, quads: list[ox.Quad], *, transactional: bool, retries: int | None = None
    ) -> int:
        """Virtuoso's Graph Store answers a dataset POST (N-Quads, no ``graph=``) with 200
        and loads nothing: each graph's triples go to ``?graph=`` as N-Triples instead."""
        by_graph: dict[str, list[ox.Triple]] = {}
        for q in quads:
            name = q.graph_name.value if isinstance(q.graph_name, ox.NamedNode) else ""
            by_graph.setdefault(name, []).append(ox.Triple(q.subject, q.predicate, q.object))
        tries = 0
        for name, triples in by_graph.items():
            body = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""
            url = self._gsp_url(name or None)
            tries += self._post_body(url, body, "application/n-triples", transactional, "", retries)
        return tries

    def named_graphs(self) -> list[str]:
        rows = self.select_values("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
        return sorted(
            r[0].value
            for r in rows
            if isinstance(r[0], ox.NamedNode) and not r[0].value.startswith(INTERNAL_PREFIXES)
        )
