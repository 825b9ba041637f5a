"""The store: an embedded on-disk pyoxigraph database, or a remote SPARQL 1.1 server.

Embedded layout (``KG_STORE`` is a directory)::

    var/store/
      current -> gen-000007      # symlink, swapped atomically (rename of a new symlink)
      gen-000006/  gen-000007/   # published generations: RocksDB dirs, never written again
      gen-000008.tmp/            # a write in progress (or one killed mid-way: swept later)
      write.lock                 # flock held by the one writer

Readers open the generation ``current`` points at, read-only, and reopen when it moves, so a
new build becomes visible without restarting anything. A writer clones the current generation
(hard links for the immutable ``.sst`` files, copies of the rest: milliseconds, not a copy of
the data), writes into the clone, and publishes it by swapping the symlink. A write that fails
or is killed at any moment leaves ``current`` as it was: the previous store stays servable.

Both kinds answer :meth:`Store.query` with pyoxigraph result objects (``QuerySolutions``,
``QueryBoolean`` or an iterator of ``Triple``), so callers do not care where the data is.
"""

from __future__ import annotations

import contextlib
import fcntl
import gc
import os
import re
import shutil
import threading
import time
import traceback
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg.errors import QueryError, StoreError

_GEN = re.compile(r"^gen-(\d{6,})$")
KEEP_GENERATIONS = 3


def open_store(location: str | os.PathLike[str]) -> Store:
    """The store named by ``KG_STORE``: a directory or an ``http(s)://`` endpoint."""
    text = str(location)
    if text.startswith(("http://", "https://")):
        from kg.remote_store import RemoteStore  # noqa: PLC0415 (optional mode)

        return RemoteStore(text)
    return EmbeddedStore(Path(text))


class Store:
    """What every store offers. See :class:`EmbeddedStore` and ``kg.remote_store``."""

    kind = "abstract"

    def version(self) -> str:
        """An opaque token that changes whenever the data may have changed (for ETags)."""
        raise NotImplementedError

    def exists(self) -> bool:
        raise NotImplementedError

    def query(
        self,
        sparql: str,
        *,
        default_graph: list[str] | None = None,
        named_graphs: list[str] | None = None,
        base_iri: str | None = None,
    ) -> Any:
        """Run a query. The default graph is the union of all named graphs unless
        ``default_graph`` names graphs (protocol ``default-graph-uri``)."""
        raise NotImplementedError

    def update(self, sparql: str, *, base_iri: str | None = None) -> None:
        raise NotImplementedError

    def named_graphs(self) -> list[str]:
        raise NotImplementedError

    def describe(self) -> str:
        return self.kind


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


_POSITION = re.compile(r"^error at (\d+):(\d+): (.*)$", re.S)


def query_syntax_error(exc: SyntaxError, source: str = "<query>") -> QueryError:
    """pyoxigraph's "error at L:C: message" → QueryError with line and column."""
    text = str(exc)
    match = _POSITION.match(text)
    if match:
        line, column, message = match.groups()
        return QueryError(message, source=source, line=int(line), column=int(column))
    return QueryError(text, source=source)


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
    except SyntaxError as exc:
        raise query_syntax_error(exc) from exc
    except ValueError as exc:  # bad IRI in default-graph-uri and similar
        raise QueryError(str(exc)) from exc


