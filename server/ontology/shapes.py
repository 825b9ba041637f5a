"""The SHACL shapes as documentation (what pyLODE's ``valpub`` profile shows).

Each named shape ``{base}shapes/{Name}`` with its targets, its property constraints (path,
cardinality, datatype or class, allowed values, pattern, message) and its SHACL-SPARQL
constraints, whose query text is shown verbatim (escaped by the template).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import rdflib
from rdflib import RDF, RDFS, BNode, Literal, URIRef
from rdflib.collection import Collection

SH = rdflib.Namespace("http://www.w3.org/ns/shacl#")

TARGET_PREDICATES: tuple[tuple[URIRef, str], ...] = (
    (SH.targetClass, "class"),
    (SH.targetNode, "node"),
    (SH.targetSubjectsOf, "subjects of"),
    (SH.targetObjectsOf, "objects of"),
)


@dataclass
class PropertyConstraint:
    path: str  # readable path (CURIEs, ^inverse, / sequence)
    path_iris: list[str]
    name: str = ""
    description: str = ""
    min_count: int | None = None
    max_count: int | None = None
    datatype: str | None = None
    classes: list[str] = field(default_factory=list)
    node_kind: str | None = None
    node: str | None = None
    allowed: list[str] = field(default_factory=list)  # sh:in, as IRIs or literal texts
    has_value: str | None = None
    pattern: str | None = None
    other: list[tuple[str, str]] = field(default_factory=list)  # (constraint, value)
    message: str = ""
    severity: str = "Violation"

    @property
    def cardinality(self) -> str:
        low = self.min_count if self.min_count is not None else 0
        high = "*" if self.max_count is None else str(self.max_count)
        return f"{low}..{high}"


@dataclass
class SparqlConstraint:
    message: str
    select: str
    severity: str = "Violation"


@dataclass
class Shape:
    iri: str
    name: str
    kind: str  # NodeShape or PropertyShape
    label: str = ""
    description: str = ""
    targets: list[tuple[str, str]] = field(default_factory=list)  # (kind, IRI)
    properties: list[PropertyConstraint] = field(default_factory=list)
    sparql: list[SparqlConstraint] = field(default_factory=list)
    message: str = ""
    severity: str = "Violation"
    closed: bool = False
    deactivated: bool = False


def _str(value: rdflib.term.Node | None) -> str | None:
    return str(value) if value is not None else None


def _severity(graph: rdflib.Graph, node: rdflib.term.Node) -> str:
    value = graph.value(node, SH.severity)
    return str(value).rsplit("#", 1)[-1] if value is not None else "Violation"


def _message(graph: rdflib.Graph, node: rdflib.term.Node) -> str:
    values = list(graph.objects(node, SH.message))
    english = [v for v in values if isinstance(v, Literal) and v.language in ("en", None)]
    chosen = english or values
    return str(chosen[0]) if chosen else ""


def path_text(graph: rdflib.Graph, path: rdflib.term.Node, show: Callable[[str], str]) -> str:
    """A SHACL property path in SPARQL-like notation."""
    if isinstance(path, URIRef):
        return show(str(path))
    if (path, RDF.first, None) in graph:
        return "/".join(path_text(graph, p, show) for p in Collection(graph, path))
    for predicate, fmt in (
        (SH.inversePath, "^{}"),
        (SH.zeroOrMorePath, "({})*"),
        (SH.oneOrMorePath, "({})+"),
        (SH.zeroOrOnePath, "({})?"),
    ):
        inner = graph.value(path, predicate)
        if inner is not None:
            return fmt.format(path_text(graph, inner, show))
    alternatives = graph.value(path, SH.alternativePath)
    if alternatives is not None:
        return "|".join(path_text(graph, p, show) for p in Collection(graph, alternatives))
    return "?"


def _path_iris(graph: rdflib.Graph, path: rdflib.term.Node) -> list[str]:
    if isinstance(path, URIRef):
        return [str(path)]
    out: list[str] = []
    for _p, inner in graph.predicate_objects(path):
        if isinstance(inner, URIRef) and inner not in (RDF.nil,):
            out.append(str(inner))
        elif isinstance(inner, BNode):
            out.extend(_path_iris(graph, inner))
    return [o for o in out if not o.startswith(str(SH)) and not o.startswith(str(RDF))]


_KNOWN = {
    SH.path, SH.name, SH.description, SH.minCount, SH.maxCount, SH.datatype, SH["class"],
    SH.nodeKind, SH.node, SH["in"], SH.hasValue, SH.pattern, SH.message, SH.severity,
    RDF.type, SH.order, SH.group, SH.flags,
}  # fmt: skip


def _property(
    graph: rdflib.Graph, node: rdflib.term.Node, show: Callable[[str], str]
) -> PropertyConstraint:
    path = graph.value(node, SH.path)
    prop = PropertyConstraint(
        path=path_text(graph, path, show) if path is not None else "?",
        path_iris=_path_iris(graph, path) if path is not None else [],
    )
    prop.name = str(graph.value(node, SH.name) or "")
    prop.description = str(graph.value(node, SH.description) or "")
    low, high = graph.value(node, SH.minCount), graph.value(node, SH.maxCount)
    prop.min_count = int(str(low)) if low is not None else None  # a Literal is a str
    prop.max_count = int(str(high)) if high is not None else None
    prop.datatype = _str(graph.value(node, SH.datatype))
    prop.classes = sorted(str(c) for c in graph.objects(node, SH["class"]))
    kind = graph.value(node, SH.nodeKind)
    prop.node_kind = str(kind).rsplit("#", 1)[-1] if kind is not None else None
    prop.node = _str(graph.value(node, SH.node))
    for lst in graph.objects(node, SH["in"]):
        prop.allowed.extend(str(item) for item in Collection(graph, lst))
    prop.has_value = _str(graph.value(node, SH.hasValue))
    prop.pattern = _str(graph.value(node, SH.pattern))
    for logical in (SH["or"], SH["and"], SH.xone):
        for lst in graph.objects(node, logical):
            options = [_constraint_text(graph, item, show) for item in Collection(graph, lst)]
            prop.other.append((str(logical).rsplit("#", 1)[-1], " | ".join(options)))
    for predicate, value in graph.predicate_objects(node):
        if predicate in _KNOWN or predicate == SH.sparql:
            continue
        if str(predicate).startswith(str(SH)) and not isinstance(value, BNode):
            shown = show(str(value)) if isinstance(value, URIRef) else str(value)
            prop.other.append((str(predicate).rsplit("#", 1)[-1], shown))
    prop.other.sort()
    prop.message = _message(graph, node)
    prop.severity = _severity(graph, node)
    return prop


def _prefix_lines(graph: rdflib.Graph, constraint: rdflib.term.Node) -> str:
    """The PREFIX declarations ``sh:prefixes`` gives the query (so the text shown runs)."""
    lines = []
    for owner in graph.objects(constraint, SH.prefixes):
        for declaration in graph.objects(owner, SH.declare):
            prefix = graph.value(declaration, SH.prefix)
            namespace = graph.value(declaration, SH.namespace)
            if prefix is not None and namespace is not None:
                lines.append(f"PREFIX {prefix}: <{namespace}>")
    return "\n".join(sorted(set(lines)))


def _constraint_text(
    graph: rdflib.Graph, node: rdflib.term.Node, show: Callable[[str], str]
) -> str:
    """One member of sh:or / sh:and / sh:xone, e.g. ``datatype xsd:string``."""
    if isinstance(node, URIRef):
        return f"node {show(str(node))}"
    parts = []
    for predicate, value in sorted(graph.predicate_objects(node)):
        if str(predicate).startswith(str(SH)):
            shown = show(str(value)) if isinstance(value, URIRef) else str(value)
            parts.append(f"{str(predicate).rsplit('#', 1)[-1]} {shown}")
    return ", ".join(parts) or "?"


def _sparql(graph: rdflib.Graph, node: rdflib.term.Node) -> list[SparqlConstraint]:
    out = []
    for constraint in graph.objects(node, SH.sparql):
        select = graph.value(constraint, SH.select) or graph.value(constraint, SH.ask)
        if select is None:
            continue
        prefixes = _prefix_lines(graph, constraint)
        query = f"{prefixes}\n{str(select).strip()}" if prefixes else str(select).strip()
        out.append(
            SparqlConstraint(
                message=_message(graph, constraint) or _message(graph, node),
                select=query,
                severity=_severity(graph, constraint),
            )
        )
    return out


def build_shapes(
    graph: rdflib.Graph, base: str, show: Callable[[str], str] = str
) -> dict[str, Shape]:
    """Named shapes (IRIs under ``{base}shapes/``) by name."""
    namespace = f"{base}shapes/"
    candidates = {
        s
        for t in (SH.NodeShape, SH.PropertyShape)
        for s in graph.subjects(RDF.type, t)
        if isinstance(s, URIRef)
    }
    candidates |= {
        s
        for p in (SH.targetClass, SH.targetNode, SH.property, SH.sparql, SH.path)
        for s in graph.subjects(p, None)
        if isinstance(s, URIRef)
    }
    shapes: dict[str, Shape] = {}
    for node in sorted(candidates):
        iri = str(node)
        if not iri.startswith(namespace):
            continue
        name = iri[len(namespace) :]
        is_property = (node, SH.path, None) in graph
        shape = Shape(iri=iri, name=name, kind="PropertyShape" if is_property else "NodeShape")
        shape.label = str(graph.value(node, RDFS.label) or graph.value(node, SH.name) or "")
        shape.description = str(
            graph.value(node, RDFS.comment) or graph.value(node, SH.description) or ""
        )
        for predicate, kind in TARGET_PREDICATES:
            for value in graph.objects(node, predicate):
                shape.targets.append((kind, str(value)))
        if (node, RDF.type, RDFS.Class) in graph:
            shape.targets.append(("class", iri))
        if is_property:
            shape.properties.append(_property(graph, node, show))
        for prop in graph.objects(node, SH.property):
            shape.properties.append(_property(graph, prop, show))
            shape.sparql.extend(_sparql(graph, prop))
        shape.properties.sort(key=lambda p: p.path)
        shape.sparql.extend(_sparql(graph, node))
        shape.message = _message(graph, node)
        shape.severity = _severity(graph, node)
        shape.closed = str(graph.value(node, SH.closed) or "").lower() == "true"
        shape.deactivated = str(graph.value(node, SH.deactivated) or "").lower() == "true"
        shapes[name] = shape
    return shapes
