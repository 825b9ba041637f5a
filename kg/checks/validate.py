"""SHACL validation of the graph against ``shapes/``, returning data (STYLE 8).

:func:`validate` merges the named graphs of a dataset into one graph first: SHACL has no
dataset semantics, and an assertion's kind (provenance graph) must be checked together with
the entities it names (entities graph). The ontology is added to that merged copy of the data
(as pySHACL's ``ont_graph`` would, only much faster) so that ``sh:class`` and
``sh:targetClass`` follow ``rdfs:subClassOf`` and the lint shapes see the ontology, with
inference ``none`` (the class hierarchy is all the shapes need; RDFS inference costs more).
Measured on the article (3,200 quads + 1,400 ontology triples): about 0.8 s.

``kg validate [FILE…] [--format text|turtle]`` exit codes:

* 0 — the data conforms (warnings may be printed);
* 1 — there are violations (printed: focus node, path, value, message, shape);
* 2 — an error: a file does not parse (``file:line:col``), cannot be read, bad arguments.
"""

from __future__ import annotations

import argparse
import functools
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pyshacl
import rdflib
from rdflib.namespace import OWL, RDF
from rdflib.term import BNode, Literal, Node, URIRef

from kg.checks.ontology import (
    NAMESPACE,
    ONTOLOGY_IRI,
    SHAPES_NAMESPACE,
    bind_prefixes,
    load_ontology,
    load_shapes,
)
from kg.errors import ValidationFailed

SH = rdflib.Namespace("http://www.w3.org/ns/shacl#")
EXIT_OK, EXIT_VIOLATIONS, EXIT_ERROR = 0, 1, 2


class ShapesError(ValidationFailed):
    """The shapes graph itself is not valid SHACL (a bug in shapes/, or in posted shapes)."""

    status = 500


@dataclass(frozen=True)
class Violation:
    """One validation result, as short readable strings (IRIs in prefixed or ``<…>`` form)."""

    focus: str
    path: str
    value: str
    message: str
    shape: str
    severity: str  # "Violation", "Warning" or "Info"


@dataclass
class ValidationResult:
    conforms: bool
    report_graph: rdflib.Graph
    text: str
    violations: list[Violation] = field(default_factory=list)

    @property
    def errors(self) -> list[Violation]:
        """The results of severity Violation (warnings excluded)."""
        return [v for v in self.violations if v.severity == "Violation"]


@functools.lru_cache(maxsize=1)
def _default_shapes() -> rdflib.Graph:
    return load_shapes()


@functools.lru_cache(maxsize=1)
def _default_ontology() -> rdflib.Graph:
    return load_ontology()


def merge(*sources: rdflib.Graph | rdflib.Dataset) -> rdflib.Graph:
    """A new plain Graph holding the union of all graphs of the given datasets and graphs."""
    merged = bind_prefixes(rdflib.Graph())
    for data in sources:
        if isinstance(data, rdflib.Dataset | rdflib.ConjunctiveGraph):
            for s, p, o, _g in data.quads((None, None, None, None)):
                merged.add((s, p, o))
        else:
            for triple in data:
                merged.add(triple)
    return merged


def validate(
    data: rdflib.Graph | rdflib.Dataset,
    *,
    shapes: rdflib.Graph | None = None,
    ontology: rdflib.Graph | None = None,
) -> ValidationResult:
    """Validate ``data`` (a dataset is merged first) against the shapes (default: all of
    ``shapes/``) with the ontology (default: ``ontology/``) for the class hierarchy.
    Warnings do not break conformance."""
    shapes_graph = shapes if shapes is not None else _default_shapes()
    ont_graph = ontology if ontology is not None else _default_ontology()
    shapes_graph, native = _split_native(shapes_graph)
    # The ontology is added here rather than passed as pySHACL's ont_graph: its "inoculate"
    # step clones blank-node structures recursively and takes minutes on the owl:unionOf and
    # owl:AllDisjointClasses lists; a plain union is the same data graph in milliseconds.
    graph = merge(data, ont_graph)
    conforms, report_graph, _text = pyshacl.validate(
        graph,
        shacl_graph=shapes_graph,
        inference="none",
        abort_on_first=False,
        allow_infos=True,
        allow_warnings=True,
        meta_shacl=False,
        advanced=True,  # SPARQL targets (the ontology lint shapes)
        js=False,
        debug=False,
    )
    if not isinstance(report_graph, rdflib.Graph):  # pySHACL's ValidationFailure
        raise ShapesError(f"the shapes cannot be used: {report_graph}")
    bind_prefixes(report_graph)
    for shape, check in native:
        if check(graph, shapes_graph, report_graph, shape):
            conforms = False
            report_graph.set((_report_node(report_graph), SH.conforms, Literal(False)))
    context = _Context(graph, ont_graph, shapes_graph)
    violations = _violations(report_graph, context)
    result = ValidationResult(bool(conforms), report_graph, "", violations)
    result.text = format_violations(result)
    return result


