"""Reading RDF safely and with exact error positions.

Parsing is done by pyoxigraph: it reports ``file:line:column``, never fetches anything
(remote JSON-LD contexts are refused), and is fast. Curated files are small and become
rdflib datasets for SHACL and the reasoner.

Hostile input is refused before a parser sees it:

* **XML with a DTD.** pyoxigraph's RDF/XML (and SPARQL XML results) parser expands internal
  entities: the "billion laughs" document (9 levels x 10 references, 1 kB) grew a server by
  ~10 GB. Every XML entry point therefore refuses ``<!DOCTYPE`` and ``<!ENTITY`` outright
  (:func:`refuse_dtd`; streams are checked as they are read, :class:`DTDGuard`). RDF/XML
  needs no DTD; the markers are looked for case-insensitively and with NUL bytes dropped
  (UTF-16/32 documents), so a literal that *contains* ``<!DOCTYPE`` in a CDATA section is
  refused too, with the same message.
* **Deep JSON-LD.** More than :data:`MAX_JSON_DEPTH` nested objects/arrays is refused
  (pyoxigraph's own limit is 65,536 levels).
* **Huge literals.** A literal longer than :data:`MAX_LITERAL_CHARS` in an upload is refused.
"""

from __future__ import annotations

import gzip
import io
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING, BinaryIO, NoReturn, TypeAlias, TypeVar, cast, overload

import pyoxigraph as ox
import rdflib
from rdflib.term import BNode, Literal, Node, URIRef

from kg.errors import ParseError

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer

#: the terms a pyoxigraph quad holds in each position (the unions of its stub)
Subject: TypeAlias = ox.NamedNode | ox.BlankNode | ox.Triple
Object: TypeAlias = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple
GraphName: TypeAlias = ox.NamedNode | ox.BlankNode | ox.DefaultGraph
#: the type of a function that rewrites some IRIs and keeps every other term, in any position
#: (``def move(term: QuadTerm) -> QuadTerm``: a predicate stays a NamedNode, an object an Object)
QuadTerm = TypeVar("QuadTerm", ox.NamedNode, Subject, Object, GraphName)

#: deepest JSON-LD nesting of objects and arrays accepted in an upload
MAX_JSON_DEPTH = 256
#: longest literal (characters) accepted in an upload (uploads are also bounded in bytes by
#: ``KG_MAX_REQUEST_BYTES``; this bound holds when an operator raises that one)
MAX_LITERAL_CHARS = 4 * 1024 * 1024
#: what declares a DTD or entities; refused in any XML input
_DTD_MARKERS = (b"<!doctype", b"<!entity")
_DTD_MESSAGE = (
    "XML with a DTD or entity declarations (<!DOCTYPE …>, <!ENTITY …>) is refused: entity "
    "expansion can exhaust the server's memory ('billion laughs'); RDF/XML needs no DTD"
)
_JSON_TOKEN = re.compile(rb'"(?:[^"\\]|\\.)*"|[\[\]{}]')


def refuse_dtd(data: bytes, source: str = "<input>", error: type[Exception] = ParseError) -> None:
    """Raise ``error`` (a 4xx :class:`ParseError` by default) when ``data`` is XML that
    declares a DTD or entities. Cheap: two C-speed scans of the bytes."""
    lowered = data.lower()
    if b"\x00" in lowered[:4096]:  # UTF-16/32: the markers are spread over NUL bytes
        lowered = lowered.replace(b"\x00", b"")
    if any(marker in lowered for marker in _DTD_MARKERS):
        if error is ParseError:
            raise ParseError(_DTD_MESSAGE, source=source)
        raise error(f"{source}: {_DTD_MESSAGE}")


class DTDGuard(io.RawIOBase, BinaryIO):
    """A binary stream that raises :class:`ParseError` as soon as the bytes read hold a DTD
    or entity declaration (see :func:`refuse_dtd`); markers split across reads are found.
    Closing it leaves ``raw`` open (its opener closes it)."""

    _KEEP = 64  # bytes of the previous read kept to find a marker spread over two reads

    def __init__(self, raw: IO[bytes], source: str) -> None:
        super().__init__()
        self.raw, self.source, self._tail = raw, source, b""

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        data = self.raw.read(size)
        if data:
            refuse_dtd(self._tail + data, self.source)
            self._tail = data[-self._KEEP :]
        return data

    def readinto(self, buffer: WriteableBuffer) -> int:
        view = memoryview(buffer).cast("B")
        data = self.read(len(view))
        view[: len(data)] = data
        return len(data)


def refuse_dtd_file(path: str | Path) -> None:
    """:func:`refuse_dtd` over a whole file (gzip looked through), read in chunks."""
    with open_input(path) as raw:
        guard = DTDGuard(raw, str(path))
        while guard.read(1 << 20):
            pass


def json_depth(data: bytes) -> int:
    """The deepest nesting of JSON objects and arrays, strings skipped."""
    if data.count(b"{") + data.count(b"[") <= MAX_JSON_DEPTH:
        return 0  # too few brackets in all to nest too deep
    depth = deepest = 0
    for token in _JSON_TOKEN.findall(data):
        if token in (b"{", b"["):
            depth += 1
            deepest = max(deepest, depth)
        elif token in (b"}", b"]"):
            depth -= 1
    return deepest


