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
import re
import time
from collections.abc import Callable, Iterable
from typing import Any

import pyoxigraph as ox

from kg.errors import QueryError, QueryTimeout
from kg.lexer import first_keyword
from kg.store.base import LoadReport, NoAcceptableFormat, QueryAnswer, QueryJob
from kg.store.remote import INTERNAL_PREFIXES, RemoteStore

SEQUENCE = "sgkg_version"
#: statements per update request (Virtuoso: at most 10,000 lines of SQL)
BATCH_STATEMENTS = 100
GRAPH_FORMS = ("CONSTRUCT", "DESCRIBE")
#: the SQLSTATE of an error the query caused (Virtuoso answers these with a 500)
_USER_STATE = re.compile(r"^Virtuoso (?:22|37|42)\w{3} Error ")


def _query_form(sparql: str) -> str:
    """SELECT, ASK, CONSTRUCT or DESCRIBE; anything else is refused before it is sent:
    Virtuoso's query endpoint would run an update (``CLEAR ALL``) given as a query."""
    form = first_keyword(sparql)
    if form not in ("SELECT", "ASK", *GRAPH_FORMS):
        raise QueryError(
            f"not a query: expected SELECT, ASK, CONSTRUCT or DESCRIBE, found {form or 'nothing'}"
        )
    return form


def _reformat(answer: QueryAnswer, wanted: str, max_rows: int) -> bytes:
    """Virtuoso's SPARQL JSON or N-Triples answer written in the ``wanted`` format."""
    from kg.store import results  # noqa: PLC0415
    from kg.store.formats import BY_NAME  # noqa: PLC0415

    fmt = BY_NAME[wanted]
    if answer.kind == "graph":
        assert fmt.rdf is not None
        triples = ox.parse(answer.body, format=ox.RdfFormat.N_TRIPLES)
        return results.serialize_triples(triples, fmt.rdf, max_rows)
    parsed = ox.parse_query_results(answer.body, format=ox.QueryResultsFormat.JSON)
    if answer.kind == "boolean":
        assert fmt.results is not None
        return results.serialize_boolean(parsed, fmt.results)
    return results.serialize_solutions(parsed, wanted, max_rows)


def _tidy(exc: QueryError, query: str) -> QueryError:
    """Virtuoso's syntax error without the query it echoes, its line kept within the query
    (it reports an error at the end of the text on the line after it)."""
    message = exc.reason.split("\n\nSPARQL query:", 1)[0].strip()
    lines = query.split("\n")
    line, column = exc.line, exc.column
    if line is not None and line > len(lines):
        line, column = len(lines), len(lines[-1]) + 1
    return QueryError(message, line=line, column=column)


