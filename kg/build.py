"""``kg build``: sources → RDF dataset → SHACL → OWL reasoner → atomic load.

Order matters: nothing touches the store until the whole dataset has compiled (quotes
verified against the stored texts), conformed to the shapes and passed the reasoner. The load
itself goes through :meth:`kg.store.EmbeddedStore.writer`, which publishes a new generation
only when everything has been written, so a failed or SIGKILLed build leaves the previous
store intact and servable. In remote-store mode the dataset is uploaded to staging graphs and
swapped in by one update request (``RemoteStore.write_dataset``).
"""

from __future__ import annotations

import datetime as dt
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox
import rdflib

from kg import __version__
from kg.errors import ReasonerUnavailable, ValidationFailed
from kg.rdfio import from_rdflib, from_rdflib_quad, to_rdflib
from kg.store import Store

DEFAULT_BASE = "https://w3id.org/sgkg/"


@dataclass
class BuildReport:
    quads: int = 0
    graphs: int = 0
    assertions: int = 0
    seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)
    reasoner: str = "not run"
    version: str = ""

    def summary(self) -> str:
        steps = ", ".join(f"{k} {v:.2f}s" for k, v in self.timings.items())
        return (
            f"built {self.quads} quads in {self.graphs} graphs "
            f"({self.assertions} assertions) in {self.seconds:.2f}s [{steps}]; "
            f"reasoner: {self.reasoner}; store version {self.version}"
        )


def curated_graph(iri: str, base_iri: str) -> bool:
    """Graphs the build owns (replaced on every build); imports under graph/import/ are kept.
    The nanopubs' graphs (``np/RA…/…``, issue 12) are the build's too."""
    if iri.startswith(f"{base_iri}np/"):
        return True
    return iri.startswith(f"{base_iri}graph/") and not iri.startswith(f"{base_iri}graph/import/")


def load_schema() -> tuple[rdflib.Graph, rdflib.Graph]:
    """The ontology (version stamped by the build, never by hand) and the shapes."""
    from kg.checks import ontology

    onto = ontology.load_ontology()
    ontology.stamp_version(onto, __version__, dt.date.today().isoformat())
    return onto, ontology.load_shapes()


def build(
    store: Store,
    *,
    strict: bool = False,
    reasoner: bool = True,
    base_iri: str = DEFAULT_BASE,
    dataset: rdflib.Dataset | None = None,
    log: Callable[[str], Any] | None = None,
) -> BuildReport:
    """Build the graph into ``store``. Raises a :class:`kg.errors.KGError` on any problem,
    leaving the store as it was. ``dataset`` replaces the curated sources (tests).

    Everything is compiled, validated and reasoned over with the canonical IRIs, which the
    ontology and shapes use; what is loaded is the same sources compiled under ``base_iri``,
    with the nanopubs signed under it (a signed nanopub cannot be rebased: its Trusty URI and
    signature cover its IRIs)."""
    from kg import sources
    from kg.checks import validate as validate_mod

    say = log or (lambda _msg: None)
    report = BuildReport()
    started = time.perf_counter()

    def step(name: str, t0: float) -> float:
        now = time.perf_counter()
        report.timings[name] = now - t0
        return now

    t = time.perf_counter()
    if dataset is None:
        # validated under the canonical base; loaded with the nanopubs signed under base_iri
        compiled = sources.compile_quads_under((DEFAULT_BASE, base_iri))
        curated, published = compiled[DEFAULT_BASE], compiled[base_iri]
        dataset = to_rdflib(curated)  # pySHACL and the reasoner work on rdflib graphs
    elif base_iri != DEFAULT_BASE:
        raise ValueError("build(dataset=…) takes the canonical base only (its nanopubs are signed)")
    else:
        curated = published = list(from_rdflib(dataset))
    onto, shapes = load_schema()
    t = step("compile", t)
    say(f"compiled {len(curated)} quads from the sources")

    result = validate_mod.validate(dataset, shapes=shapes, ontology=onto)
    t = step("shacl", t)
    if not result.conforms:
        raise ValidationFailed(
            f"SHACL validation failed: {len(result.violations)} violation(s)",
            report=validate_mod.format_violations(result),
        )
    say("SHACL: conforms")

    if reasoner:
        from kg.checks import reason

        try:
            outcome = reason.check(onto, _entity_typings(dataset))
        except ReasonerUnavailable as exc:
            if strict:
                raise
            report.reasoner = f"skipped ({exc})"
            say(f"warning: the OWL reasoner step is skipped: {exc}")
        else:
            if not outcome.consistent or outcome.unsatisfiable:
                raise ValidationFailed(
                    "OWL reasoner: the ontology and data are inconsistent"
                    if not outcome.consistent
                    else f"OWL reasoner: unsatisfiable classes: {', '.join(outcome.unsatisfiable)}",
                    report=outcome.explanation,
                )
            report.reasoner = f"consistent ({outcome.seconds:.2f}s)"
            say(f"OWL reasoner (HermiT): {report.reasoner}")
        t = step("reasoner", t)
    else:
        report.reasoner = "disabled"

    quads = published + sources.rebase_quads(_schema_quads(onto, shapes), base_iri)
    kind = f"{base_iri}ontology/kind"
    report.quads = len(quads)
    report.graphs = len({q.graph_name for q in quads})
    report.assertions = sum(
        1
        for q in quads
        if q.predicate.value == kind
        and isinstance(q.graph_name, ox.NamedNode)
        and q.graph_name.value.endswith("/provenance")
    )
    _load(store, quads, base_iri)
    t = step("load", t)
    report.version = store.version()
    from kg.indexes import facets, search  # noqa: PLC0415 (indexes of this version)

    search.ensure(store, base_iri)
    facets.ensure(store, base_iri)  # /browse's facets of the same version
    report.seconds = time.perf_counter() - started
    return report


def _entity_typings(dataset: rdflib.Dataset) -> rdflib.Graph:
    """The class assertions of the data (what disjointness axioms can contradict)."""
    graph = rdflib.Graph()
    for s, p, o, _g in dataset.quads((None, rdflib.RDF.type, None, None)):
        graph.add((s, p, o))
    return graph


def _schema_quads(onto: rdflib.Graph, shapes: rdflib.Graph) -> list[ox.Quad]:
    """The ontology and the shapes as quads of their named graphs (canonical IRIs)."""
    quads = []
    for graph, name in ((onto, "ontology"), (shapes, "shapes")):
        target = ox.NamedNode(f"{DEFAULT_BASE}graph/{name}")
        quads += [from_rdflib_quad(s, p, o, target) for s, p, o in graph]
    return quads


def _load(store: Store, quads: list[ox.Quad], base_iri: str) -> None:
    """One atomic write: the graphs the build produces replace theirs, and curated graphs
    the build no longer produces are dropped."""
    store.write_dataset(quads, owned=lambda g: curated_graph(g, base_iri))


def cli(args: Any, settings: dict[str, Any]) -> int:
    from kg.cli import EXIT_VIOLATIONS
    from kg.store import open_store

    store = open_store(settings["STORE"], settings)
    try:
        report = build(
            store,
            strict=args.strict,
            reasoner=not args.skip_reasoner,
            base_iri=settings["BASE_IRI"],
            log=lambda msg: print(msg, file=sys.stderr),
        )
    except ValidationFailed as exc:
        print(f"kg build: {exc}", file=sys.stderr)
        if exc.report:
            print(exc.report, file=sys.stderr)
        print("kg build: the store was not changed", file=sys.stderr)
        return EXIT_VIOLATIONS
    print(report.summary())
    return 0
