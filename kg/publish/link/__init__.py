"""``kg link``: refresh the Wikidata link set, reporting every change; never guess silently.

What it does, in order:

1. reads the entities to reconcile (states, organisations, blocs, people, places) from the
   store's ``{base}graph/entities`` and the committed link set ``kg/data/links/wikidata.ttl``
   (``owl:sameAs`` to ``wd:Q…``, ISO 3166 codes, COW codes);
2. asks a Wikidata-compatible endpoint (``--endpoint``; default WDQS) through SPARQLWrapper,
   with a User-Agent per Wikimedia policy (:mod:`kg.useragent`) and bounded retries on 429
   honouring ``Retry-After``: the facts of the linked items (P297, P298, P31, P463, labels
   en/uk/fr), the items that hold the states' ISO codes, and label candidates for entities
   that have no link yet;
3. keeps every raw response it used (``var/links/responses/<time>-<name>.json``);
4. reconciles. A committed link is *confirmed* when its item exists, has a class compatible
   with the entity (a state is a Q6256/Q3624078, a person Q5) and, for states, holds the
   committed ISO codes; otherwise it is a *conflict* (also when the ISO code belongs to a
   different item). An unlinked entity whose English label matches exactly one item of a
   compatible class is *added*; several matches are *unresolved*. Links of entities that no
   longer exist are *removed*;
5. unless ``--dry-run``, or when there is any conflict or unparsable response, writes the new
   link set (the committed triples, plus additions, Wikidata's uk/fr labels, P31 and the P463
   memberships between linked items, and refreshed VoID linkset statistics) into the named
   graph ``{base}graph/links/wikidata`` of the store (atomically) and to
   ``var/links/wikidata.ttl`` for review (copy it to kg/data/links/ to commit it).

Exit codes: 0 done (or offline: the committed link set is kept), 1 conflicts or a response
that does not parse (nothing applied), 2 an error (HTTP error, retries exhausted).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import rdflib

from kg import paths, rdfio
from kg.errors import StoreError
from kg.publish.link.reconcile import (
    LinkReport,
    WikidataFacts,
    committed_links,
    iso_codes,
    link_graph,
    qid_of,
    read_entities,
    read_link_set,
    reconcile,
)
from kg.publish.link.wikidata import (
    WDQS,
    BadResponse,
    Offline,
    WikidataClient,
    facts_query,
    iso_query,
    label_query,
)
from kg.store import Store

__all__ = ["LinkReport", "WikidataClient", "cli", "publish", "run"]


# -- the command ------------------------------------------------------------------------------


def run(
    store: Store,
    *,
    base_iri: str,
    endpoint: str = WDQS,
    links_path: Path | None = None,
    out_dir: Path = Path("var/links"),
    offline: bool = False,
    dry_run: bool = False,
    client: WikidataClient | None = None,
    timeout: float = 60,
) -> LinkReport:
    """Reconcile and (unless told not to, or on conflicts) publish the link set."""
    links_path = links_path or paths.data_dir() / "links" / "wikidata.ttl"
    report = LinkReport()
    committed = read_link_set(links_path)
    links = committed_links(committed)
    report.links = len(links)
    if offline:
        report.offline = "--offline"
        return report
    entities = read_entities(store, base_iri)
    if not entities:
        raise StoreError(
            f"no entities in {base_iri}graph/entities of {store.describe()}: run `kg build` first"
        )
    client = client or WikidataClient(
        endpoint, timeout=timeout, responses_dir=out_dir / "responses"
    )
    facts = WikidataFacts()
    sg = f"{base_iri}ontology/"
    unlinked = [e for e in entities if e.iri not in links and e.label]
    codes = [c for iri in links if (c := iso_codes(committed, iri, sg)[0])]
    try:
        try:
            if codes:
                for row in client.select("iso", iso_query(codes)):
                    qid = qid_of(row["item"]["value"])
                    if qid:
                        facts.iso_items[row["code"]["value"]].add(qid)
            if unlinked:
                labels = [e.label for e in unlinked if e.label]
                for row in client.select("labels", label_query(labels)):
                    qid = qid_of(row["item"]["value"])
                    cls = qid_of(row.get("class", {}).get("value", ""))
                    if qid:
                        types = facts.label_items[row["label"]["value"]][qid]
                        if cls:
                            types.add(cls)
            candidates = [q for types in facts.label_items.values() for q in types] + list(
                links.values()
            )
            if candidates:
                for row in client.select("facts", facts_query(candidates)):
                    facts.add_fact(row)
        finally:
            report.responses = list(client.saved)
    except Offline as exc:
        report.offline = str(exc)
        return report
    except BadResponse as exc:
        report.bad_responses.append(str(exc))
        return report
    except KeyError as exc:
        report.bad_responses.append(f"a result row lacks the variable {exc}")
        return report
    new_links, report.changes = reconcile(entities, committed, facts, base_iri)
    report.links = len(new_links)
    if report.exit_code != 0 or dry_run:
        return report
    removed = {c.entity for c in report.of("removed")}
    graph = link_graph(committed, new_links, removed, facts, base_iri, endpoint, entities)
    publish(store, graph, f"{base_iri}graph/links/wikidata")
    out_dir.mkdir(parents=True, exist_ok=True)
    graph.serialize(out_dir / "wikidata.ttl", format="turtle")
    report.applied = True
    return report


def publish(store: Store, graph: rdflib.Graph, graph_iri: str) -> None:
    """Replace the link graph in the store in one atomic write (either store kind)."""
    target = ox.NamedNode(graph_iri)
    quads = [rdfio.from_rdflib_quad(s, p, o, target) for s, p, o in graph]
    store.write_dataset(quads, replace=[graph_iri])


def cli(args: Any, settings: dict[str, Any]) -> int:
    from kg.store import open_store  # noqa: PLC0415

    store = open_store(settings["STORE"], settings)
    report = run(
        store,
        base_iri=settings["BASE_IRI"],
        endpoint=args.endpoint or WDQS,
        offline=args.offline,
        dry_run=args.dry_run,
        timeout=settings["QUERY_TIMEOUT"],
    )
    stream = sys.stderr if report.exit_code else sys.stdout
    print(report.text(), file=stream)
    return report.exit_code
