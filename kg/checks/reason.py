"""OWL 2 DL consistency check with HermiT (the reasoner that ships with owlready2).

Why a subprocess: owlready2 keeps a global quadstore and its ``sync_reasoner`` saves that whole
world to a temporary file and starts ``java`` without a timeout. We do what it does, minus the
global state: the merged graph (ontology, plus data individuals when given) is written as
N-Triples without ``owl:imports`` (every module is already merged, nothing is fetched) and
HermiT's command line runs on it in a fresh JVM with a timeout, so each call starts clean.

The data may include individuals: an entity typed with two disjoint classes, or given a type
that conflicts with a property's domain or range, makes the ontology inconsistent. Literals
whose datatype is outside the OWL 2 datatype map (``xsd:gYear``) are ignored by HermiT
(``--ignoreUnsupportedDatatypes``); the shapes check them instead. Measured: about 1.2 s for the
ontology alone, mostly JVM start-up.

When HermiT finds an inconsistency it does not say why; :func:`explain_clashes` adds a cheap
RDFS-level hint (types inferred from domains, ranges and subclass axioms that meet a
disjointness axiom).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import rdflib
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS
from rdflib.term import BNode, Literal, URIRef

from kg.errors import ReasonerUnavailable

_NOTHING_HEADER = "Classes equivalent to 'owl:Nothing':"


@dataclass
class ReasonerReport:
    """What HermiT said: consistent or not, the unsatisfiable classes (IRIs), how long it
    took, and a readable explanation (empty when all is well)."""

    consistent: bool
    unsatisfiable: list[str] = field(default_factory=list)
    seconds: float = 0.0
    explanation: str = ""

    @property
    def ok(self) -> bool:
        return self.consistent and not self.unsatisfiable


def java_executable() -> str | None:
    """``$JAVA_HOME/bin/java`` or ``java`` on the PATH."""
    home = os.environ.get("JAVA_HOME")
    if home and (Path(home) / "bin" / "java").exists():
        return str(Path(home) / "bin" / "java")
    return shutil.which("java")


def hermit_classpath() -> str:
    """The HermiT jar bundled with owlready2 (no separate download)."""
    try:
        from owlready2 import reasoning
    except ImportError as exc:  # pragma: no cover - owlready2 is a dependency
        raise ReasonerUnavailable(f"owlready2 is not installed: {exc}") from exc
    return reasoning._HERMIT_CLASSPATH


def _merge(ontology: rdflib.Graph, data: rdflib.Graph | None) -> rdflib.Graph:
    from kg.checks.ontology import bind_prefixes

    merged = bind_prefixes(rdflib.Graph())
    for graph in (ontology, data) if data is not None else (ontology,):
        for triple in graph:
            if triple[1] != OWL.imports:
                merged.add(triple)
    return merged


def check(
    ontology: rdflib.Graph, data: rdflib.Graph | None = None, *, timeout: float = 60
) -> ReasonerReport:
    """Run HermiT on the ontology (and data individuals) and report consistency and the
    unsatisfiable classes. Raises :class:`ReasonerUnavailable` without Java, or when HermiT
    fails for another reason than an inconsistency (the message carries its output)."""
    java = java_executable()
    if java is None:
        raise ReasonerUnavailable(
            "Java not found: the OWL reasoner step needs a JRE (Java 11 or later) on the PATH "
            "or in JAVA_HOME; install one (e.g. apt-get install default-jre-headless) or run "
            "`kg build --skip-reasoner`"
        )
    merged = _merge(ontology, data)
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="sgkg-reason-") as tmp:
        path = Path(tmp) / "merged.nt"
        merged.serialize(path, format="nt", encoding="utf-8")
        command = [
            java,
            "-Xmx1024M",
            "-cp",
            hermit_classpath(),
            "org.semanticweb.HermiT.cli.CommandLine",
            "-U",
            "--ignoreUnsupportedDatatypes",
            "-I",
            path.as_uri(),
        ]
        try:
            proc = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired as exc:
            raise ReasonerUnavailable(f"HermiT did not finish within {timeout:g} s") from exc
        except OSError as exc:
            raise ReasonerUnavailable(f"cannot start Java ({java}): {exc}") from exc
    seconds = time.monotonic() - started
    output = proc.stdout + proc.stderr
    if "InconsistentOntologyException" in output or "Inconsistent ontology" in output:
        hints = explain_clashes(merged)
        explanation = "HermiT: the ontology and data are inconsistent."
        if hints:
            explanation += "\nLikely causes:\n" + "\n".join(f"  - {h}" for h in hints)
        return ReasonerReport(False, [], seconds, explanation)
    if proc.returncode != 0:
        raise ReasonerUnavailable(
            f"HermiT failed (exit {proc.returncode})", detail=_tail(output, 40)
        )
    unsatisfiable = parse_unsatisfiable(proc.stdout)
    explanation = ""
    if unsatisfiable:
        explanation = "Unsatisfiable classes (equivalent to owl:Nothing):\n" + "\n".join(
            f"  - {iri}" for iri in unsatisfiable
        )
    return ReasonerReport(True, unsatisfiable, seconds, explanation)


def _tail(text: str, lines: int) -> str:
    return "\n".join(text.strip().splitlines()[-lines:])


def parse_unsatisfiable(stdout: str) -> list[str]:
    """The classes HermiT lists under "Classes equivalent to 'owl:Nothing'", as IRIs."""
    found: list[str] = []
    in_block = False
    for line in stdout.splitlines():
        if line.startswith(_NOTHING_HEADER):
            in_block = True
            continue
        if in_block:
            if not line.startswith("\t"):
                break
            name = line.strip()
            if name in ("owl:Nothing", f"<{OWL.Nothing}>"):
                continue
            found.append(name.strip("<>"))
    return sorted(found)


# --- explanation ---------------------------------------------------------------------------


def _disjoint_pairs(graph: rdflib.Graph) -> set[frozenset[URIRef]]:
    pairs: set[frozenset[URIRef]] = set()
    for a, b in graph.subject_objects(OWL.disjointWith):
        if isinstance(a, URIRef) and isinstance(b, URIRef):
            pairs.add(frozenset((a, b)))
    for node in graph.subjects(RDF.type, OWL.AllDisjointClasses):
        members = graph.value(node, OWL.members)
        if members is None:
            continue
        classes = [c for c in Collection(graph, members) if isinstance(c, URIRef)]
        for i, a in enumerate(classes):
            for b in classes[i + 1 :]:
                pairs.add(frozenset((a, b)))
    return pairs


def _named_classes(graph: rdflib.Graph, expression: rdflib.term.Node) -> list[URIRef]:
    if isinstance(expression, URIRef):
        return [expression]
    return []  # a union does not force any one of its members


def explain_clashes(graph: rdflib.Graph, limit: int = 10) -> list[str]:
    """Individuals whose asserted or RDFS-inferred types meet a disjointness axiom."""
    supers: dict[URIRef, set[URIRef]] = defaultdict(set)
    for sub, sup in graph.subject_objects(RDFS.subClassOf):
        if isinstance(sub, URIRef) and isinstance(sup, URIRef):
            supers[sub].add(sup)

    def closure(cls: URIRef) -> set[URIRef]:
        seen, todo = {cls}, [cls]
        while todo:
            for parent in supers.get(todo.pop(), ()):
                if parent not in seen:
                    seen.add(parent)
                    todo.append(parent)
        return seen

    reasons: dict[rdflib.term.Node, dict[URIRef, str]] = defaultdict(dict)
    for s, cls in graph.subject_objects(RDF.type):
        if isinstance(cls, URIRef) and not str(cls).startswith(str(OWL)):
            reasons[s].setdefault(cls, f"typed {_short(graph, cls)}")
    for prop, domain in graph.subject_objects(RDFS.domain):
        for cls in _named_classes(graph, domain):
            for s in graph.subjects(prop, None):
                reasons[s].setdefault(cls, f"subject of {_short(graph, prop)}")
    for prop, range_ in graph.subject_objects(RDFS.range):
        for cls in _named_classes(graph, range_):
            for o in graph.objects(None, prop):
                if not isinstance(o, Literal):
                    reasons[o].setdefault(cls, f"value of {_short(graph, prop)}")
    pairs = _disjoint_pairs(graph)
    hints: list[str] = []
    for node, direct in reasons.items():
        if isinstance(node, BNode):
            continue
        expanded: dict[URIRef, str] = {}
        for cls, why in direct.items():
            for sup in closure(cls):
                expanded.setdefault(
                    sup, f"{why}" + ("" if sup == cls else f" (⊑ {_short(graph, sup)})")
                )
        for pair in pairs:
            a, b = sorted(pair)
            if a in expanded and b in expanded:
                hints.append(
                    f"{_short(graph, node)} is both {_short(graph, a)} ({expanded[a]}) and "
                    f"{_short(graph, b)} ({expanded[b]}), which are disjoint"
                )
                break
        if len(hints) >= limit:
            break
    return sorted(hints)


def _short(graph: rdflib.Graph, node: rdflib.term.Node) -> str:
    if isinstance(node, URIRef):
        try:
            return graph.namespace_manager.normalizeUri(node)
        except Exception:
            return f"<{node}>"
    return str(node)


def _main() -> int:  # pragma: no cover - manual use: python -m kg.checks.reason [DATA.ttl]
    import sys

    from kg.checks.ontology import load_ontology

    data = None
    if len(sys.argv) > 1:
        data = rdflib.Graph()
        for name in sys.argv[1:]:
            data.parse(name)
    report = check(load_ontology(), data)
    print(
        f"consistent={report.consistent} unsatisfiable={len(report.unsatisfiable)} "
        f"seconds={report.seconds:.2f}"
    )
    if report.explanation:
        print(report.explanation)
    return 0 if report.ok else 1


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(_main())
