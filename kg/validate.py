"""SHACL validation of the graph against ``shapes/``, returning data (STYLE 8).

:func:`validate` merges the named graphs of a dataset into one graph first: SHACL has no
dataset semantics, and an assertion's kind (provenance graph) must be checked together with
the entities it names (entities graph). The ontology is added to that merged copy of the data
(as pySHACL's ``ont_graph`` would, only much faster) so that ``sh:class`` and ``sh:targetClass`` follow
``rdfs:subClassOf`` and the lint shapes see the ontology, with inference ``none`` (the class
hierarchy is all the shapes need, and RDFS inference would triple the work).

``kg validate [FILE…] [--format text|turtle]`` exit codes:

* 0 — the data conforms (warnings may be printed);
* 1 — there are violations (printed: focus node, path, value, message, shape);
* 2 — an error: a file does not parse (``file:line:col``), cannot be read, bad arguments.
"""

from __future__ import annotations

import argparse
import functools
import sys
from dataclasses import dataclass, field
from typing import Any

import pyshacl
import rdflib
from rdflib.namespace import RDF
from rdflib.term import BNode, Literal, Node, URIRef

from kg.ontology import bind_prefixes, load_ontology, load_shapes

SH = rdflib.Namespace("http://www.w3.org/ns/shacl#")
EXIT_OK, EXIT_VIOLATIONS, EXIT_ERROR = 0, 1, 2


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
    bind_prefixes(report_graph)
    context = _Context(graph, ont_graph, shapes_graph)
    violations = _violations(report_graph, context)
    result = ValidationResult(bool(conforms), report_graph, "", violations)
    result.text = format_violations(result)
    return result


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

    def _bnode(self, node: BNode) -> str:
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
