"""What the store says about one resource: its RDF document, and the view a page shows.

Pure functions of a :class:`kg.store.Store` (no Flask): the pages blueprint calls them.
Every lookup is a bounded pattern match (``quads_for_pattern`` on the embedded reader), never
a scan, so a page costs the same with 1M unrelated triples in the store.

* :func:`resource_quads` — the *document* of an IRI: every quad with it as subject (any
  graph), the blank nodes those reach (a concise bounded description), the whole named graph
  when the IRI names one, and ``<iri> void:inDataset <{base}void>``.
* :func:`entity_view` — the same, shaped for a page: types, statements grouped by property
  with labels, each statement's provenance (kind + quote + place in the source), backlinks.
* :func:`provenance` — an assertion graph's kind and quote selectors, cached per version.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

from kg.errors import TooLarge
from kg.store import Store
from server.labels import (
    NP,
    OA,
    OWL,
    PROV,
    RDF_TYPE,
    RDFS,
    SCHEMA,
    VOID,
    XSD,
    cache_for,
    curie,
    label,
    local_name,
    patterns,
)

BACKLINK_LIMIT = 300
GRAPH_PAGE_LIMIT = 500
BNODE_DEPTH = 3

#: assertion kinds in the order the legend lists them: (local name, CSS class, words)
KINDS: tuple[tuple[str, str, str], ...] = (
    ("ReportedFact", "fact", "Reported fact"),
    ("AuthorAssessment", "assessment", "Author assessment"),
    ("Prediction", "prediction", "Prediction"),
    ("Conditional", "conditional", "Conditional"),
    ("Recommendation", "recommendation", "Recommendation"),
)
KIND_CLASS = {name: css for name, css, _ in KINDS}
KIND_WORDS = {name: words for name, _, words in KINDS}

#: how important a type is for ranking and for the "main" type shown (lower is first)
TYPE_RANK = {
    name: rank
    for rank, name in enumerate(
        (
            "Coalition",
            "State",
            "InternationalOrganisation",
            "FormalBloc",
            "InformalBloc",
            "Bloc",
            "Person",
            "Government",
            "Group",
            "MilitaryForce",
            "TreatyGuarantee",
            "PledgeGuarantee",
            "SecurityGuarantee",
            "Commitment",
            "ActivationCondition",
            "TriggerCondition",
            "DependencyCondition",
            "Condition",
            "Summit",
            "Gathering",
            "Announcement",
            "Invasion",
            "War",
            "Event",
            "Region",
            "Place",
            "OpinionArticle",
            "SourceDocument",
            "CommitmentType",
            "MilitaryDomain",
            "Assertion",
            "Agent",
        )
    )
}
SAME_AS = OWL + "sameAs"
_ASSERTION_SLUG = re.compile(r"^usg-\d+$")


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


# --- the document ----------------------------------------------------------------------------


def exists(store: Store, iri: str) -> bool:
    """True when the IRI is a subject, an object or a graph name in the store."""
    reader = patterns(store)
    node = ox.NamedNode(iri)
    return (
        _first(reader.quads_for_pattern(node, None, None, None)) is not None
        or _first(reader.quads_for_pattern(None, None, node, None)) is not None
        or reader.contains_named_graph(node)
    )


def _first(items: Iterable[Any]) -> Any:
    return next(iter(items), None)


def _bnode_closure(reader: Any, quads: list[ox.Quad]) -> list[ox.Quad]:
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


def resource_quads(store: Store, iri: str, base: str, *, max_quads: int) -> list[ox.Quad]:
    """The document of an IRI (see the module docstring), as quads with their graph names."""
    reader = patterns(store)
    node = ox.NamedNode(iri)
    quads = _bnode_closure(reader, list(reader.quads_for_pattern(node, None, None, None)))
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
    seen: set[ox.Quad] = set()
    return [q for q in quads if not (q in seen or seen.add(q))]


# --- provenance ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Provenance:
    """Where an assertion comes from: its kind and the quoted words in the source."""

    assertion: str  # the assertion's graph IRI (it is the sg:Assertion)
    slug: str  # usg-NNN: the anchor in the source reader
    kind: str  # local name of the kind (ReportedFact, …) or "" when unknown
    kind_words: str
    kind_class: str
    exact: str = ""
    prefix: str = ""
    suffix: str = ""
    start: int | None = None
    end: int | None = None
    paragraph: int | None = None
    sentence: int | None = None
    source: str | None = None  # the source document IRI


def assertion_slug(graph_iri: str, base: str) -> str | None:
    """``usg-007`` for ``{base}graph/assertion/usg-007``; ``None`` for any other graph."""
    prefix = f"{base}graph/assertion/"
    if not graph_iri.startswith(prefix):
        return None
    slug = graph_iri[len(prefix) :]
    return slug if _ASSERTION_SLUG.match(slug) else None


def _provenance_graph(reader: Any, graph: ox.NamedNode) -> ox.NamedNode:
    """The provenance graph named by the nanopub head, or the ``/provenance`` convention."""
    for head in reader.quads_for_pattern(None, ox.NamedNode(NP + "hasAssertion"), graph, None):
        for q in reader.quads_for_pattern(
            head.subject, ox.NamedNode(NP + "hasProvenance"), None, None
        ):
            if isinstance(q.object, ox.NamedNode):
                return q.object
    return ox.NamedNode(graph.value + "/provenance")


def _int(term: Any) -> int | None:
    try:
        return int(term.value) if isinstance(term, ox.Literal) else None
    except ValueError:
        return None


def provenance(store: Store, graph_iri: str, base: str) -> Provenance | None:
    """The provenance of an assertion graph (``None`` for graphs that are not assertions)."""
    slug = assertion_slug(graph_iri, base)
    if slug is None:
        return None

    def compute() -> Provenance:
        reader = patterns(store)
        graph = ox.NamedNode(graph_iri)
        pgraph = _provenance_graph(reader, graph)
        props: dict[Any, dict[str, list[Any]]] = {}
        for q in reader.quads_for_pattern(None, None, None, pgraph):
            props.setdefault(q.subject, {}).setdefault(q.predicate.value, []).append(q.object)
        mine = props.get(graph, {})

        def one(node: Any, predicate: str) -> Any:
            values = props.get(node, {}).get(predicate) or []
            return values[0] if values else None

        kind_term = (mine.get(f"{base}ontology/kind") or [None])[0]
        kind = local_name(kind_term.value) if isinstance(kind_term, ox.NamedNode) else ""
        # the quote: graph → prov:wasQuotedFrom → (oa:hasSource, oa:hasSelector → selectors)
        found: dict[str, Any] = {}
        for target in mine.get(PROV + "wasQuotedFrom", []):
            found.setdefault("source", one(target, OA + "hasSource"))
            selectors = [target, *props.get(target, {}).get(OA + "hasSelector", [])]
            for sel in selectors:
                for key in ("exact", "prefix", "suffix", "start", "end"):
                    value = one(sel, OA + key)
                    if value is not None:
                        found.setdefault(key, value)
        source = found.get("source")
        return Provenance(
            assertion=graph_iri,
            slug=slug,
            kind=kind,
            kind_words=KIND_WORDS.get(kind, kind or "Unclassified"),
            kind_class=KIND_CLASS.get(kind, "unknown"),
            exact=found["exact"].value if "exact" in found else "",
            prefix=found["prefix"].value if "prefix" in found else "",
            suffix=found["suffix"].value if "suffix" in found else "",
            start=_int(found.get("start")),
            end=_int(found.get("end")),
            paragraph=_int((mine.get(f"{base}ontology/paragraph") or [None])[0]),
            sentence=_int((mine.get(f"{base}ontology/sentence") or [None])[0]),
            source=source.value if isinstance(source, ox.NamedNode) else None,
        )

    return cache_for(store, "provenance").get(store, graph_iri, compute)


# --- the page view ------------------------------------------------------------------------


@dataclass
class Term:
    """One RDF term as a page shows it."""

    value: str
    kind: str  # "iri" | "bnode" | "literal"
    label: str
    lang: str = ""
    url: str | None = None
    external: bool = False
    datatype: str | None = None  # CURIE or IRI of a literal's datatype (not xsd:string)
    curie: str | None = None
    nested: list[PropertyGroup] = field(default_factory=list)


@dataclass
class Statement:
    value: Term
    provenance: list[Provenance] = field(default_factory=list)
    graphs: list[Term] = field(default_factory=list)  # other graphs that hold it


@dataclass
class PropertyGroup:
    prop: Term
    statements: list[Statement]


@dataclass
class EntityView:
    iri: str
    label: str
    lang: str
    types: list[Term]
    groups: list[PropertyGroup]
    backlinks: list[PropertyGroup]
    backlinks_truncated: bool
    same_as: list[Term]
    is_graph: bool
    graph_contents: list[tuple[Term, Term, Term]]
    graph_truncated: bool
    own_provenance: Provenance | None
    comment: str | None


def local_url(iri: str, base: str) -> str | None:
    """The serving-origin path of an IRI under the base (``/id/country/france``)."""
    return "/" + iri[len(base) :] if iri.startswith(base) else None


class Viewer:
    """Builds page views for one request: one store, one base, one reader's languages."""

    def __init__(self, store: Store, base: str, accepted: Sequence[str]) -> None:
        self.store = store
        self.base = base
        self.accepted = tuple(accepted)
        self.reader = patterns(store)

    def iri_term(self, iri: str) -> Term:
        text, lang = label(self.store, iri, self.accepted)
        if not lang and iri.startswith(f"{self.base}graph/"):
            text = iri[len(self.base) + len("graph/") :]  # "assertion/usg-002/provenance"
        url = local_url(iri, self.base)
        return Term(
            value=iri,
            kind="iri",
            label=text,
            lang=lang,
            url=url or (iri if iri.startswith(("http://", "https://")) else None),
            external=url is None,
            curie=curie(iri, self.base),
        )

    def term(self, node: Any, depth: int = 0) -> Term:
        if isinstance(node, ox.NamedNode):
            return self.iri_term(node.value)
        if isinstance(node, ox.Literal):
            dt = node.datatype.value if node.datatype else None
            show_dt = None
            if dt and dt not in (
                XSD + "string",
                "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString",
            ):
                show_dt = curie(dt, self.base) or dt
            return Term(
                value=node.value,
                kind="literal",
                label=node.value,
                lang=node.language or "",
                datatype=show_dt,
            )
        nested = []
        if depth < BNODE_DEPTH and isinstance(node, ox.BlankNode):
            nested = self.group(self.reader.quads_for_pattern(node, None, None, None), depth + 1)
        return Term(value=str(node), kind="bnode", label="(blank node)", nested=nested)

    def group(
        self, quads: Iterable[ox.Quad], depth: int = 0, *, inverse: bool = False
    ) -> list[PropertyGroup]:
        """Group quads by predicate, merging the same value from several graphs and
        attaching each assertion graph's provenance to the statement."""
        groups: dict[str, dict[Any, Statement]] = {}
        for quad in quads:
            node = quad.subject if inverse else quad.object
            by_value = groups.setdefault(quad.predicate.value, {})
            statement = by_value.get(node)
            if statement is None:
                statement = by_value[node] = Statement(self.term(node, depth))
            graph = quad.graph_name
            if isinstance(graph, ox.NamedNode):
                prov = provenance(self.store, graph.value, self.base)
                if prov is not None:
                    if prov not in statement.provenance:
                        statement.provenance.append(prov)
                else:
                    statement.graphs.append(self.iri_term(graph.value))
        result = []
        for predicate, by_value in groups.items():
            statements = sorted(by_value.values(), key=lambda s: s.value.label.casefold())
            for s in statements:
                s.provenance.sort(key=lambda p: p.slug)
            result.append(PropertyGroup(self.iri_term(predicate), statements))
        result.sort(key=lambda g: (g.prop.value != RDF_TYPE.value, g.prop.label.casefold()))
        return result

    def types_of(self, iri: str) -> list[Term]:
        node = ox.NamedNode(iri)
        seen = {q.object.value for q in self.reader.quads_for_pattern(node, RDF_TYPE, None, None)}
        terms = [self.iri_term(t) for t in seen]
        terms.sort(key=lambda t: (TYPE_RANK.get(local_name(t.value), 99), t.label.casefold()))
        return terms

    def entity(self, iri: str) -> EntityView:
        node = ox.NamedNode(iri)
        own = list(self.reader.quads_for_pattern(node, None, None, None))
        same_as = [self.term(q.object) for q in own if q.predicate.value == SAME_AS]
        same_as = list({t.value: t for t in same_as}.values())
        groups = self.group(q for q in own if q.predicate.value != SAME_AS)
        incoming = list(
            itertools.islice(
                self.reader.quads_for_pattern(None, None, node, None), BACKLINK_LIMIT + 1
            )
        )
        backlinks = self.group(incoming[:BACKLINK_LIMIT], inverse=True)
        # links from assertions themselves (sg:about) after the links between entities
        graph_space = f"{self.base}graph/"
        backlinks.sort(
            key=lambda g: all(s.value.value.startswith(graph_space) for s in g.statements)
        )
        is_graph = self.reader.contains_named_graph(node)
        contents: list[tuple[Term, Term, Term]] = []
        truncated = False
        if is_graph:
            quads = list(
                itertools.islice(
                    self.reader.quads_for_pattern(None, None, None, node), GRAPH_PAGE_LIMIT + 1
                )
            )
            truncated = len(quads) > GRAPH_PAGE_LIMIT
            contents = [
                (self.term(q.subject), self.iri_term(q.predicate.value), self.term(q.object))
                for q in quads[:GRAPH_PAGE_LIMIT]
            ]
        text, lang = label(self.store, iri, self.accepted)
        comment = None
        for q in own:
            if q.predicate.value in (RDFS + "comment", SCHEMA + "description") and isinstance(
                q.object, ox.Literal
            ):
                comment = q.object.value
                break
        return EntityView(
            iri=iri,
            label=text,
            lang=lang,
            types=self.types_of(iri),
            groups=groups,
            backlinks=backlinks,
            backlinks_truncated=len(incoming) > BACKLINK_LIMIT,
            same_as=same_as,
            is_graph=is_graph,
            graph_contents=contents,
            graph_truncated=truncated,
            own_provenance=provenance(self.store, iri, self.base),
            comment=comment,
        )


