"""The one store interface. Every backend implements :class:`Store`; no caller asks which.

What a store does, and nothing else:

* **answer a query** for the web (:meth:`Store.answer`): a :class:`QueryJob` (the text, the
  protocol dataset, the negotiated formats, the row cap) answered within a deadline as
  serialized bytes (:class:`QueryAnswer`), or a typed error (timeout 503, over the cap 422,
  no acceptable format :class:`NoAcceptableFormat`);
* **query** for Python callers (:meth:`Store.query`): pyoxigraph result objects
  (``QuerySolutions``, ``QueryBoolean``, an iterator of ``Triple``);
* **read quads by pattern** (:meth:`Store.quads_for_pattern`, :meth:`Store.patterns`);
* **write graphs atomically**: replace, add to, drop (the Graph Store Protocol), publish a
  whole dataset (:meth:`Store.write_dataset`, ``kg build`` / ``kg link``), SPARQL Update;
* **bulk-load files** (:meth:`Store.bulk_load`, ``kg load``);
* **a version** (:meth:`Store.version`) that changes whenever the data may have changed:
  ETags and the per-version caches (:mod:`kg.store.cache`) follow it.

A backend that cannot do something raises :class:`Unsupported` (501).
"""

from __future__ import annotations

import abc
import os
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg.errors import KGError, StoreError

Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple
GraphName = ox.NamedNode | ox.BlankNode | ox.DefaultGraph


class Unsupported(StoreError):
    """This store cannot do that (the one error a backend raises for a missing ability)."""

    status = 501


class ResultTooLarge(KGError):
    """More rows/triples than the cap (``KG_MAX_ROWS``): refused, never truncated."""

    status = 422


def too_large(max_rows: int, what: str) -> ResultTooLarge:
    return ResultTooLarge(
        f"the query returns more than {max_rows} {what} (KG_MAX_ROWS); results are never "
        f"truncated silently: add LIMIT {max_rows} (and OFFSET to page) to the query"
    )


class NoAcceptableFormat(Exception):
    """The query's kind (``kind``: solutions, boolean, graph) has no format the client
    accepts (→ 406)."""

    def __init__(self, kind: str) -> None:
        super().__init__(kind)
        self.kind = kind


@dataclass(frozen=True)
class QueryJob:
    """One query to answer; plain data, so it pickles cheaply (the embedded engine sends
    it to a query process)."""

    query: str
    default_graph: tuple[str, ...] | None  # protocol default-graph-uri (None: not given)
    named_graphs: tuple[str, ...] | None  # protocol named-graph-uri (None: not given)
    union_default: bool  # default graph = union of all named graphs
    base_iri: str | None
    result_format: str | None  # short name of the SELECT/ASK format, None: not acceptable
    graph_format: str | None  # short name of the CONSTRUCT/DESCRIBE format
    max_rows: int


@dataclass(frozen=True)
class QueryAnswer:
    kind: str  # "solutions", "boolean", "graph"
    format: str  # short format name (kg.store.formats)
    body: bytes


@dataclass
class LoadPlan:
    """One file of a bulk load: where its statements go."""

    path: Path
    fmt: ox.RdfFormat
    to_graph: str  # where triples (and, unless keep_graphs, quads) go
    keep_graphs: bool  # a dataset file without --graph: quads keep their graphs
    size: int
    graphs: set[str] = field(default_factory=set)  # graphs written (filled by the load)


@dataclass
class LoadReport:
    """What a load did: statements read, wall time, the graphs written."""

    triples: int
    seconds: float
    graphs: list[str]
    files: int = 0
    bytes: int = 0
    chunks: int = 0
    retries: int = 0
    resumed_from: int = 0

    @property
    def rate(self) -> float:
        return self.triples / self.seconds if self.seconds > 0 else 0.0

    def summary(self) -> str:
        graphs = ", ".join(self.graphs) if len(self.graphs) <= 5 else f"{len(self.graphs)} graphs"
        return (
            f"loaded {self.triples:,} triples from {self.files} file(s) in "
            f"{self.seconds:.2f}s ({self.rate:,.0f} triples/s) into {graphs}"
        )


def import_graph_iri(path: str | os.PathLike[str], base_iri: str) -> str:
    """``{base}graph/import/{slug}``: where the triples of a file go without ``--graph``."""
    name = Path(path).name.lower().removesuffix(".gz")
    stem = name.rsplit(".", 1)[0] if "." in name else name
    slug = re.sub(r"[^a-z0-9]+", "-", stem).strip("-") or "data"
    return f"{base_iri}graph/import/{slug}"


class Patterns(abc.ABC):
    """Something that reads quads by pattern (the embedded reader, or SPARQL over HTTP)."""

    @abc.abstractmethod
    def quads_for_pattern(
        self, s: Any = None, p: Any = None, o: Any = None, g: Any = None
    ) -> Iterator[ox.Quad]: ...

    @abc.abstractmethod
    def contains_named_graph(self, g: ox.NamedNode) -> bool: ...