def validate_bytes(
    data: bytes,
    media_type: str,
    *,
    source: str = "<input>",
    base_iri: str | None = None,
    shapes_nt: bytes | None = None,
    ontology_nt: bytes | None = None,
) -> ValidationResult:
    """Parse untrusted RDF (:func:`kg.rdfio.parse_bytes`: no DTD, bounded nesting) and
    validate it; shapes and ontology given as N-Triples (empty or None: the defaults).
    This is the job the web app runs in its sandbox (kg.checks.sandbox), never in its own
    process."""
    import pyoxigraph as ox  # noqa: PLC0415

    from kg.errors import ParseError  # noqa: PLC0415
    from kg.rdfio import parse_bytes, to_rdflib  # noqa: PLC0415

    fmt = ox.RdfFormat.from_media_type(media_type)
    if fmt is None:
        raise ParseError(f"unknown RDF media type {media_type!r}", source=source)
    dataset = to_rdflib(parse_bytes(data, fmt, source=source, base_iri=base_iri))

    return validate(dataset, shapes=schema_graph(shapes_nt), ontology=schema_graph(ontology_nt))


#: parsed shapes/ontology graphs by the SHA-256 of their N-Triples (a few entries)
_SCHEMAS: dict[str, rdflib.Graph] = {}


def schema_graph(nt: bytes | None) -> rdflib.Graph | None:
    """Shapes or ontology N-Triples as an rdflib Graph, parsed once per content (0.15 s for
    the ontology): the sandbox service warms this before it forks a validation."""
    if not nt:
        return None
    import hashlib  # noqa: PLC0415

    import pyoxigraph as ox  # noqa: PLC0415

    from kg.rdfio import to_rdflib_term  # noqa: PLC0415

    key = hashlib.sha256(nt).hexdigest()
    graph = _SCHEMAS.get(key)
    if graph is None:
        graph = rdflib.Graph()
        for q in ox.parse(nt, format=ox.RdfFormat.N_TRIPLES):
            graph.add(
                (to_rdflib_term(q.subject), to_rdflib_term(q.predicate), to_rdflib_term(q.object))
            )
        if len(_SCHEMAS) >= 4:
            _SCHEMAS.clear()
        _SCHEMAS[key] = graph
    return graph


def warm_schemas(shapes_nt: bytes | None, ontology_nt: bytes | None) -> None:
    """Parse the schema in the sandbox service, so that every forked validation has it."""
    schema_graph(shapes_nt)
    schema_graph(ontology_nt)


def validate_bytes_job(
    data: bytes,
    media_type: str,
    source: str,
    base_iri: str | None,
    shapes_nt: bytes | None,
    ontology_nt: bytes | None,
) -> ValidationResult:
    """:func:`validate_bytes` with positional arguments (a :mod:`kg.checks.sandbox` job)."""
    return validate_bytes(
        data,
        media_type,
        source=source,
        base_iri=base_iri,
        shapes_nt=shapes_nt,
        ontology_nt=ontology_nt,
    )


# --- shapes run natively ---------------------------------------------------------------------
# rdflib's SPARQL needs seconds to scan every triple of the graph, which the "declared sg:
# terms" constraints must do; in Python it takes milliseconds. The shapes in shapes/terms.ttl
# stay the specification (and run as SPARQL in any other SHACL engine, and in the tests, which
# check both agree); here their target is removed before pySHACL sees them and the same
# results are produced by :func:`_undeclared_terms`.

DECLARED_TERMS_SHAPE = URIRef(SHAPES_NAMESPACE + "DeclaredTermsShape")
UNDECLARED_PROPERTY = URIRef(SHAPES_NAMESPACE + "UndeclaredProperty")
UNDECLARED_CLASS = URIRef(SHAPES_NAMESPACE + "UndeclaredClass")
_PROPERTY_KINDS = (OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)

