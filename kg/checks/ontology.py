"""The ontology and the shapes as rdflib graphs, read from ``ontology/`` and ``shapes/``.

The ontology is one module per Turtle file plus the umbrella ``sgkg.ttl`` that imports them.
Imports are never fetched: every module lives in ``ontology/`` and :func:`load_ontology`
merges them all, so the umbrella's ``owl:imports`` resolve locally (a test checks that each
imported IRI is declared by one of the files). The version stamp (``owl:versionIRI``,
``owl:versionInfo``, ``dcterms:modified``) is set by the build with :func:`stamp_version`,
never edited by hand (STYLE 12), and set exactly once, which the lint shapes check.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import rdflib
from rdflib.namespace import DCTERMS, OWL, XSD
from rdflib.term import Literal, URIRef

from kg import paths
from kg.rdfio import iter_quads, to_rdflib

ONTOLOGY_IRI = "https://w3id.org/sgkg/ontology"
NAMESPACE = ONTOLOGY_IRI + "/"
SHAPES_NAMESPACE = "https://w3id.org/sgkg/shapes/"
MODULE_NAMESPACE = NAMESPACE + "module/"
LINT_SHAPES_FILE = "ontology-lint.ttl"
PREFIXES_FILE = "prefixes.ttl"  # the sh:declare prefixes the SPARQL-based shapes use

PREFIXES: dict[str, str] = {
    "sg": NAMESPACE,
    "sgsh": SHAPES_NAMESPACE,
    "sgm": MODULE_NAMESPACE,
    "prov": "http://www.w3.org/ns/prov#",
    "org": "http://www.w3.org/ns/org#",
    "oa": "http://www.w3.org/ns/oa#",
    "np": "http://www.nanopub.org/nschema#",
    "schema": "https://schema.org/",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "time": "http://www.w3.org/2006/time#",
    "dcterms": str(DCTERMS),
    "owl": str(OWL),
    "xsd": str(XSD),
    "sh": "http://www.w3.org/ns/shacl#",
    "wd": "http://www.wikidata.org/entity/",
    "wdt": "http://www.wikidata.org/prop/direct/",
}


def bind_prefixes(graph: rdflib.Graph) -> rdflib.Graph:
    """Bind the project's prefixes so that serialisations and short forms read well."""
    for prefix, iri in PREFIXES.items():
        graph.bind(prefix, iri, override=True, replace=True)
    return graph


def _read(files: list[Path]) -> rdflib.Graph:
    # pyoxigraph parses (file:line:col errors, nothing fetched); rdflib holds the result.
    ds = rdflib.Dataset()
    for path in files:
        to_rdflib(iter_quads(path, base_iri=NAMESPACE), ds)
    graph = rdflib.Graph()
    for s, p, o, _ in ds.quads((None, None, None, None)):
        graph.add((s, p, o))
    return bind_prefixes(graph)


def load_ontology() -> rdflib.Graph:
    """All ontology modules merged into one graph (the content of ``graph/ontology``)."""
    return _read(paths.ontology_files())


def load_shapes(*, lint: bool = True) -> rdflib.Graph:
    """All SHACL shapes merged; ``lint=False`` leaves out the shapes that lint the ontology."""
    files = [f for f in paths.shapes_files() if lint or f.name != LINT_SHAPES_FILE]
    return _read(files)


def load_lint_shapes() -> rdflib.Graph:
    """Only the shapes that check the ontology itself (labels, definitions, version)."""
    return _read([paths.shapes_dir() / LINT_SHAPES_FILE, paths.shapes_dir() / PREFIXES_FILE])


def version(graph: rdflib.Graph | None = None) -> str:
    """The ``owl:versionInfo`` of the ontology (read from ``ontology/`` unless given)."""
    graph = graph if graph is not None else load_ontology()
    value = graph.value(URIRef(ONTOLOGY_IRI), OWL.versionInfo)
    return str(value) if value is not None else "0.0.0"


def stamp_version(
    graph: rdflib.Graph,
    version: str,
    modified: str | dt.date | dt.datetime | None = None,
) -> rdflib.Graph:
    """Set ``owl:versionIRI`` ``{ontology}/{version}``, ``owl:versionInfo`` and
    ``dcterms:modified`` (an ISO date or date-time, default today) on the ontology, replacing
    any earlier value, so that each appears exactly once (DCAT 3 shipped twelve
    ``dcterms:modified`` values: the mistake to avoid). Returns the graph, changed in place."""
    onto = URIRef(ONTOLOGY_IRI)
    if modified is None:
        modified = dt.date.today()
    text = modified if isinstance(modified, str) else modified.isoformat()
    datatype = XSD.date if len(text) == 10 else XSD.dateTime
    graph.set((onto, OWL.versionIRI, URIRef(f"{NAMESPACE}{version}")))
    graph.set((onto, OWL.versionInfo, Literal(version)))
    graph.set((onto, DCTERMS.modified, Literal(text, datatype=datatype)))
    return graph


def terms(graph: rdflib.Graph | None = None) -> dict[str, str]:
    """Local names of the ``sg:`` terms the ontology declares → their declaration kind
    (``Class``, ``ObjectProperty``, ``DatatypeProperty``, ``AnnotationProperty``,
    ``NamedIndividual``, ``ConceptScheme``)."""
    graph = graph if graph is not None else load_ontology()
    kinds = {
        OWL.Class: "Class",
        OWL.ObjectProperty: "ObjectProperty",
        OWL.DatatypeProperty: "DatatypeProperty",
        OWL.AnnotationProperty: "AnnotationProperty",
        OWL.NamedIndividual: "NamedIndividual",
        URIRef(PREFIXES["skos"] + "ConceptScheme"): "ConceptScheme",
    }
    found: dict[str, str] = {}
    for rdf_type, kind in kinds.items():
        for subject in graph.subjects(rdflib.RDF.type, rdf_type):
            if not isinstance(subject, URIRef) or not str(subject).startswith(NAMESPACE):
                continue
            name = str(subject)[len(NAMESPACE) :]
            if name.isidentifier() and name not in found:
                found[name] = kind
    return dict(sorted(found.items()))
