"""An entity page's view of the store: types, statements grouped by property with labels,
each statement's provenance (kind, quote, place in the source), backlinks, and the same
statements grouped by the source document whose assertions make them.

The lede is a *definition* only: ``skos:definition`` in the entities or ontology graph.
Nothing an assertion says (its content, its paraphrase) is ever used to describe an entity;
an assertion's words appear only with its kind badge (see :class:`Provenance`).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import pyoxigraph as ox

from kg.store import Store
from server.describe.document import BNODE_DEPTH, first
from server.describe.kinds import TYPE_RANK
from server.describe.provenance import Provenance, assertion_slug, provenance
from server.labels import DCTERMS, OWL, RDF_TYPE, SKOS, XSD, curie, label, local_name, patterns

BACKLINK_LIMIT = 300
GRAPH_PAGE_LIMIT = 500
SAME_AS = OWL + "sameAs"
SKOS_DEFINITION = ox.NamedNode(SKOS + "definition")


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
class SourceSection:
    """The statements that one source document's assertions make about an entity."""

    doc: Term
    type_words: str
    groups: list[PropertyGroup]
    backlinks: list[PropertyGroup]
    date: str = ""  # dcterms:issued, when the document gives one

    @property
    def count(self) -> int:
        return sum(len(g.statements) for g in (*self.groups, *self.backlinks))


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
    definition: str | None
    definition_lang: str = ""
    sections: list[SourceSection] = field(default_factory=list)
    curated: list[PropertyGroup] = field(default_factory=list)  # statements of no assertion
    curated_backlinks: list[PropertyGroup] = field(default_factory=list)

    @property
    def claims(self) -> list[Provenance]:
        """Every assertion that says something about the entity, once, in slug order."""
        found: dict[str, Provenance] = {}
        for group in (*self.groups, *self.backlinks):
            for st in group.statements:
                for p in st.provenance:
                    found.setdefault(p.assertion, p)
        return sorted(found.values(), key=lambda p: p.slug)


def local_url(iri: str, base: str) -> str | None:
    """The serving-origin path of an IRI under the base (``/id/country/france``)."""
    return "/" + iri[len(base) :] if iri.startswith(base) else None


def definition_of(
    store: Store, iri: str, base: str, accepted: Sequence[str] = ()
) -> tuple[str, str] | None:
    """The entity's neutral definition: ``skos:definition`` in the entities or ontology
    graph as ``(text, language)``, the reader's language first, or ``None``. Never a
    comment, a paraphrase or anything inside an assertion or provenance graph."""
    allowed = {f"{base}graph/entities", f"{base}graph/ontology"}
    found: dict[str, str] = {}
    for q in patterns(store).quads_for_pattern(ox.NamedNode(iri), SKOS_DEFINITION, None, None):
        graph = q.graph_name
        if (
            isinstance(q.object, ox.Literal)
            and isinstance(graph, ox.NamedNode)
            and graph.value in allowed
        ):
            found.setdefault((q.object.language or "").lower(), q.object.value)
    for lang in [*(a.lower() for a in accepted), "en", ""]:
        if lang in found:
            return found[lang], lang
    for lang, text in sorted(found.items()):
        return text, lang
    return None


