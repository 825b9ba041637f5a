"""The ontology as documentation: terms with labels, definitions, hierarchy and alignments.

What pyLODE and WIDOCO show, computed from the ontology graph in the store: metadata of the
ontology (version IRI, license, citation), classes, object/datatype/annotation properties,
concept schemes with their members (notations such as the ATOP codes), named individuals,
and for each term its neighbours in every direction plus the shapes that constrain it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

import rdflib
from rdflib import OWL, RDF, RDFS, SKOS, BNode, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import DCTERMS

SH = rdflib.Namespace("http://www.w3.org/ns/shacl#")
VANN = rdflib.Namespace("http://purl.org/vocab/vann/")

#: kinds in the order the documentation lists them
KINDS: tuple[tuple[str, str], ...] = (
    ("class", "Classes"),
    ("object", "Object properties"),
    ("datatype", "Datatype properties"),
    ("annotation", "Annotation properties"),
    ("scheme", "Concept schemes"),
    ("concept", "Concepts"),
    ("individual", "Named individuals"),
)

ALIGNMENT_PREDICATES: tuple[URIRef, ...] = (
    RDFS.subClassOf,
    OWL.equivalentClass,
    RDFS.subPropertyOf,
    OWL.equivalentProperty,
    OWL.sameAs,
    SKOS.exactMatch,
    SKOS.closeMatch,
    SKOS.broadMatch,
    SKOS.narrowMatch,
    SKOS.relatedMatch,
    RDFS.seeAlso,
)

CHARACTERISTICS: dict[URIRef, str] = {
    OWL.FunctionalProperty: "functional",
    OWL.InverseFunctionalProperty: "inverse functional",
    OWL.TransitiveProperty: "transitive",
    OWL.SymmetricProperty: "symmetric",
    OWL.AsymmetricProperty: "asymmetric",
    OWL.ReflexiveProperty: "reflexive",
    OWL.IrreflexiveProperty: "irreflexive",
}


@dataclass
class Term:
    iri: str
    name: str
    kind: str
    labels: dict[str, str] = field(default_factory=dict)
    definitions: dict[str, str] = field(default_factory=dict)
    comments: list[str] = field(default_factory=list)
    examples: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    types: list[str] = field(default_factory=list)
    superclasses: list[str] = field(default_factory=list)
    subclasses: list[str] = field(default_factory=list)
    superproperties: list[str] = field(default_factory=list)
    subproperties: list[str] = field(default_factory=list)
    disjoint: list[str] = field(default_factory=list)
    restrictions: list[str] = field(default_factory=list)
    domain: list[str] = field(default_factory=list)
    range: list[str] = field(default_factory=list)
    inverse: list[str] = field(default_factory=list)
    characteristics: list[str] = field(default_factory=list)
    in_domain_of: list[str] = field(default_factory=list)
    in_range_of: list[str] = field(default_factory=list)
    alignments: list[tuple[str, str]] = field(default_factory=list)  # (predicate, IRI)
    schemes: list[str] = field(default_factory=list)
    notations: list[str] = field(default_factory=list)
    broader: list[str] = field(default_factory=list)
    narrower: list[str] = field(default_factory=list)
    members: list[str] = field(default_factory=list)  # scheme members / class instances
    defined_by: str | None = None

    @property
    def label(self) -> str:
        return self.labels.get("en") or next(iter(self.labels.values()), self.name)

    @property
    def definition(self) -> str:
        return self.definitions.get("en") or next(iter(self.definitions.values()), "")


@dataclass
class OntologyDoc:
    iri: str
    namespace: str
    title: str = ""
    description: str = ""
    version_iri: str | None = None
    version_info: str | None = None
    prior_version: str | None = None
    license: str | None = None
    creators: list[str] = field(default_factory=list)
    created: str | None = None
    modified: str | None = None
    citation: str | None = None
    imports: list[str] = field(default_factory=list)
    preferred_prefix: str = "sg"
    terms: dict[str, Term] = field(default_factory=dict)  # by IRI

    def by_kind(self, kind: str) -> list[Term]:
        return sorted(
            (t for t in self.terms.values() if t.kind == kind), key=lambda t: t.name.lower()
        )

    def term(self, name: str) -> Term | None:
        return self.terms.get(self.namespace + name)

    def label_of(self, iri: str) -> str:
        term = self.terms.get(iri)
        return term.label if term else ""


def _text(graph: rdflib.Graph, node: rdflib.term.Node, predicate: URIRef) -> str:
    values = list(graph.objects(node, predicate))
    english = [v for v in values if isinstance(v, Literal) and v.language in ("en", None)]
    chosen = english or values
    return str(chosen[0]) if chosen else ""


def _by_lang(graph: rdflib.Graph, node: URIRef, predicates: tuple[URIRef, ...]) -> dict[str, str]:
    out: dict[str, str] = {}
    for predicate in predicates:
        for value in graph.objects(node, predicate):
            if isinstance(value, Literal):
                out.setdefault(value.language or "", str(value))
    if "" in out and "en" not in out:
        out["en"] = out.pop("")
    return dict(sorted(out.items(), key=lambda kv: (kv[0] != "en", kv[0])))


def _iris(graph: rdflib.Graph, node: rdflib.term.Node) -> list[str]:
    """Named classes behind a class expression: the IRI, or the members of owl:unionOf."""
    if isinstance(node, URIRef):
        return [str(node)]
    out: list[str] = []
    for predicate in (OWL.unionOf, OWL.intersectionOf):
        for lst in graph.objects(node, predicate):
            for item in Collection(graph, lst):
                out.extend(_iris(graph, item))
    return out


def _restriction(graph: rdflib.Graph, node: BNode, show: Callable[[str], str]) -> str | None:
    """A readable OWL restriction (``sg:guarantor exactly 1``) or None."""
    if (node, RDF.type, OWL.Restriction) not in graph:
        return None
    prop = graph.value(node, OWL.onProperty)
    if prop is None:
        return None
    words = {
        OWL.someValuesFrom: "some",
        OWL.allValuesFrom: "only",
        OWL.hasValue: "value",
        OWL.cardinality: "exactly",
        OWL.qualifiedCardinality: "exactly",
        OWL.minCardinality: "min",
        OWL.minQualifiedCardinality: "min",
        OWL.maxCardinality: "max",
        OWL.maxQualifiedCardinality: "max",
    }
    for predicate, word in words.items():
        value = graph.value(node, predicate)
        if value is not None:
            filler = graph.value(node, OWL.onClass)
            shown = show(str(value)) if isinstance(value, URIRef) else str(value)
            text = f"{show(str(prop))} {word} {shown}"
            if filler is not None and isinstance(filler, URIRef):
                text += f" {show(str(filler))}"
            return text
    return None


def _kind(graph: rdflib.Graph, node: URIRef) -> str | None:
    types = set(graph.objects(node, RDF.type))
    if types & {OWL.Class, RDFS.Class}:
        return "class"
    if OWL.ObjectProperty in types:
        return "object"
    if OWL.DatatypeProperty in types:
        return "datatype"
    if OWL.AnnotationProperty in types or RDF.Property in types:
        return "annotation"
    if SKOS.ConceptScheme in types:
        return "scheme"
    if SKOS.Concept in types or any(
        (t, RDFS.subClassOf, SKOS.Concept) in graph for t in types if isinstance(t, URIRef)
    ):
        return "concept"
    if types:
        return "individual"
    return None


def build_doc(graph: rdflib.Graph, base: str, show: Callable[[str], str] = str) -> OntologyDoc:
    """Read the documentation model from the ontology graph."""
    ontology_iri = URIRef(f"{base}ontology")
    namespace = f"{base}ontology/"
    doc = OntologyDoc(iri=str(ontology_iri), namespace=namespace)
    if (ontology_iri, RDF.type, OWL.Ontology) in graph:
        doc.title = _text(graph, ontology_iri, DCTERMS.title) or _text(
            graph, ontology_iri, RDFS.label
        )
        doc.description = _text(graph, ontology_iri, DCTERMS.description) or _text(
            graph, ontology_iri, RDFS.comment
        )
        doc.version_iri = _first(graph, ontology_iri, OWL.versionIRI)
        doc.version_info = _first(graph, ontology_iri, OWL.versionInfo)
        doc.prior_version = _first(graph, ontology_iri, OWL.priorVersion)
        doc.license = _first(graph, ontology_iri, DCTERMS.license)
        doc.creators = sorted(str(c) for c in graph.objects(ontology_iri, DCTERMS.creator))
        doc.created = _first(graph, ontology_iri, DCTERMS.created)
        doc.modified = _first(graph, ontology_iri, DCTERMS.modified)
        doc.citation = _first(graph, ontology_iri, DCTERMS.bibliographicCitation)
        doc.imports = sorted(str(i) for i in graph.objects(ontology_iri, OWL.imports))
        doc.preferred_prefix = _first(graph, ontology_iri, VANN.preferredNamespacePrefix) or "sg"

    subjects = {
        s
        for s in graph.subjects()
        if isinstance(s, URIRef) and str(s).startswith(namespace) and str(s) != str(ontology_iri)
    }
    module_prefix = f"{namespace}module/"
    for node in sorted(subjects):
        if str(node).startswith(module_prefix) or (node, RDF.type, OWL.Ontology) in graph:
            continue
        kind = _kind(graph, node)
        if kind is None:
            continue
        doc.terms[str(node)] = _term(graph, node, kind, namespace, show)

    # inverse directions: subclasses, properties whose domain/range is a class, scheme members
    for term in doc.terms.values():
        for sup in term.superclasses:
            if sup in doc.terms:
                doc.terms[sup].subclasses.append(term.iri)
        for sup in term.superproperties:
            if sup in doc.terms:
                doc.terms[sup].subproperties.append(term.iri)
        for cls in term.domain:
            if cls in doc.terms:
                doc.terms[cls].in_domain_of.append(term.iri)
        for cls in term.range:
            if cls in doc.terms:
                doc.terms[cls].in_range_of.append(term.iri)
        for scheme in term.schemes:
            if scheme in doc.terms:
                doc.terms[scheme].members.append(term.iri)
        if term.kind == "scheme":
            top = graph.objects(URIRef(term.iri), SKOS.hasTopConcept)
            term.members.extend(str(c) for c in top if isinstance(c, URIRef))
        for broader in term.broader:
            if broader in doc.terms and term.iri not in doc.terms[broader].narrower:
                doc.terms[broader].narrower.append(term.iri)
        if term.kind in ("concept", "individual"):
            for cls in term.types:
                if cls in doc.terms and doc.terms[cls].kind == "class":
                    doc.terms[cls].members.append(term.iri)
    for term in doc.terms.values():
        for attr in ("subclasses", "subproperties", "in_domain_of", "in_range_of", "members"):
            setattr(term, attr, sorted(set(getattr(term, attr))))
    return doc


def _first(graph: rdflib.Graph, node: rdflib.term.Node, predicate: URIRef) -> str | None:
    value = graph.value(node, predicate)
    return str(value) if value is not None else None


def _term(
    graph: rdflib.Graph, node: URIRef, kind: str, namespace: str, show: Callable[[str], str]
) -> Term:
    term = Term(iri=str(node), name=str(node)[len(namespace) :], kind=kind)
    term.labels = _by_lang(graph, node, (RDFS.label, SKOS.prefLabel))
    term.definitions = _by_lang(graph, node, (SKOS.definition,))
    term.comments = sorted({str(c) for c in graph.objects(node, RDFS.comment)})
    term.examples = sorted({str(c) for c in graph.objects(node, SKOS.example)})
    term.notes = sorted(
        {
            str(c)
            for p in (SKOS.note, SKOS.scopeNote, SKOS.editorialNote)
            for c in graph.objects(node, p)
        }
    )
    term.types = sorted(
        str(t)
        for t in graph.objects(node, RDF.type)
        if isinstance(t, URIRef) and t != OWL.NamedIndividual
    )
    for sup in graph.objects(node, RDFS.subClassOf):
        if isinstance(sup, URIRef):
            term.superclasses.append(str(sup))
        elif isinstance(sup, BNode):
            text = _restriction(graph, sup, show)
            if text:
                term.restrictions.append(text)
            else:
                term.superclasses.extend(_iris(graph, sup))
    for sup in graph.objects(node, RDFS.subPropertyOf):
        term.superproperties.extend(_iris(graph, sup))
    for other in graph.objects(node, OWL.disjointWith):
        term.disjoint.extend(_iris(graph, other))
    for other in graph.subjects(OWL.disjointWith, node):
        term.disjoint.extend(_iris(graph, other))
    for domain in graph.objects(node, RDFS.domain):
        term.domain.extend(_iris(graph, domain))
    for rng in graph.objects(node, RDFS.range):
        term.range.extend(_iris(graph, rng))
    for inverse in graph.objects(node, OWL.inverseOf):
        term.inverse.extend(_iris(graph, inverse))
    for inverse in graph.subjects(OWL.inverseOf, node):
        term.inverse.extend(_iris(graph, inverse))
    term.characteristics = sorted(
        name for cls, name in CHARACTERISTICS.items() if (node, RDF.type, cls) in graph
    )
    for predicate in ALIGNMENT_PREDICATES:
        for target in graph.objects(node, predicate):
            if isinstance(target, URIRef) and not str(target).startswith(namespace):
                term.alignments.append((str(predicate), str(target)))
    if (node, OWL.equivalentClass, None) in graph:
        for target in graph.objects(node, OWL.equivalentClass):
            if isinstance(target, URIRef) and str(target).startswith(namespace):
                term.alignments.append((str(OWL.equivalentClass), str(target)))
    term.schemes = sorted(
        {str(s) for s in graph.objects(node, SKOS.inScheme)}
        | {str(s) for s in graph.objects(node, SKOS.topConceptOf)}
    )
    term.notations = sorted(str(n) for n in graph.objects(node, SKOS.notation))
    term.broader = sorted(str(b) for b in graph.objects(node, SKOS.broader))
    term.narrower = sorted(str(b) for b in graph.objects(node, SKOS.narrower))
    defined = graph.value(node, RDFS.isDefinedBy)
    term.defined_by = str(defined) if defined is not None else None
    for attr in ("superclasses", "superproperties", "disjoint", "domain", "range", "inverse"):
        setattr(term, attr, sorted(set(getattr(term, attr))))
    return term


def namespaces_used(graph: rdflib.Graph, prefixes: dict[str, str]) -> list[tuple[str, str]]:
    """(prefix, namespace) of every known namespace the ontology mentions."""
    seen: dict[str, str] = {}
    by_namespace = sorted(prefixes.items(), key=lambda kv: -len(kv[1]))
    for triple in graph:
        for node in triple:
            if not isinstance(node, URIRef):
                continue
            text = str(node)
            for prefix, namespace in by_namespace:
                if text.startswith(namespace):
                    seen.setdefault(prefix, namespace)
                    break
    return sorted(seen.items())


def shapes_by_target(shapes: rdflib.Graph) -> dict[str, set[str]]:
    """term IRI → IRIs of the named shapes that constrain it: as sh:targetClass (or an
    implicit class target), as the sh:path of one of their property shapes, or as the
    sh:class / sh:datatype / sh:in value they require."""
    out: dict[str, set[str]] = defaultdict(set)

    def owner(shape: rdflib.term.Node) -> rdflib.term.Node:
        parents = list(shapes.subjects(SH.property, shape))
        return parents[0] if parents and isinstance(shape, BNode) else shape

    for shape, cls in shapes.subject_objects(SH.targetClass):
        out[str(cls)].add(str(shape))
    for shape in shapes.subjects(RDF.type, SH.NodeShape):
        if (shape, RDF.type, RDFS.Class) in shapes or (shape, RDF.type, OWL.Class) in shapes:
            out[str(shape)].add(str(shape))
    for shape, path in shapes.subject_objects(SH.path):
        named = owner(shape)
        for iri in _path_iris(shapes, path):
            out[iri].add(str(named))
        for predicate in (SH["class"], SH.datatype, SH.hasValue):
            for value in shapes.objects(shape, predicate):
                if isinstance(value, URIRef):
                    out[str(value)].add(str(named))
        for lst in shapes.objects(shape, SH["in"]):
            for item in Collection(shapes, lst):
                if isinstance(item, URIRef):
                    out[str(item)].add(str(named))
    return {
        k: {s for s in v if not s.startswith("_:") and not _is_bnode_iri(shapes, s)}
        for k, v in out.items()
    }


def _is_bnode_iri(graph: rdflib.Graph, value: str) -> bool:
    return (BNode(value), None, None) in graph


def _path_iris(graph: rdflib.Graph, path: rdflib.term.Node) -> list[str]:
    if isinstance(path, URIRef):
        return [str(path)]
    out: list[str] = []
    for predicate in (SH.inversePath, SH.zeroOrMorePath, SH.oneOrMorePath, SH.zeroOrOnePath):
        for inner in graph.objects(path, predicate):
            out.extend(_path_iris(graph, inner))
    for lst in graph.objects(path, SH.alternativePath):
        for item in Collection(graph, lst):
            out.extend(_path_iris(graph, item))
    if (path, RDF.first, None) in graph:
        for item in Collection(graph, path):
            out.extend(_path_iris(graph, item))
    return out