NativeCheck = Callable[[rdflib.Graph, rdflib.Graph, rdflib.Graph, URIRef], bool]


def _split_native(shapes: rdflib.Graph) -> tuple[rdflib.Graph, list[tuple[URIRef, NativeCheck]]]:
    targets = list(shapes.objects(DECLARED_TERMS_SHAPE, SH.targetNode))
    if not targets:
        return shapes, []
    copy = rdflib.Graph()
    for triple in shapes:
        copy.add(triple)
    copy.remove((DECLARED_TERMS_SHAPE, SH.targetNode, None))
    for prefix, namespace in shapes.namespaces():
        copy.bind(prefix, namespace)
    return copy, [(DECLARED_TERMS_SHAPE, _undeclared_terms)]


def _report_node(report: rdflib.Graph) -> Node:
    node = next(iter(report.subjects(RDF.type, SH.ValidationReport)), None)
    return node if node is not None else BNode()


def _undeclared_terms(
    graph: rdflib.Graph, shapes: rdflib.Graph, report: rdflib.Graph, shape: URIRef
) -> bool:
    """sgsh:UndeclaredProperty and sgsh:UndeclaredClass, as pySHACL would report them."""
    focus = URIRef(ONTOLOGY_IRI)
    found = False
    ours = {p for p in graph.predicates() if isinstance(p, URIRef) and p.startswith(NAMESPACE)}
    for prop in sorted(ours):
        if any((prop, RDF.type, kind) in graph for kind in _PROPERTY_KINDS):
            continue
        for subject in sorted(set(graph.subjects(prop, None)), key=str):
            bindings = {"path": prop, "value": subject}
            _add_result(report, shapes, shape, UNDECLARED_PROPERTY, focus, prop, subject, bindings)
            found = True
    classes = {o for o in graph.objects(None, RDF.type) if str(o).startswith(NAMESPACE)}
    for cls in sorted(classes, key=str):
        if (cls, RDF.type, OWL.Class) in graph:
            continue
        for subject in sorted(set(graph.subjects(RDF.type, cls)), key=str):
            bindings = {"path": RDF.type, "value": cls, "s": subject}
            _add_result(report, shapes, shape, UNDECLARED_CLASS, focus, RDF.type, cls, bindings)
            found = True
    return found


def _add_result(
    report: rdflib.Graph,
    shapes: rdflib.Graph,
    shape: URIRef,
    constraint: URIRef,
    focus: Node,
    path: Node,
    value: Node,
    bindings: dict[str, Node],
) -> None:
    template = str(shapes.value(constraint, SH.message) or "")
    for name, term in bindings.items():
        template = template.replace("{?" + name + "}", str(term))
    result = BNode()
    report.add((_report_node(report), SH.result, result))
    report.add((result, RDF.type, SH.ValidationResult))
    report.add((result, SH.focusNode, focus))
    report.add((result, SH.resultPath, path))
    report.add((result, SH.value, value))
    report.add((result, SH.resultMessage, Literal(template)))
    report.add((result, SH.resultSeverity, SH.Violation))
    report.add((result, SH.sourceShape, shape))
    report.add((result, SH.sourceConstraint, constraint))
    report.add((result, SH.sourceConstraintComponent, SH.SPARQLConstraintComponent))


# --- reading the report --------------------------------------------------------------------