def check_untrusted(data: bytes, fmt: ox.RdfFormat, source: str = "<input>") -> None:
    """The pre-parse checks of an upload: no DTD in XML, bounded JSON-LD nesting."""
    if fmt == ox.RdfFormat.RDF_XML:
        refuse_dtd(data, source)
    elif fmt == ox.RdfFormat.JSON_LD:
        depth = json_depth(data)
        if depth > MAX_JSON_DEPTH:
            raise ParseError(
                f"the JSON-LD document nests objects and arrays {depth} levels deep; at most "
                f"{MAX_JSON_DEPTH} are accepted",
                source=source,
            )


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
        return gzip_stream(gzip.GzipFile(path, "rb"))
    return open(path, "rb")


def gzip_stream(gz: gzip.GzipFile) -> IO[bytes]:
    """A GzipFile as what it is, a binary file object (read, write, seek…): typeshed declares
    it a ``BufferedIOBase`` only, which pyoxigraph's ``parse``/``serialize`` do not accept."""
    return cast(IO[bytes], gz)


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
    with open_input(path) as raw:
        stream: IO[bytes] = raw
        if fmt == ox.RdfFormat.RDF_XML:
            stream = DTDGuard(raw, str(path))
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

    Blank nodes are renamed so that two uploads of ``_:b`` stay two nodes. XML with a DTD,
    too deep JSON-LD and too long literals are refused (see the module doc)."""
    check_untrusted(data, fmt, source)
    try:
        quads = list(
            ox.parse(
                io.BytesIO(data),
                format=fmt,
                base_iri=base_iri,
                rename_blank_nodes=rename_blank_nodes,
            )
        )
    except SyntaxError as exc:
        raise parse_error(exc, source) from exc
    if len(data) > MAX_LITERAL_CHARS:  # else no literal can be that long
        for quad in quads:
            if isinstance(quad.object, ox.Literal) and len(quad.object.value) > MAX_LITERAL_CHARS:
                raise ParseError(
                    f"a literal of {len(quad.object.value)} characters; at most "
                    f"{MAX_LITERAL_CHARS} are accepted",
                    source=source,
                )
    return quads


OxTerm: TypeAlias = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple | ox.DefaultGraph


@overload
def to_rdflib_term(term: ox.NamedNode) -> URIRef: ...
@overload
def to_rdflib_term(term: ox.BlankNode) -> BNode: ...
@overload
def to_rdflib_term(term: ox.Literal) -> Literal: ...
@overload
def to_rdflib_term(term: ox.DefaultGraph) -> None: ...
@overload
def to_rdflib_term(term: ox.Triple) -> NoReturn: ...
def to_rdflib_term(term: OxTerm) -> URIRef | BNode | Literal | None:
    """A pyoxigraph term as rdflib's; the default graph is ``None``. rdflib holds no triple
    terms (RDF 1.2): one is a TypeError, as any other non-term."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        return Literal(term.value, datatype=URIRef(term.datatype.value))
    if isinstance(term, ox.DefaultGraph):
        return None
    raise TypeError(f"rdflib cannot hold this term: {term!r}")


def to_rdflib(quads: Iterable[ox.Quad], dataset: rdflib.Dataset | None = None) -> rdflib.Dataset:
    """Add pyoxigraph quads to an rdflib Dataset (default graph quads go to its default)."""
    ds = dataset if dataset is not None else rdflib.Dataset()
    for q in quads:
        g = to_rdflib_term(q.graph_name)
        ctx = ds.graph(g) if g is not None else ds.default_graph
        ctx.add((to_rdflib_term(q.subject), to_rdflib_term(q.predicate), to_rdflib_term(q.object)))
    return ds


def from_rdflib_term(term: Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    """An rdflib term as pyoxigraph's (anything else, a variable or a graph, is a TypeError)."""
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


def _resource(term: Node) -> ox.NamedNode | ox.BlankNode:
    node = from_rdflib_term(term)
    if isinstance(node, ox.Literal):
        raise TypeError(f"a literal cannot be a subject or a graph name: {term!r}")
    return node


def _iri(term: Node) -> ox.NamedNode:
    node = from_rdflib_term(term)
    if not isinstance(node, ox.NamedNode):
        raise TypeError(f"a predicate is an IRI: {term!r}")
    return node


def from_rdflib_triple(s: Node, p: Node, o: Node) -> ox.Triple:
    """An rdflib triple as a pyoxigraph one."""
    return ox.Triple(_resource(s), _iri(p), from_rdflib_term(o))


def from_rdflib_quad(
    s: Node, p: Node, o: Node, graph: ox.NamedNode | ox.BlankNode | ox.DefaultGraph
) -> ox.Quad:
    """An rdflib triple in the pyoxigraph graph ``graph``."""
    return ox.Quad(_resource(s), _iri(p), from_rdflib_term(o), graph)


def from_rdflib(dataset: rdflib.Dataset) -> Iterator[ox.Quad]:
    """rdflib Dataset → pyoxigraph quads (rdflib's default graph → the store default graph)."""
    for s, p, o, g in dataset.quads((None, None, None, None)):
        graph = (
            ox.DefaultGraph()
            if g is None or g == rdflib.graph.DATASET_DEFAULT_GRAPH_ID
            else _resource(g)  # rdflib gives graph names as URIRef or BNode
        )
        yield from_rdflib_quad(s, p, o, graph)


def serialize_bytes(
    data: Iterable[ox.Triple] | Iterable[ox.Quad],
    format: ox.RdfFormat,
    *,
    prefixes: dict[str, str] | None = None,
    base_iri: str | None = None,
) -> bytes:
    """``ox.serialize`` into memory. Its stub answers ``bytes | None`` because it writes to
    ``output`` when one is given (and returns None); without one it always returns bytes."""
    out = ox.serialize(data, format=format, prefixes=prefixes, base_iri=base_iri)
    return out if out is not None else b""


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
