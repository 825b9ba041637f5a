"""Staging graphs and the byte-level helpers of remote bulk loading (:mod:`kg.store.bulk`)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any

import pyoxigraph as ox

from kg.errors import KGError, ParseError
from kg.store.positions import rdf_error

STAGING_PREFIX = "urn:x-sgkg:staging:"
CHUNK_TRIPLES = 50_000
CHUNK_BYTES = 32 * 1024 * 1024  # raw N-Triples chunks: few bulk-loader commits, resumable
UPLOADS_IN_FLIGHT = 2  # the server parses one chunk while the next one is on the wire
UPLOAD_TIMEOUT = 600.0  # a chunk's answer comes after the server has bulk-loaded it
_NOT_A_TRIPLE_LINE = (b"\n\n", b"\n#", b"\n ", b"\n\t", b"\n\r")


@dataclass
class _Staging:
    """Chunks on their way to staging graphs, then one update that publishes them."""

    run: str
    chunk_triples: int
    acked: int = 0  # chunks acknowledged by the server (from a checkpoint when resuming)
    offset: int = 0  # raw path: input bytes covered by the acknowledged chunks
    graphs: dict[str, str] = field(default_factory=dict)  # target ("" = default) → staging
    bnode_graphs: dict[str, str] = field(default_factory=dict)
    triples: int = 0
    chunks: int = 0
    direct: bool = False  # chunks go straight into a new, empty target graph (fast path)
    phase: str = "chunks"  # "bnodes" while the blank-node document is in flight
    acked_bnodes_unknown: bool = False  # resumed in phase "bnodes": part of it may be there

    def staging_for(self, target: str, bnodes: bool = False) -> str:
        table = self.bnode_graphs if bnodes else self.graphs
        if self.direct:
            table[target] = target
            return target
        if target not in table:
            kind = "b" if bnodes else "c"
            table[target] = f"{STAGING_PREFIX}{self.run}:{kind}{len(table)}"
        return table[target]

    def all_staging(self) -> list[str]:
        if self.direct:
            return []
        return list(self.graphs.values()) + list(self.bnode_graphs.values())

    def checkpoint(self) -> dict[str, Any]:
        return {
            "run": self.run,
            "acked": self.acked,
            "offset": self.offset,
            "graphs": self.graphs,
            "bnode_graphs": self.bnode_graphs,
            "direct": self.direct,
            "phase": self.phase,
        }


def _has_bnode(quad: ox.Quad) -> bool:
    return isinstance(quad.subject, ox.BlankNode) or isinstance(quad.object, ox.BlankNode)


def _graph_ref(target: str) -> str:
    return f"GRAPH <{target}>" if target else "DEFAULT"


def _target_of(quad: ox.Quad, graph: str | None) -> str:
    if graph is not None:
        return graph
    name = quad.graph_name
    if isinstance(name, ox.NamedNode):
        return name.value
    if isinstance(name, ox.DefaultGraph):
        return ""
    raise ParseError(f"blank node graph names are not supported: {name}")


def _raw_pieces(stream: IO[bytes], chunk_bytes: int, max_lines: int | None) -> Iterator[bytes]:
    """Line-aligned pieces of an N-Triples stream (a statement never spans lines), about
    ``chunk_bytes`` each and at most ``max_lines`` lines when given. Deterministic, so a
    resumed load cuts the file where the first attempt did."""
    rest = b""
    while True:
        block = stream.read(chunk_bytes)
        if not block:
            if rest:
                yield from _by_lines(rest, max_lines)
            return
        data = rest + block if rest else block
        cut = data.rfind(b"\n") + 1
        if cut == 0:  # one line longer than a block: keep reading
            rest = data
            continue
        rest = data[cut:]
        yield from _by_lines(data if cut == len(data) else data[:cut], max_lines)


def _by_lines(data: bytes, max_lines: int | None) -> Iterator[bytes]:
    if max_lines is None or data.count(b"\n") <= max_lines:
        yield data
        return
    start = 0
    while start < len(data):
        end = start
        for _ in range(max_lines):
            end = data.find(b"\n", end) + 1
            if end == 0:
                end = len(data)
                break
        yield data[start:end]
        start = end


def _split_bnode_lines(data: bytes) -> tuple[bytes, list[bytes], list[int]]:
    """``data`` without the lines that mention ``_:``, those lines (newline-terminated) and
    their 0-based line indexes. A line with ``_:`` inside a literal is moved too: harmless,
    it merely travels in the blank-node document. Scans with ``bytes.find`` (C speed)."""
    pos = data.find(b"_:")
    if pos < 0:
        return data, [], []
    parts: list[bytes] = []
    lines: list[bytes] = []
    numbers: list[int] = []
    prev = counted = line = 0
    while pos >= 0:
        start = data.rfind(b"\n", 0, pos) + 1
        end = data.find(b"\n", pos) + 1 or len(data)
        line += data.count(b"\n", counted, start)
        counted = start
        parts.append(data[prev:start])
        text = data[start:end]
        lines.append(text if text.endswith(b"\n") else text + b"\n")
        numbers.append(line)
        prev = end
        pos = data.find(b"_:", end)
    parts.append(data[prev:])
    return b"".join(parts), lines, numbers


def _statement_count(data: bytes) -> int:
    """Statements in line-aligned N-Triples: lines, unless blank or comment lines occur."""
    lines = data.count(b"\n") + (0 if data.endswith(b"\n") or not data else 1)
    if not data.startswith((b"\n", b"#", b" ", b"\t", b"\r")) and not any(
        mark in data for mark in _NOT_A_TRIPLE_LINE
    ):
        return lines
    return sum(
        1 for line in data.split(b"\n") if line.strip() and not line.lstrip().startswith(b"#")
    )


def _locate(data: bytes, source: str, lines: Callable[[int], int], server: KGError) -> ParseError:
    """The server refused a document: find the error's file line by parsing the document
    here (only on this error path). ``lines`` maps a document line to a file line."""
    try:
        for _ in ox.parse(data, format=ox.RdfFormat.N_TRIPLES):
            pass
    except SyntaxError as exc:
        return rdf_error(exc, source, lines)
    return ParseError(f"rejected by the remote store: {server}", source=source, line=lines(1))
