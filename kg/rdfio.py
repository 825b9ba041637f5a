"""Reading RDF safely and with exact error positions.

Parsing is done by pyoxigraph: it reports ``file:line:column``, never fetches anything
(remote JSON-LD contexts are refused; RDF/XML has no external entities), and is fast.
Curated files are small and become rdflib datasets for SHACL and the reasoner.
"""

from __future__ import annotations

import gzip
import io
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO

import pyoxigraph as ox
import rdflib
from rdflib.term import BNode, Literal, URIRef

from kg.errors import ParseError

_SUFFIXES: dict[str, ox.RdfFormat] = {
    "nt": ox.RdfFormat.N_TRIPLES,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "nq": ox.RdfFormat.N_QUADS,
    "nquads": ox.RdfFormat.N_QUADS,
    "ttl": ox.RdfFormat.TURTLE,
    "turtle": ox.RdfFormat.TURTLE,
    "trig": ox.RdfFormat.TRIG,
    "rdf": ox.RdfFormat.RDF_XML,
    "owl": ox.RdfFormat.RDF_XML,
    "xml": ox.RdfFormat.RDF_XML,
    "jsonld": ox.RdfFormat.JSON_LD,
    "json": ox.RdfFormat.JSON_LD,
    "n3": ox.RdfFormat.N3,
}


def guess_format(path: str | Path, declared: str | None = None) -> ox.RdfFormat:
    """The RDF format of a file by its suffix (``.gz`` looked through) or a declared name
    or media type. Raises :class:`ParseError` when unknown."""
    if declared:
        fmt = ox.RdfFormat.from_media_type(declared) or _SUFFIXES.get(declared.lower())
        if fmt is None:
            raise ParseError(f"unknown RDF format {declared!r}", source=str(path))
        return fmt
    name = Path(path).name.lower().removesuffix(".gz")
    suffix = name.rsplit(".", 1)[-1] if "." in name else ""
    fmt = _SUFFIXES.get(suffix)
    if fmt is None:
        raise ParseError(
            f"cannot tell the RDF format from the suffix {suffix!r} "
            f"(known: {', '.join(sorted(_SUFFIXES))})",
            source=str(path),
        )
    return fmt


def open_input(path: str | Path) -> IO[bytes]:
    """A binary stream of the file, gunzipped when it ends in ``.gz``."""
    path = Path(path)
    if path.suffix == ".gz":
        return gzip.open(path, "rb")
    return open(path, "rb")


def parse_error(exc: SyntaxError, source: str) -> ParseError:
    """pyoxigraph's SyntaxError → ParseError with file:line:column (kg.store.positions)."""
    from kg.store.positions import rdf_error  # noqa: PLC0415

    return rdf_error(exc, source)


def iter_quads(
    path: str | Path,
    *,
    format: ox.RdfFormat | None = None,
    base_iri: str | None = None,
    to_graph: str | None = None,
) -> Iterator[ox.Quad]:
    """Parse a file into pyoxigraph quads, raising :class:`ParseError` with its position."""
    fmt = format or guess_format(path)
    graph = ox.NamedNode(to_graph) if to_graph else None
    with open_input(path) as stream:
        try:
            for quad in ox.parse(
                stream,
                format=fmt,
                base_iri=base_iri or Path(path).resolve().as_uri(),
                rename_blank_nodes=True,
            ):
                if graph is not None and isinstance(quad.graph_name, ox.DefaultGraph):
                    quad = ox.Quad(quad.subject, quad.predicate, quad.object, graph)
                yield quad
        except SyntaxError as exc:
            raise parse_error(exc, str(path)) from exc
        except (OSError, EOFError, gzip.BadGzipFile) as exc:
            raise ParseError(f"cannot read: {exc}", source=str(path)) from exc


def parse_bytes(
    data: bytes,
    fmt: ox.RdfFormat,
    *,
    source: str = "<input>",
    base_iri: str | None = None,
    rename_blank_nodes: bool = True,
) -> list[ox.Quad]:
    """Parse untrusted bytes (nothing is fetched) into quads, with positions in errors.

    Blank nodes are renamed so that two uploads of ``_:b`` stay two nodes."""
    try:
        return list(
            ox.parse(
                io.BytesIO(data),
                format=fmt,
                base_iri=base_iri,
                rename_blank_nodes=rename_blank_nodes,
            )
        )
    except SyntaxError as exc:
        raise parse_error(exc, source) from exc


def to_rdflib_term(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.DefaultGraph):
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        return Literal(term.value, datatype=URIRef(term.datatype.value))
    return None  # default graph


def to_rdflib(quads: Iterable[ox.Quad], dataset: rdflib.Dataset | None = None) -> rdflib.Dataset:
    """Add pyoxigraph quads to an rdflib Dataset (default graph quads go to its default)."""
    ds = dataset if dataset is not None else rdflib.Dataset()
    for q in quads:
        g = to_rdflib_term(q.graph_name)
        ctx = ds.graph(g) if g is not None else ds.default_graph
        ctx.add((to_rdflib_term(q.subject), to_rdflib_term(q.predicate), to_rdflib_term(q.object)))
    return ds


def from_rdflib_term(term):  # type: ignore[no-untyped-def]
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is not None:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise TypeError(f"not an RDF term: {term!r}")


def from_rdflib(dataset: rdflib.Dataset) -> Iterator[ox.Quad]:
    """rdflib Dataset → pyoxigraph quads (rdflib's default graph → the store default graph)."""
    for s, p, o, g in dataset.quads((None, None, None, None)):
        graph = (
            ox.DefaultGraph()
            if g is None or g == rdflib.graph.DATASET_DEFAULT_GRAPH_ID
            else from_rdflib_term(g if isinstance(g, URIRef | BNode) else g.identifier)
        )
        yield ox.Quad(from_rdflib_term(s), from_rdflib_term(p), from_rdflib_term(o), graph)


def read_dataset(paths: Iterable[str | Path]) -> rdflib.Dataset:
    """Parse files (any supported format, gz too) into one rdflib Dataset.

    Triples of triple-only formats go to a graph named after the file (``file://`` IRI)
    unless the caller merges them; errors carry ``file:line:column``.
    """
    ds = rdflib.Dataset()
    for path in paths:
        fmt = guess_format(path)
        to_graph = None if fmt.supports_datasets else Path(path).resolve().as_uri()
        to_rdflib(iter_quads(path, format=fmt, to_graph=to_graph), ds)
    return ds