class _Context:
    """Graphs used to render terms: blank nodes are described by how an IRI reaches them."""

    def __init__(self, data: rdflib.Graph, ontology: rdflib.Graph, shapes: rdflib.Graph) -> None:
        self.data = data
        self.ontology = ontology
        self.shapes = shapes
        self.names = bind_prefixes(rdflib.Graph()).namespace_manager

    def short(self, node: Node | None) -> str:
        if node is None:
            return "-"
        if isinstance(node, URIRef):
            try:
                prefixed = self.names.normalizeUri(node)
            except Exception:
                return f"<{node}>"
            return prefixed if not prefixed.startswith("<") else f"<{node}>"
        if isinstance(node, Literal):
            return _literal(node, self)
        return self._bnode(node)

    def _bnode(self, node: Node) -> str:
        """A blank node (or any other non-IRI, non-literal term) by its types and the path
        from an IRI that reaches it."""
        types = sorted(self.short(t) for t in self.data.objects(node, RDF.type))
        desc = f"[ a {', '.join(types)} ]" if types else "[]"
        steps: list[str] = []
        current: Node = node
        for _ in range(4):
            incoming = next(iter(self.data.subject_predicates(current)), None)
            if incoming is None:
                break
            subject, predicate = incoming
            steps.append(self.short(predicate))
            if not isinstance(subject, BNode):
                return f"{self.short(subject)} {' / '.join(reversed(steps))} {desc}"
            current = subject
        return desc

    def shape(self, node: Node | None) -> str:
        """A shape by name; a blank property shape as ``parent / path``."""
        if node is None:
            return "-"
        if isinstance(node, BNode):
            parent = next(iter(self.shapes.subjects(SH.property, node)), None)
            path = self.shapes.value(node, SH.path)
            if parent is not None:
                return f"{self.short(parent)} / {self.short(path)}"
            return f"[ sh:path {self.short(path)} ]" if path is not None else "[]"
        return self.short(node)

    def path(self, node: Node | None) -> str:
        if node is None:
            return "-"
        if isinstance(node, BNode):  # a complex SHACL path
            inverse = self.shapes.value(node, SH.inversePath) or self.data.value(
                node, SH.inversePath
            )
            if inverse is not None:
                return f"^{self.short(inverse)}"
            items = list(rdflib.collection.Collection(self.shapes, node))
            if items:
                return " / ".join(self.short(i) for i in items)
        return self.short(node)


def _literal(node: Literal, context: _Context) -> str:
    text = str(node)
    if len(text) > 60:
        text = text[:57] + "…"
    text = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    if node.language:
        return f'"{text}"@{node.language}'
    if node.datatype is not None and str(node.datatype) != str(rdflib.XSD.string):
        return f'"{text}"^^{context.short(node.datatype)}'
    return f'"{text}"'


def _violations(report: rdflib.Graph, context: _Context) -> list[Violation]:
    found: list[Violation] = []
    for result in report.subjects(RDF.type, SH.ValidationResult):
        messages = sorted(str(m) for m in report.objects(result, SH.resultMessage))
        severity = report.value(result, SH.resultSeverity)
        found.append(
            Violation(
                focus=context.short(report.value(result, SH.focusNode)),
                path=context.path(report.value(result, SH.resultPath)),
                value=context.short(report.value(result, SH.value)),
                message=" ".join(messages) or "(no message)",
                shape=context.shape(report.value(result, SH.sourceShape)),
                severity=str(severity).rsplit("#", 1)[-1] if severity else "Violation",
            )
        )
    order = {"Violation": 0, "Warning": 1, "Info": 2}
    found.sort(key=lambda v: (order.get(v.severity, 3), v.focus, v.path, v.shape, v.value))
    return found


def format_violations(result: ValidationResult) -> str:
    """A readable report: per result its focus node, path, value, message and shape."""
    if not result.violations:
        return "Conforms: no violations."
    errors = len(result.errors)
    others = len(result.violations) - errors
    head = "Conforms" if result.conforms else "Does not conform"
    lines = [f"{head}: {errors} violation(s), {others} warning(s)/info(s)."]
    for number, v in enumerate(result.violations, 1):
        lines.append(f"{number}. [{v.severity}] {v.focus}")
        lines.append(f"   path:    {v.path}")
        if v.value != "-":
            lines.append(f"   value:   {v.value}")
        lines.append(f"   message: {v.message}")
        lines.append(f"   shape:   {v.shape}")
    return "\n".join(lines)


# --- command line --------------------------------------------------------------------------


def cli(args: argparse.Namespace, settings: dict[str, Any]) -> int:
    """``kg validate [FILE…] [--format text|turtle]``: exit 0 conforms, 1 violations,
    2 error (a ParseError propagates to kg.cli, which prints ``file:line:col`` and exits 2)."""
    files = list(getattr(args, "files", None) or [])
    if files:
        from kg.rdfio import read_dataset

        data: rdflib.Graph | rdflib.Dataset = read_dataset(files)
    else:
        from kg.sources import compile_dataset

        base = settings.get("BASE_IRI")
        data = compile_dataset(base) if base else compile_dataset()
    result = validate(data)
    if getattr(args, "format", "text") == "turtle":
        sys.stdout.write(result.report_graph.serialize(format="turtle"))
    else:
        print(result.text)
    return EXIT_OK if result.conforms else EXIT_VIOLATIONS