SCHEMA_TYPES = {
    "State": "Country",
    "InternationalOrganisation": "Organization",
    "Coalition": "Organization",
    "Government": "GovernmentOrganization",
    "Bloc": "Organization",
    "FormalBloc": "Organization",
    "InformalBloc": "Organization",
    "Group": "Organization",
    "MilitaryForce": "Organization",
    "Person": "Person",
    "Event": "Event",
    "Summit": "Event",
    "Gathering": "Event",
    "Announcement": "Event",
    "Invasion": "Event",
    "War": "Event",
    "Place": "Place",
    "Region": "Place",
    "Assertion": "Claim",
    "SourceDocument": "CreativeWork",
    "OpinionArticle": "OpinionNewsArticle",
}


def schema_jsonld(view: EntityView, page_url: str) -> dict[str, Any]:
    """A schema.org description of the entity for search engines (embedded in the page)."""
    kind = "Thing"
    for t in view.types:
        mapped = SCHEMA_TYPES.get(local_name(t.value))
        if mapped:
            kind = mapped
            break
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": kind,
        "@id": view.iri,
        "name": view.label,
        "url": page_url,
    }
    if view.comment:
        data["description"] = view.comment
    if view.same_as:
        data["sameAs"] = [t.value for t in view.same_as]
    if view.own_provenance and view.own_provenance.exact:
        data["text"] = view.own_provenance.exact
    return data