def clone_generation(src: Path, dst: Path) -> None:
    """A RocksDB checkpoint by hand: hard-link immutable table files, copy the rest."""
    dst.mkdir(parents=True)
    for entry in os.scandir(src):
        if entry.name == "LOCK" or not entry.is_file():
            continue
        target = dst / entry.name
        if entry.name.endswith((".sst", ".blob")):
            try:
                os.link(entry.path, target)
                continue
            except OSError:
                pass  # other file system: fall back to a copy
        shutil.copy2(entry.path, target)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class EmbeddedStore(Store):
    """A generation-managed on-disk pyoxigraph store (see the module docstring)."""

    kind = "embedded"

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self._current_link = str(self.root / "current")  # read on every request: no Path math
        self._lock = threading.Lock()
        self._reader: ox.Store | None = None
        self._reader_gen: str | None = None

    # -- reading ---------------------------------------------------------------------
    def current_generation(self) -> Path | None:
        link = self.root / "current"
        try:
            target = os.readlink(link)
        except OSError:
            return None
        return self.root / target

    def exists(self) -> bool:
        gen = self.current_generation()
        return gen is not None and gen.is_dir()

    def version(self) -> str:
        try:
            return os.readlink(self._current_link)
        except OSError:
            return "empty"

    def reader(self) -> ox.Store:
        """The read-only pyoxigraph store of the current generation (reopened on change)."""
        gen = self.version()
        reader = self._reader
        if reader is not None and gen == self._reader_gen:
            return reader
        with self._lock:
            if self._reader is not None and gen == self._reader_gen:
                return self._reader
            path = self.current_generation()
            if path is None or not path.is_dir():
                raise StoreError(
                    f"no store at {self.root}: run `kg build` first (KG_STORE={self.root})"
                )
            try:
                self._reader = ox.Store.read_only(str(path))
            except OSError as exc:
                raise StoreError(f"cannot open the store at {path}: {exc}") from exc
            self._reader_gen = gen
            return self._reader

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

    def named_graphs(self) -> list[str]:
        return sorted(g.value for g in self.reader().named_graphs() if isinstance(g, ox.NamedNode))

    def describe(self) -> str:
        return f"embedded store {self.root} ({self.version()})"

    # -- writing ---------------------------------------------------------------------
    def update(self, sparql: str, *, base_iri: str | None = None) -> None:
        """SPARQL Update, atomically: all of it is published or none of it."""
        error: Exception | None = None
        with self.writer() as store:
            try:
                store.update(sparql, base_iri=base_iri)
            except (SyntaxError, RuntimeError, ValueError) as exc:
                error = exc
            if error is not None:
                # drop our handle before the writer discards the generation: RocksDB must be
                # closed before its directory is removed
                del store
                raise QueryError(str(error)) from None

    @contextlib.contextmanager
    def writer(self, *, fresh: bool = False) -> Iterator[ox.Store]:
        """Yield a writable store; publish it when the block ends without an exception.

        ``fresh=True`` starts from an empty store instead of a clone of the current one.
        Only one writer runs at a time (``flock``); readers are never blocked.
        """
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / "write.lock", "a+") as lock_file:
            fcntl.flock(lock_file, fcntl.LOCK_EX)
            self._sweep()
            number = self._next_number()
            tmp = self.root / f"gen-{number:06d}.tmp"
            current = self.current_generation()
            if not fresh and current is not None and current.is_dir():
                clone_generation(current, tmp)
            store = ox.Store(str(tmp))
            try:
                yield store
                store.flush()
            except BaseException as exc:
                # a caller's frame kept alive by the traceback may still hold the store:
                # clear it so RocksDB is closed before its directory goes
                traceback.clear_frames(exc.__traceback__)
                del store
                gc.collect()
                shutil.rmtree(tmp, ignore_errors=True)
                raise
            del store
            gc.collect()  # closes RocksDB: no other reference may be left
            final = self.root / f"gen-{number:06d}"
            os.rename(tmp, final)
            _fsync_dir(self.root)
            link_tmp = self.root / f"current.{os.getpid()}.tmp"
            with contextlib.suppress(FileNotFoundError):
                link_tmp.unlink()
            os.symlink(final.name, link_tmp)
            os.replace(link_tmp, self.root / "current")
            _fsync_dir(self.root)
            self._prune()

    def _next_number(self) -> int:
        numbers = [0]
        for entry in os.scandir(self.root):
            name = entry.name.removesuffix(".tmp")
            match = _GEN.match(name)
            if match:
                numbers.append(int(match.group(1)))
        return max(numbers) + 1

    def _sweep(self) -> None:
        """Remove what killed writers left behind (called under the write lock)."""
        for entry in os.scandir(self.root):
            if entry.name.endswith(".tmp"):
                path = Path(entry.path)
                if path.is_dir() and not path.is_symlink():
                    shutil.rmtree(path, ignore_errors=True)
                else:
                    with contextlib.suppress(OSError):
                        path.unlink()

    def _prune(self) -> None:
        """Keep the newest generations; readers of older ones have had time to move on."""
        current = self.version()
        gens = sorted(
            (e.name for e in os.scandir(self.root) if _GEN.match(e.name)),
            reverse=True,
        )
        cutoff = time.time() - 60
        for name in gens[KEEP_GENERATIONS:]:
            path = self.root / name
            if name != current and path.stat().st_mtime < cutoff:
                shutil.rmtree(path, ignore_errors=True)
