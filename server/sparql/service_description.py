"""The SPARQL 1.1 Service Description answered by ``GET /sparql`` without a query.

``sd:endpoint`` is the URL the request came to (the W3C test and federation clients such
as Comunica compare them); the result formats are the W3C ``formats:`` IRIs of what the
endpoint really negotiates; the default dataset lists every named graph, and says that the
default graph is their union (``sd:UnionDefaultGraph``). ``rdfs:seeAlso`` points at /void.
"""

from __future__ import annotations

import pyoxigraph as ox

from server import negotiation

SD = "http://www.w3.org/ns/sparql-service-description#"
FORMATS = "http://www.w3.org/ns/formats/"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
RDFS_SEE_ALSO = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#seeAlso")
VOID = "http://rdfs.org/ns/void#"
PREFIXES = {
    "sd": SD,
    "formats": FORMATS,
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "void": VOID,
}

#: W3C format IRIs (https://www.w3.org/ns/formats/) of what negotiation offers
FORMAT_IRIS = {
    "json": "SPARQL_Results_JSON",
    "xml": "SPARQL_Results_XML",
    "csv": "SPARQL_Results_CSV",
    "tsv": "SPARQL_Results_TSV",
    "turtle": "Turtle",
    "ntriples": "N-Triples",
    "rdfxml": "RDF_XML",
    "jsonld": "JSON-LD",
    "trig": "TriG",
    "nquads": "N-Quads",
}


def _sd(name: str) -> ox.NamedNode:
    return ox.NamedNode(SD + name)


def description(endpoint: str, void_url: str, named_graphs: list[str]) -> list[ox.Triple]:
    """The description as triples (the caller negotiates the format)."""
    service = ox.BlankNode("service")
    dataset = ox.BlankNode("dataset")
    default = ox.BlankNode("defaultGraph")
    triples = [
        ox.Triple(service, RDF_TYPE, _sd("Service")),
        ox.Triple(service, _sd("endpoint"), ox.NamedNode(endpoint)),
        ox.Triple(service, _sd("supportedLanguage"), _sd("SPARQL11Query")),
        ox.Triple(service, _sd("feature"), _sd("UnionDefaultGraph")),
        ox.Triple(service, _sd("feature"), _sd("BasicFederatedQuery")),
        ox.Triple(service, _sd("defaultDataset"), dataset),
        ox.Triple(service, RDFS_SEE_ALSO, ox.NamedNode(void_url)),
        ox.Triple(dataset, RDF_TYPE, _sd("Dataset")),
        ox.Triple(dataset, RDFS_SEE_ALSO, ox.NamedNode(void_url)),
        ox.Triple(dataset, _sd("defaultGraph"), default),
        ox.Triple(default, RDF_TYPE, _sd("Graph")),
    ]
    for fmt in (*negotiation.RESULT_FORMATS, *negotiation.GRAPH_FORMATS):
        iri = FORMAT_IRIS.get(fmt.name)
        if iri:
            triples.append(ox.Triple(service, _sd("resultFormat"), ox.NamedNode(FORMATS + iri)))
    for index, graph in enumerate(named_graphs):
        node = ox.BlankNode(f"ng{index}")
        triples += [
            ox.Triple(dataset, _sd("namedGraph"), node),
            ox.Triple(node, RDF_TYPE, _sd("NamedGraph")),
            ox.Triple(node, _sd("name"), ox.NamedNode(graph)),
        ]
    return triples
