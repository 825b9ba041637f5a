"""OpenLink Virtuoso 7 as the store (``KG_STORE=http://host:8890/sparql#flavour=virtuoso``).

Virtuoso speaks the SPARQL 1.1 Protocol at ``/sparql`` (queries, and updates once the
``SPARQL`` user holds the ``SPARQL_UPDATE`` role) and the Graph Store Protocol at
``/sparql-graph-crud``. What differs from the generic remote store:

* **The default graph is already the union** of all graphs (no configuration), but that
  union includes Virtuoso's own system graphs (``virtrdf#``, the LDP and URIQA graphs, about
  2,500 triples). Every query therefore starts with ``define input:default-graph-exclude`` /
  ``input:named-graph-exclude`` pragmas naming them, so ``SELECT (COUNT(*) …)`` and
  ``GRAPH ?g`` see our data only.
* **Row cap.** Virtuoso cuts answers at ``ResultSetMaxRows`` (``[SPARQL]`` in
  ``virtuoso.ini``) *silently*; set it above ``KG_MAX_ROWS`` so that an answer over the cap
  arrives whole and is refused with 422 (docs/deployment.md).
* Bulk loads use the staging-graph path (GSP POST of N-Quads, then one update with
  ``ADD``/``DROP``); Virtuoso has no ``no_transaction`` bulk mode over HTTP.

See docs/deployment.md for the set-up (update rights, union default graph, bulk load).
"""

from __future__ import annotations

from kg.store.remote import RemoteStore

#: Virtuoso's own graphs, hidden from every query (they are not part of the dataset)
SYSTEM_GRAPHS = (
    "http://www.openlinksw.com/schemas/virtrdf#",
    "http://www.w3.org/ns/ldp#",
    "http://localuriqaserver/sparql",
    "http://www.w3.org/2002/07/owl#",
)


def _pragmas() -> str:
    defines = [
        f"define input:{kind}-graph-exclude <{graph}>"
        for graph in SYSTEM_GRAPHS
        for kind in ("default", "named")
    ]
    return "\n".join(defines) + "\n"


_PRAGMAS = _pragmas()


class VirtuosoStore(RemoteStore):
    """A :class:`kg.store.remote.RemoteStore` that knows Virtuoso 7's ways."""

    kind = "virtuoso"

    def _prologue(self, sparql: str, base_iri: str | None) -> str:
        text = f"BASE <{base_iri}> {sparql}" if base_iri else sparql
        return _PRAGMAS + text

    def describe(self) -> str:
        return f"Virtuoso store {self.url}"
