"""The embedded store: an on-disk pyoxigraph database in generations (``kg.store.generations``).

Readers (every gunicorn worker) open the current generation read-only and follow a new one
without a restart; every write is one new generation, published whole or not at all. Web
queries run in a pool of killable query processes (:mod:`kg.store.engine`), because
pyoxigraph cannot cancel a query.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg import errors
from kg.errors import NotFound, QueryTimeout, StoreError
from kg.store import writer_client
from kg.store.base import LoadPlan, LoadReport, QueryAnswer, QueryJob, Store
from kg.store.generations import Generations
from kg.store.positions import engine_error


def _dataset_kwargs(
    default_graph: list[str] | None, named_graphs: list[str] | None
) -> dict[str, Any]:
    kwargs: dict[str, Any] = {}
    if default_graph:
        kwargs["default_graph"] = [ox.NamedNode(g) for g in default_graph]
    else:
        kwargs["use_default_graph_as_union"] = True
    if named_graphs:
        kwargs["named_graphs"] = [ox.NamedNode(g) for g in named_graphs]
    return kwargs


def run_query(
    store: ox.Store,
    sparql: str,
    *,
    default_graph: list[str] | None = None,
    named_graphs: list[str] | None = None,
    base_iri: str | None = None,
) -> Any:
    """``store.query`` with the union default graph and typed parse errors."""
    try:
        return store.query(
            sparql, base_iri=base_iri, **_dataset_kwargs(default_graph, named_graphs)
        )
    except (SyntaxError, ValueError) as exc:  # ValueError: a bad IRI in default-graph-uri
        raise engine_error(exc, "<query>") from exc


#: seconds a replaced reader stays open for the queries that were using it
RETIRE_SECONDS = 5.0


def _graph(name: str | None) -> ox.NamedNode | ox.DefaultGraph:
    return ox.DefaultGraph() if name is None else ox.NamedNode(name)


class EmbeddedStore(Store):
    """A generation-managed on-disk pyoxigraph store."""

    kind = "embedded"

    def __init__(
        self,
        root: Path,
        *,
        query_workers: int = 4,
        memory_mb: int | None = None,
        update_timeout: float = 120.0,
    ) -> None:
        self.root = Path(root)
        self.generations = Generations(self.root)
        self.query_workers = query_workers
        self.memory_mb = memory_mb  # KG_MAX_MEMORY_MB: the ceiling of each query process
        self.update_timeout = update_timeout  # KG_QUERY_TIMEOUT: then the update is stopped
        self._lock = threading.Lock()
        self._reader: ox.Store | None = None
        self._reader_gen: str | None = None
        self._reader_fd: int | None = None  # holds a shared lock on the generation read
        #: readers replaced by a newer generation, kept open a while for queries in flight
        self._retired: list[tuple[float, ox.Store, int]] = []
        self._executor: Any = None

    # -- state -------------------------------------------------------------------------
    def current_generation(self) -> Path | None:
        return self.generations.current()

    def exists(self) -> bool:
        gen = self.current_generation()
        return gen is not None and gen.is_dir()

    def check(self) -> None:
        self.reader()

    def version(self) -> str:
        self.generations.settle()  # an acknowledged update is visible to every later read
        return self.generations.version()

    def modified(self) -> float | None:
        path = self.current_generation()
        if path is None or not path.exists():
            return None
        return path.stat().st_mtime

    def describe(self) -> str:
        return f"embedded store {self.root} ({self.version()})"

    def describe_location(self) -> str:
        return str(self.root)

    def local_dir(self) -> Path:
        return self.root / "var"

    # -- reading -----------------------------------------------------------------------
    def reader(self) -> ox.Store:
        """The read-only pyoxigraph store of the current generation (reopened on change)."""
        gen = self.version()
        reader = self._reader
        if reader is not None and gen == self._reader_gen:
            return reader
        with self._lock:
            if self._reader is not None and gen == self._reader_gen:
                return self._reader
            try:
                name, store, fd = self.generations.open_reader()
            except FileNotFoundError as exc:
                raise StoreError(
                    f"no store at {self.root}: run `kg build` first (KG_STORE={self.root})"
                ) from exc
            except OSError as exc:
                raise StoreError(f"cannot open the store at {self.root}: {exc}") from exc
            self._retire()
            self._reader, self._reader_gen, self._reader_fd = store, name, fd
            return store

    def release_stale(self) -> None:
        """Close readers of generations that are no longer current, so that those can be
        reclaimed. Only for a process with no query in flight (an idle query process)."""
        with self._lock:
            if self._reader is not None and self._reader_gen != self.generations.version():
                self._retire()
                self._reader_gen = None
            for _, _, fd in self._retired:
                os.close(fd)
            self._retired = []

    def _retire(self) -> None:
        """Keep the replaced reader a while (queries in flight); let go of older ones."""
        now = time.monotonic()
        if self._reader is not None and self._reader_fd is not None:
            self._retired.append((now, self._reader, self._reader_fd))
        self._reader = self._reader_fd = None
        keep = []
        for since, store, fd in self._retired:
            if now - since < RETIRE_SECONDS:
                keep.append((since, store, fd))
            else:
                del store
                os.close(fd)  # the generation may now be pruned
        self._retired = keep

    def query(
        self,
        sparql: str,
        *,
        default_graph: list[str] | None = None,
        named_graphs: list[str] | None = None,
        base_iri: str | None = None,
    ) -> Any:
        return run_query(
            self.reader(),
            sparql,
            default_graph=default_graph,
            named_graphs=named_graphs,
            base_iri=base_iri,
        )

    def _engine(self) -> Any:
        """The pool of query processes of this web process (a forked worker gets its own)."""
        executor = self._executor
        if executor is None or executor.pid != os.getpid():
            from kg.store.engine import Executor  # noqa: PLC0415

            with self._lock:
                executor = self._executor
                if executor is None or executor.pid != os.getpid():
                    executor = self._executor = Executor(
                        self.root, size=self.query_workers, memory_mb=self.memory_mb
                    )
        return executor

    def answer(self, job: QueryJob, timeout: float, limit: float | None = None) -> QueryAnswer:
        return self._engine().run(job, timeout, limit)

    def warm(self) -> None:
        """At start: reclaim what killed writers left (a half-written generation), then
        start the query processes."""
        self.generations.reclaim()
        self._engine().start()

    def close(self) -> None:
        with self._lock:
            self._retire()
            for _, _, fd in self._retired:
                with contextlib.suppress(OSError):
                    os.close(fd)
            self._retired = []
            self._reader_gen = None
        executor, self._executor = self._executor, None
        if executor is not None and executor.pid == os.getpid():
            executor.close()

    def patterns(self) -> Any:
        return self.reader()

    def named_graphs(self) -> list[str]:
        return sorted(g.value for g in self.reader().named_graphs() if isinstance(g, ox.NamedNode))

    def count_quads(self) -> int:
        return len(self.reader())

    def dump(self, output: Any, fmt: ox.RdfFormat, **kwargs: Any) -> int:
        source = self.reader()  # serialized by pyoxigraph itself, no Python objects
        source.dump(output, fmt, **kwargs)
        return len(source)

    # -- writing -----------------------------------------------------------------------
    @contextlib.contextmanager
    def writer(self, *, fresh: bool = False, compact: bool = False) -> Iterator[ox.Store]:
        """A writable clone of the current generation, published when the block ends
        without an exception (see :meth:`kg.store.generations.Generations.writer`)."""
        with self.generations.writer(fresh=fresh, compact=compact) as store:
            yield store

    def update(self, sparql: str, *, base_iri: str | None = None) -> None:
        """SPARQL Update, atomically: all of it or none of it, through the store's one
        writer process (:mod:`kg.store.writer`); visible to every read that starts after
        this returns."""
        try:
            writer_client.submit(
                self.root,
                {"op": "update", "sparql": sparql, "base_iri": base_iri},
                timeout=self.update_timeout,
                memory_mb=self.memory_mb,
            )
        except (SyntaxError, RuntimeError, ValueError, MemoryError) as exc:
            raise errors.engine_error(exc, what="update") from None
        except TimeoutError as exc:
            raise QueryTimeout(str(exc)) from None

    def replace_graph(self, graph: str | None, quads: Iterable[ox.Quad]) -> bool:
        target = _graph(graph)
        moved = [ox.Quad(q.subject, q.predicate, q.object, target) for q in quads]
        with self.writer() as store:
            created = graph is not None and not store.contains_named_graph(target)
            if created:
                store.add_graph(target)
            else:
                store.clear_graph(target)
            store.extend(moved)
        return created

    def add_to_graph(self, graph: str | None, quads: Iterable[ox.Quad]) -> bool:
        target = _graph(graph)
        moved = [ox.Quad(q.subject, q.predicate, q.object, target) for q in quads]
        with self.writer() as store:
            created = graph is not None and not store.contains_named_graph(target)
            if created:
                store.add_graph(target)
            store.extend(moved)
        return created

    def drop_graph(self, graph: str | None) -> None:
        target = _graph(graph)
        if graph is not None and not self.reader().contains_named_graph(target):
            raise NotFound(f"no graph <{graph}> in the store")  # no write started
        with self.writer() as store:
            if graph is None:
                store.clear_graph(target)
            else:
                store.remove_graph(target)

    def write_dataset(
        self,
        quads: Iterable[ox.Quad],
        *,
        replace: Iterable[str] | None = None,
        owned: Callable[[str], bool] | None = None,
    ) -> LoadReport:
        start = time.perf_counter()
        quads = list(quads)
        targets = sorted(
            {q.graph_name.value if isinstance(q.graph_name, ox.NamedNode) else "" for q in quads}
        )
        drop = set(targets if replace is None else replace)
        with self.writer(compact=True) as store:
            for name in list(store.named_graphs()):
                if isinstance(name, ox.NamedNode) and (
                    name.value in drop or (owned is not None and owned(name.value))
                ):
                    store.remove_graph(name)
            if "" in drop:
                store.clear_graph(ox.DefaultGraph())
            store.extend(quads)
        return LoadReport(
            triples=len(quads),
            seconds=time.perf_counter() - start,
            graphs=[t or "DEFAULT" for t in targets],
        )

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
        from kg.store import embedded_load  # noqa: PLC0415

        return embedded_load.load(
            self,
            plans,
            replace=replace,
            progress=progress,
            lenient=lenient,
            workers=workers,
            chunk_bytes=chunk_bytes,
        )