class Store(abc.ABC):
    """What every store offers (see the module docstring)."""

    #: a word for people and /healthz ("embedded", "remote", "virtuoso"); never branched on
    kind = "abstract"

    # -- state -------------------------------------------------------------------------
    @abc.abstractmethod
    def version(self) -> str:
        """An opaque token that changes whenever the data may have changed (for ETags)."""

    @abc.abstractmethod
    def exists(self) -> bool:
        """True when the store can be read and holds data (raises when it is down)."""

    def check(self) -> None:
        """Readiness: raise a :class:`StoreError` when the store cannot be read."""
        if not self.exists():
            raise StoreError("no store: run `kg build` first")

    def modified(self) -> float | None:
        """When the current version was published (a POSIX time), if the store knows."""
        return None

    @abc.abstractmethod
    def describe(self) -> str:
        """One line for people: which store, where, which version."""

    def cache_key(self) -> str:
        """Identifies this store among others in one process (for per-version caches)."""
        return f"{type(self).__name__}:{self.describe_location()}"

    def describe_location(self) -> str:
        return str(id(self))

    def local_dir(self) -> Path:
        """A folder on this machine for files derived from the store (search index, share
        links): beside an embedded store, else a temporary folder named after the store."""
        import hashlib  # noqa: PLC0415
        import tempfile  # noqa: PLC0415

        digest = hashlib.sha256(self.describe_location().encode()).hexdigest()[:16]
        return Path(tempfile.gettempdir()) / "sgkg-var" / digest

    def close(self) -> None:
        """Release processes and connections (the store may be used again afterwards)."""
        return None

    def warm(self) -> None:
        """Prepare for serving (start query processes); called once per web worker."""
        return None

    # -- reading -----------------------------------------------------------------------
    @abc.abstractmethod
    def query(
        self,
        sparql: str,
        *,
        default_graph: list[str] | None = None,
        named_graphs: list[str] | None = None,
        base_iri: str | None = None,
    ) -> Any:
        """Run a query; pyoxigraph result objects. The default graph is the union of all
        named graphs unless ``default_graph`` names graphs (protocol ``default-graph-uri``)."""

    @abc.abstractmethod
    def answer(self, job: QueryJob, timeout: float, limit: float | None = None) -> QueryAnswer:
        """Answer ``job`` serialized in its negotiated format, within ``timeout`` seconds
        (:class:`kg.errors.QueryTimeout` names ``limit``, the configured limit), refused
        above ``job.max_rows`` (:class:`ResultTooLarge`); :class:`NoAcceptableFormat` when
        the query's kind has no format among the job's."""

    @abc.abstractmethod
    def patterns(self) -> Patterns:
        """A reader of quads by pattern for a burst of lookups (one page, one label)."""

    def quads_for_pattern(
        self, s: Any = None, p: Any = None, o: Any = None, g: Any = None
    ) -> Iterator[ox.Quad]:
        return self.patterns().quads_for_pattern(s, p, o, g)

    def contains_named_graph(self, graph: str) -> bool:
        return self.patterns().contains_named_graph(ox.NamedNode(graph))

    @abc.abstractmethod
    def named_graphs(self) -> list[str]:
        """The named graphs holding data (the store's own bookkeeping graphs excluded)."""

    @abc.abstractmethod
    def count_quads(self) -> int:
        """Quads in all named graphs (and the default graph)."""

    def read_graph(self, graph: str | None) -> list[ox.Triple]:
        """The triples of a named graph (``None``: the real default graph); NotFound when
        a named graph does not exist."""
        from kg.errors import NotFound  # noqa: PLC0415

        name: GraphName = ox.DefaultGraph() if graph is None else ox.NamedNode(graph)
        reader = self.patterns()
        if graph is not None and not reader.contains_named_graph(ox.NamedNode(graph)):
            raise NotFound(f"no graph <{graph}> in the store")
        return [
            ox.Triple(q.subject, q.predicate, q.object)
            for q in reader.quads_for_pattern(None, None, None, name)
        ]

    def dump(self, output: Any, fmt: ox.RdfFormat, **kwargs: Any) -> int:
        """Write every quad to the binary file ``output`` in ``fmt``; the count written."""
        count = 0

        def counted() -> Iterator[ox.Quad]:
            nonlocal count
            for quad in self.quads_for_pattern(None, None, None, None):
                count += 1
                yield quad

        ox.serialize(counted(), output, fmt, **kwargs)
        return count

    # -- writing -----------------------------------------------------------------------
    @abc.abstractmethod
    def update(self, sparql: str, *, base_iri: str | None = None) -> None:
        """SPARQL Update, all of it or none of it."""

    @abc.abstractmethod
    def replace_graph(self, graph: str | None, quads: Iterable[ox.Quad]) -> bool:
        """Make the graph hold exactly ``quads`` (their graph names are ignored); True when
        the graph was created. ``None`` is the real default graph."""

    @abc.abstractmethod
    def add_to_graph(self, graph: str | None, quads: Iterable[ox.Quad]) -> bool:
        """Merge ``quads`` into the graph; True when the graph was created."""

    @abc.abstractmethod
    def drop_graph(self, graph: str | None) -> None:
        """Delete a named graph (NotFound when missing) or empty the default graph."""

    @abc.abstractmethod
    def write_dataset(
        self,
        quads: Iterable[ox.Quad],
        *,
        replace: Iterable[str] | None = None,
        owned: Callable[[str], bool] | None = None,
    ) -> LoadReport:
        """Publish ``quads`` (keeping their graphs) in one atomic write. ``replace``: the
        graphs to empty first (``None``: every graph that receives quads; ``""`` is the
        default graph); ``owned(iri)``: further graphs of the store to drop."""

    @abc.abstractmethod
    def bulk_load(
        self,
        plans: list[LoadPlan],
        *,
        replace: bool = False,
        progress: bool = False,
        lenient: bool = False,
        base_iri: str | None = None,
        workers: int | None = None,
        chunk_bytes: int | None = None,
    ) -> LoadReport:
        """Load files (``kg load``): see :mod:`kg.load` for what goes where. ``workers``
        and ``chunk_bytes`` tune a backend that parses here (others ignore them)."""