class Viewer:
    """Builds page views for one request: one store, one base, one reader's languages."""

    def __init__(self, store: Store, base: str, accepted: Sequence[str]) -> None:
        self.store = store
        self.base = base
        self.accepted = tuple(accepted)
        self.reader = patterns(store)

    def iri_term(self, iri: str) -> Term:
        text, lang = label(self.store, iri, self.accepted)
        if not lang and iri.startswith((f"{self.base}graph/", f"{self.base}np/")):
            text = self.graph_label(iri)
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

    def graph_label(self, iri: str) -> str:
        """``usg-002 assertion``, ``usg-002 claim`` (its content node), ``usg-002
        provenance``; ``links/wikidata`` for other graphs."""
        stem, _, fragment = iri.partition("#")
        for suffix in ("/assertion", "/provenance", "/pubinfo", "/Head", "/head", ""):
            if not stem.endswith(suffix):
                continue
            root = stem.removesuffix(suffix)
            prov = provenance(self.store, root + "/assertion", self.base) or provenance(
                self.store, root, self.base
            )
            if prov is not None:
                part = fragment or suffix.strip("/").lower() or "assertion"
                return f"{prov.slug} {part}"
        rest = iri[len(self.base) :]
        return rest.removeprefix("graph/")

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

    def provenance_of_graph(self, graph: str) -> Provenance | None:
        """The assertion a graph belongs to: the assertion graph itself, or its provenance
        graph (where ``sg:about`` lives)."""
        prov = provenance(self.store, graph, self.base)
        if prov is None and graph.endswith("/provenance"):
            stem = graph.removesuffix("/provenance")
            prov = provenance(self.store, stem, self.base) or provenance(
                self.store, stem + "/assertion", self.base
            )
        return prov

    def made_by(self, quad: ox.Quad) -> Provenance | None:
        """The assertion that makes a statement: its graph's, or — for a relation between
        assertions in ``graph/argument`` — the assertion it starts from."""
        graph = quad.graph_name
        if not isinstance(graph, ox.NamedNode):
            return None
        prov = self.provenance_of_graph(graph.value)
        if (
            prov is None
            and isinstance(quad.subject, ox.NamedNode)
            and graph.value == f"{self.base}graph/argument"
        ):
            prov = provenance(self.store, quad.subject.value, self.base)
        return prov

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
                prov = self.made_by(quad)
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

    def by_source(
        self, groups: list[PropertyGroup], backlinks: list[PropertyGroup]
    ) -> tuple[list[SourceSection], list[PropertyGroup], list[PropertyGroup]]:
        """Split statements by the source document of their assertions: one section per
        document, and what no assertion makes (curated entity data, links)."""
        docs: dict[str, tuple[list[PropertyGroup], list[PropertyGroup]]] = {}
        curated: tuple[list[PropertyGroup], list[PropertyGroup]] = ([], [])
        for side, source_groups in enumerate((groups, backlinks)):
            for group in source_groups:
                per_doc: dict[str, list[Statement]] = {}
                rest: list[Statement] = []
                for st in group.statements:
                    for p in st.provenance:
                        if p.source:
                            per_doc.setdefault(p.source, [])
                            cited = [q for q in st.provenance if q.source == p.source]
                            if not any(s.value is st.value for s in per_doc[p.source]):
                                per_doc[p.source].append(replace(st, provenance=cited, graphs=[]))
                    unsourced = [p for p in st.provenance if not p.source]
                    if st.graphs or unsourced or not st.provenance:
                        rest.append(replace(st, provenance=unsourced))
                for doc, statements in per_doc.items():
                    docs.setdefault(doc, ([], []))[side].append(
                        PropertyGroup(group.prop, statements)
                    )
                if rest:
                    curated[side].append(PropertyGroup(group.prop, rest))
        sections = []
        for doc, (mine, theirs) in docs.items():
            types = self.types_of(doc)
            issued = first(
                q.object.value
                for q in self.reader.quads_for_pattern(
                    ox.NamedNode(doc), ox.NamedNode(DCTERMS + "issued"), None, None
                )
            )
            sections.append(
                SourceSection(
                    self.iri_term(doc), types[0].label if types else "", mine, theirs, issued or ""
                )
            )
        sections.sort(key=lambda s: s.doc.label.casefold())
        return sections, curated[0], curated[1]

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
        graph_space = (f"{self.base}graph/", f"{self.base}np/")
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
        head = self.iri_term(iri)
        text, lang = head.label, head.lang
        own_prov = provenance(self.store, iri, self.base)
        definition = definition_of(self.store, iri, self.base, self.accepted)
        if own_prov is None and not assertion_slug(iri, self.base):
            sections, curated, curated_back = self.by_source(groups, backlinks)
        else:  # an assertion's own page: its own badge and quote are shown once, on top
            sections = []
            curated, curated_back = (
                [
                    PropertyGroup(
                        g.prop,
                        [
                            replace(st, provenance=[p for p in st.provenance if p != own_prov])
                            for st in g.statements
                        ],
                    )
                    for g in side
                ]
                for side in (groups, backlinks)
            )
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
            own_provenance=own_prov,
            definition=definition[0] if definition else None,
            definition_lang=definition[1] if definition else "",
            sections=sections,
            curated=curated,
            curated_backlinks=curated_back,
        )