class VirtuosoStore(RemoteStore):
    """A :class:`kg.store.remote.RemoteStore` that knows Virtuoso 7's ways."""

    kind = "virtuoso"

    def describe(self) -> str:
        return f"Virtuoso store {self.url}"

    def _results_accept(self, sparql: str) -> str:
        if _query_form(sparql) in GRAPH_FORMS:
            return "application/n-triples"
        return "application/sparql-results+json"

    def answer(self, job: QueryJob, timeout: float, limit: float | None = None) -> QueryAnswer:
        """Virtuoso is asked for SPARQL JSON or N-Triples only (it lacks several formats,
        e.g. TSV for ASK, JSON-LD or N-Quads for CONSTRUCT); other formats are written
        here from its answer."""
        form = _query_form(job.query)
        if form in GRAPH_FORMS:
            if job.graph_format is None:
                raise NoAcceptableFormat("graph")
            asked = dataclasses.replace(job, result_format=None, graph_format="ntriples")
            wanted = job.graph_format
        else:
            if job.result_format is None:
                raise NoAcceptableFormat("boolean" if form == "ASK" else "solutions")
            asked = dataclasses.replace(job, graph_format=None, result_format="json")
            wanted = job.result_format
        answer = super().answer(asked, timeout, limit)
        if answer.format == wanted:
            return answer
        return QueryAnswer(answer.kind, wanted, _reformat(answer, wanted, job.max_rows))

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

    def _with_deadline(self, data: list[tuple[str, str]], seconds: float) -> list[tuple[str, str]]:
        # Virtuoso stops a query at ``timeout`` (ms) and sends what it has, marked with
        # X-SQL-State: refused below, never passed on as a complete answer
        return [*data, ("timeout", str(max(1, int(seconds * 1000))))]

    def _answer_headers(self, headers: Any, limit: float) -> None:
        state = headers.get("X-SQL-State")
        if state:
            message = headers.get("X-SQL-Message") or state
            raise QueryTimeout(
                f"query exceeded the time limit of {limit:g} s (KG_QUERY_TIMEOUT); "
                f"Virtuoso stopped it ({message})"
            )

    def _user_caused(self, text: str) -> bool:
        # SQLSTATE classes 22 (data), 37 and 42 (syntax or access rule): the query's fault,
        # e.g. "Virtuoso 42001 Error SR185: Undefined procedure" for an unknown function
        # ("No permission …" is the server's set-up, not the query: docs/deployment.md)
        if _USER_STATE.match(text) and "permission" not in text.lower():
            return True
        return super()._user_caused(text)

    def _post_query(
        self,
        data: list[tuple[str, str]],
        accept: str,
        timeout: float | None = None,
        limit: float | None = None,
    ) -> tuple[int, str, bytes]:
        try:
            return super()._post_query(data, accept, timeout, limit)
        except QueryError as exc:
            raise _tidy(exc, dict(data).get("query", "")) from exc

    def write_dataset(
        self,
        quads: Iterable[ox.Quad],
        *,
        replace: Iterable[str] | None = None,
        owned: Callable[[str], bool] | None = None,
    ) -> LoadReport:
        """Graph by graph through the Graph Store Protocol: one ``PUT`` (replace) or
        ``POST`` (merge) per graph, each one transaction, so a reader sees each graph old or
        new, never empty or half.

        Not the whole dataset at once: Virtuoso refuses an update whose SQL passes 10,000
        lines (about a thousand triples), its ``INSERT DATA`` mistypes some literals
        (``xsd:duration``) and it copies graphs slowly (``ADD`` ~13 ms a graph: a build of
        800 graphs through staging graphs took minutes). So a large write is several
        transactions (docs/deployment.md)."""
        start = time.perf_counter()
        by_graph: dict[str, list[ox.Triple]] = {}
        total = 0
        for q in quads:
            name = q.graph_name.value if isinstance(q.graph_name, ox.NamedNode) else ""
            by_graph.setdefault(name, []).append(ox.Triple(q.subject, q.predicate, q.object))
            total += 1
        dropped = set(by_graph) if replace is None else set(replace)
        if owned is not None:
            dropped |= {g for g in self.named_graphs() if owned(g)}
        for name, triples in by_graph.items():
            body = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""
            method = "PUT" if name in dropped else "POST"
            self._check(
                self._send(
                    method,
                    self._gsp_url(name or None),
                    data=body,
                    headers={"Content-Type": "application/n-triples"},
                ),
                f"{method} graph {name or 'default'}",
            )
        gone = sorted(dropped - set(by_graph))
        for i in range(0, len(gone), BATCH_STATEMENTS):
            steps = [f"DROP SILENT GRAPH <{g}>" if g else "CLEAR SILENT DEFAULT" for g in gone]
            self._run_update(" ;\n".join(steps[i : i + BATCH_STATEMENTS]), bump=False)
        self._run_update("")  # the new version, once everything is in
        return LoadReport(
            triples=total,
            seconds=time.perf_counter() - start,
            graphs=sorted(g or "DEFAULT" for g in by_graph),
        )

    def named_graphs(self) -> list[str]:
        # GROUP BY, not DISTINCT: Virtuoso answers DISTINCT ?g from an index that ignores
        # graph permissions (its private graphs would show)
        rows = self.select_values("SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
        return sorted(
            r[0].value
            for r in rows
            if isinstance(r[0], ox.NamedNode) and not r[0].value.startswith(INTERNAL_PREFIXES)
        )
