"""What ``kg link`` decides: the entities to reconcile, the committed links, Wikidata's facts,
the changes (confirmed, added, removed, conflict, unresolved) and the new link set.

Pure functions over rdflib graphs and the rows the endpoint answered; talking to the endpoint
is :mod:`kg.publish.link.wikidata`, the command around it :mod:`kg.publish.link`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import rdflib
from rdflib import OWL, RDF, RDFS, XSD, Literal, URIRef
from rdflib.namespace import DCTERMS, VOID

from kg import rdfio
from kg.publish.link.wikidata import WD, WDT
from kg.store import Store

_QID = re.compile(r"^http://www\.wikidata\.org/entity/(Q[1-9][0-9]*)$")


# sg class local name → Wikidata classes (P31 values) an item must have to match it.
# None: any class is accepted for a committed link (places and organisations are typed too
# variously on Wikidata to insist), but label candidates still need one of the listed ones.
CLASSES: dict[str, tuple[frozenset[str], bool]] = {
    "State": (frozenset({"Q6256", "Q3624078"}), True),
    "Person": (frozenset({"Q5"}), True),
    "InternationalOrganisation": (frozenset({"Q484652", "Q245065", "Q1127126"}), False),
    "FormalBloc": (frozenset({"Q1127126", "Q484652", "Q245065"}), False),
    "Region": (frozenset({"Q5107", "Q82794", "Q1620908"}), False),
    "Place": (frozenset({"Q5119", "Q515", "Q1637706", "Q5107", "Q82794"}), False),
    "Instrument": (frozenset({"Q131569", "Q93288"}), False),  # treaty, contract
    "Office": (frozenset({"Q4164871"}), False),  # position
}


@dataclass(frozen=True)
class Entity:
    iri: str
    kind: str  # a key of CLASSES
    label: str | None


@dataclass
class Change:
    entity: str
    kind: str  # added | removed | conflict | unresolved | confirmed
    qid: str | None
    detail: str = ""

    def line(self) -> str:
        qid = f" {self.qid}" if self.qid else ""
        return f"{self.kind:10} {self.entity}{qid}{': ' + self.detail if self.detail else ''}"


@dataclass
class LinkReport:
    changes: list[Change] = field(default_factory=list)
    offline: str | None = None
    bad_responses: list[str] = field(default_factory=list)
    responses: list[Path] = field(default_factory=list)
    links: int = 0
    applied: bool = False

    def of(self, kind: str) -> list[Change]:
        return [c for c in self.changes if c.kind == kind]

    @property
    def exit_code(self) -> int:
        if self.offline:
            return 0
        return 1 if self.of("conflict") or self.bad_responses else 0

    def text(self) -> str:
        if self.offline:
            return (
                f"kg link: offline ({self.offline}); keeping the committed link set "
                f"({self.links} links)"
            )
        lines = [c.line() for c in self.changes if c.kind != "confirmed"]
        lines += [f"bad response {r}" for r in self.bad_responses]
        counts = ", ".join(
            f"{len(self.of(k))} {k}"
            for k in ("confirmed", "added", "removed", "conflict", "unresolved")
        )
        verdict = "applied" if self.applied else "not applied"
        lines.append(f"kg link: {counts}; {self.links} links; {verdict}")
        return "\n".join(lines)


def qid_of(iri: str) -> str | None:
    match = _QID.match(iri)
    return match.group(1) if match else None


# -- reading the store and the committed link set ------------------------------------------


def read_entities(store: Store, base_iri: str) -> list[Entity]:
    """The entities of ``graph/entities`` with a class we reconcile, with English labels."""
    sg = f"{base_iri}ontology/"
    values = " ".join(f"<{sg}{name}>" for name in CLASSES)
    rows = store.query(
        "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
        f"SELECT ?e ?type ?label WHERE {{ GRAPH <{base_iri}graph/entities> {{\n"
        f"  VALUES ?type {{ {values} }} ?e a ?type .\n"
        '  OPTIONAL { ?e rdfs:label ?label FILTER(LANGMATCHES(LANG(?label), "en")) } } }'
    )
    found: dict[str, Entity] = {}
    order = list(CLASSES)
    for row in rows:
        iri = row["e"].value
        kind = row["type"].value.removeprefix(sg)
        label = row["label"].value if row["label"] is not None else None
        old = found.get(iri)
        if old is None or order.index(kind) < order.index(old.kind):
            found[iri] = Entity(iri, kind, label or (old.label if old else None))
    return sorted(found.values(), key=lambda e: e.iri)


def read_link_set(path: Path) -> rdflib.Graph:
    """The committed link set (errors carry file:line:column)."""
    graph = rdflib.Graph()
    if not path.is_file():
        return graph
    for quad in rdfio.iter_quads(path):
        graph.add(
            (
                rdfio.to_rdflib_term(quad.subject),
                rdfio.to_rdflib_term(quad.predicate),
                rdfio.to_rdflib_term(quad.object),
            )
        )
    return graph


def committed_links(graph: rdflib.Graph) -> dict[str, str]:
    """entity IRI → QID, from ``owl:sameAs`` to Wikidata items."""
    links: dict[str, str] = {}
    for s, o in graph.subject_objects(OWL.sameAs):
        qid = qid_of(str(o))
        if qid and isinstance(s, URIRef):
            links[str(s)] = qid
    return links


# -- reconciling ------------------------------------------------------------------------------


@dataclass
class WikidataFacts:
    """What the endpoint said: item → property → values (labels as (text, lang))."""

    values: dict[str, dict[str, set[str]]] = field(default_factory=lambda: defaultdict(dict))
    labels: dict[str, dict[str, str]] = field(default_factory=lambda: defaultdict(dict))
    iso_items: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    label_items: dict[str, dict[str, set[str]]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(set))
    )

    def add_fact(self, row: dict[str, dict[str, str]]) -> None:
        item = qid_of(row["item"]["value"])
        prop = row["prop"]["value"]
        value = row["value"]
        if item is None:
            return
        if prop == str(RDFS.label):
            lang = value.get("xml:lang", "")
            self.labels[item].setdefault(lang, value["value"])
            return
        pid = prop.removeprefix(WDT)
        text = qid_of(value["value"]) or value["value"]
        self.values[item].setdefault(pid, set()).add(text)

    def known(self, qid: str) -> bool:
        return bool(self.values.get(qid)) or bool(self.labels.get(qid))


def iso_codes(graph: rdflib.Graph, entity: str, sg: str) -> tuple[str | None, str | None]:
    a2 = graph.value(URIRef(entity), URIRef(f"{sg}iso3166Alpha2"))
    a3 = graph.value(URIRef(entity), URIRef(f"{sg}iso3166Alpha3"))
    return (str(a2) if a2 is not None else None, str(a3) if a3 is not None else None)


def reconcile(
    entities: list[Entity],
    committed: rdflib.Graph,
    facts: WikidataFacts,
    base_iri: str,
) -> tuple[dict[str, str], list[Change]]:
    """The new entity → QID map and the list of changes. Pure: no I/O."""
    sg = f"{base_iri}ontology/"
    links = committed_links(committed)
    by_iri = {e.iri: e for e in entities}
    result: dict[str, str] = {}
    changes: list[Change] = []
    for iri, qid in sorted(links.items()):
        entity = by_iri.get(iri)
        if entity is None:
            changes.append(Change(iri, "removed", qid, "the entity is no longer in the graph"))
            continue
        problems = []
        if not facts.known(qid):
            problems.append(f"{qid} is unknown to the endpoint (deleted or redirected?)")
        else:
            classes, strict = CLASSES[entity.kind]
            types = facts.values[qid].get("P31", set())
            if strict and not types & classes:
                problems.append(
                    f"{qid} is a {', '.join(sorted(types)) or 'item without P31'}, "
                    f"not a {entity.kind} ({' or '.join(sorted(classes))})"
                )
            a2, a3 = iso_codes(committed, iri, sg)
            for code, pid in ((a2, "P297"), (a3, "P298")):
                theirs = facts.values[qid].get(pid, set())
                if code and theirs and code not in theirs:
                    problems.append(f"{pid} of {qid} is {'/'.join(sorted(theirs))}, not {code}")
            if a2 and facts.iso_items.get(a2) and qid not in facts.iso_items[a2]:
                others = ", ".join(sorted(facts.iso_items[a2]))
                problems.append(f"ISO code {a2} belongs to {others} on the endpoint, not {qid}")
        if problems:
            changes.append(Change(iri, "conflict", qid, "; ".join(problems)))
        else:
            changes.append(Change(iri, "confirmed", qid))
        result[iri] = qid  # a conflicting link stays as committed until a person decides
    for entity in entities:
        if entity.iri in links or not entity.label:
            continue
        classes, _strict = CLASSES[entity.kind]
        candidates = sorted(
            qid for qid, types in facts.label_items.get(entity.label, {}).items() if types & classes
        )
        if len(candidates) == 1:
            result[entity.iri] = candidates[0]
            changes.append(Change(entity.iri, "added", candidates[0], f'label "{entity.label}"'))
        elif candidates:
            changes.append(
                Change(
                    entity.iri,
                    "unresolved",
                    None,
                    f'label "{entity.label}" matches {", ".join(candidates)}',
                )
            )
    return result, changes


def link_graph(
    committed: rdflib.Graph,
    links: dict[str, str],
    removed: set[str],
    facts: WikidataFacts,
    base_iri: str,
    endpoint: str,
    entities: list[Entity],
) -> rdflib.Graph:
    """The new link set: committed triples kept, additions and Wikidata facts merged in."""
    sg = f"{base_iri}ontology/"
    graph_iri = URIRef(f"{base_iri}graph/links/wikidata")
    out = rdflib.Graph()
    for triple in committed:
        if str(triple[0]) in removed:
            continue
        out.add(triple)
    kinds = {e.iri: e.kind for e in entities}
    linked = set(links.values())
    for iri, qid in links.items():
        subject, item = URIRef(iri), URIRef(WD + qid)
        out.add((subject, OWL.sameAs, item))
        if kinds.get(iri) == "State":
            for pid, prop in (("P297", "iso3166Alpha2"), ("P298", "iso3166Alpha3")):
                theirs = sorted(facts.values.get(qid, {}).get(pid, set()))
                if len(theirs) == 1 and out.value(subject, URIRef(sg + prop)) is None:
                    out.add((subject, URIRef(sg + prop), Literal(theirs[0])))
        for lang in ("uk", "fr"):
            text = facts.labels.get(qid, {}).get(lang)
            has_lang = any(
                isinstance(o, Literal) and o.language == lang
                for o in out.objects(subject, RDFS.label)
            )
            if text and not has_lang:
                out.add((subject, RDFS.label, Literal(text, lang=lang)))
        for cls in sorted(facts.values.get(qid, {}).get("P31", set())):
            out.add((item, URIRef(WDT + "P31"), URIRef(WD + cls)))
        for org in sorted(facts.values.get(qid, {}).get("P463", set()) & linked):
            out.add((item, URIRef(WDT + "P463"), URIRef(WD + org)))
    linksets = list(out.subjects(RDF.type, VOID.Linkset)) or [graph_iri]
    same_as = sum(1 for _ in out.triples((None, OWL.sameAs, None)))
    for linkset in linksets:
        out.add((linkset, RDF.type, VOID.Linkset))
        if out.value(linkset, VOID.linkPredicate) is None:
            out.add((linkset, VOID.linkPredicate, OWL.sameAs))
        if out.value(linkset, VOID.subjectsTarget) is None:
            out.add((linkset, VOID.subjectsTarget, URIRef(f"{base_iri}void")))
        if out.value(linkset, VOID.objectsTarget) is None:
            out.add((linkset, VOID.objectsTarget, URIRef("http://www.wikidata.org/entity/Q2013")))
        out.set((linkset, VOID.triples, Literal(same_as, datatype=XSD.integer)))
        out.set((linkset, DCTERMS.modified, Literal(dt.date.today(), datatype=XSD.date)))
        out.add((linkset, DCTERMS.source, URIRef(endpoint)))
    return out
