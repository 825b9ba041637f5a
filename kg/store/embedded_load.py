"""``kg load`` into the embedded store: one new generation, several parser threads.

Everything one load reads goes into one new store generation
(:meth:`kg.store.embedded.EmbeddedStore.writer`): a file that breaks on line 3 of 10 million
leaves the published store exactly as it was, and ``replace`` clears the target graphs in
that same generation, so readers see the old graph or the new one, never an empty or half one.

Speed. pyoxigraph's ``Store.bulk_load`` parses on one thread; ``oxigraph load`` is faster on
the same file. Line-based formats (N-Triples, N-Quads; gzip too) are therefore cut into
line-aligned chunks that are bulk-loaded by several threads at once (``bulk_load`` releases the
GIL). ``bulk_load`` renames blank nodes per call, so a blank node label must not be spread over
two calls: cuts are moved off lines that mention blank nodes, and chunks that still share a
label are merged into one call (checked, not assumed). Other formats go through one
``bulk_load`` call. bench/bench_load.py measures this against ``oxigraph load``.
"""

from __future__ import annotations

import contextlib
import mmap
import os
import re
import shutil
import tempfile
import time
import traceback
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor, as_completed, wait
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, cast

import pyoxigraph as ox

from kg import rdfio
from kg.errors import KGError, ParseError, StoreError
from kg.store.base import LoadPlan, LoadReport
from kg.store.progress import _CountingReader, _progress_bar, _Rate

if TYPE_CHECKING:
    from kg.store.embedded import EmbeddedStore

LINE_FORMATS = (ox.RdfFormat.N_TRIPLES, ox.RdfFormat.N_QUADS)
CHUNK_BYTES = 32 * 1024 * 1024
MIN_CHUNK_BYTES = 4 * 1024 * 1024
_BNODE_LABEL = re.compile(rb"_:[^\s<>\"^]+")
_NOT_A_STATEMENT = re.compile(rb"^[ \t]*(?:#[^\n]*)?\r?$", re.MULTILINE)


def load(
    store: EmbeddedStore,
    plans: list[LoadPlan],
    *,
    replace: bool = False,
    progress: bool = False,
    lenient: bool = False,
    workers: int | None = None,
    chunk_bytes: int | None = None,
) -> LoadReport:
    """Load the planned files into one new generation (see the module docstring)."""
    workers = workers or min(4, os.cpu_count() or 1)
    chunk_bytes = chunk_bytes or CHUNK_BYTES
    start = time.perf_counter()
    triples = 0
    bar = _progress_bar(sum(p.size for p in plans), progress)
    try:
        with store.writer(compact=True) as ox_store:
            try:
                triples = _load_plans(ox_store, plans, replace, lenient, workers, chunk_bytes, bar)
            except BaseException as exc:
                # The writer can only close (and drop) the half-written generation when no
                # frame kept alive by this exception's traceback still holds the store.
                _release_frames(exc)
                del ox_store
                raise
    finally:
        if bar is not None:
            bar.close()
    graphs = sorted(set().union(*(p.graphs for p in plans))) if plans else []
    return LoadReport(
        triples=triples,
        seconds=time.perf_counter() - start,
        graphs=graphs,
        files=len(plans),
        bytes=sum(p.size for p in plans),
    )


#: Parallel chunked loading of N-Triples/N-Quads: off, see :func:`_load_plans`.
PARALLEL_LINES = False


def _load_plans(
    ox_store: ox.Store,
    plans: list[LoadPlan],
    replace: bool,
    lenient: bool,
    workers: int,
    chunk_bytes: int,
    bar: Any,
) -> int:
    """Load every file into the open generation; returns the statements read."""
    triples = 0
    if replace:
        _clear_targets(ox_store, plans)
    before = {g.value for g in ox_store.named_graphs() if isinstance(g, ox.NamedNode)}
    for plan in plans:
        if bar is not None:
            bar.set_description(plan.path.name)
        one_graph = plan.fmt.supports_datasets and not plan.keep_graphs  # quads rewritten
        if plan.fmt in LINE_FORMATS and not one_graph and workers > 1 and PARALLEL_LINES:
            triples += _load_lines(ox_store, plan, lenient, workers, chunk_bytes, bar)
        else:
            # One bulk_load per file: RocksDB gets one sorted run, so the generation is as
            # compact as `oxigraph load` leaves a store (parallel chunks were 2-4x larger and
            # slower to query; bench/bench_load.py).
            triples += _load_stream(ox_store, plan, lenient, bar)
        if not plan.keep_graphs:
            plan.graphs.add(plan.to_graph)
    after = {g.value for g in ox_store.named_graphs() if isinstance(g, ox.NamedNode)}
    for plan in plans:
        if plan.keep_graphs and not plan.graphs:
            plan.graphs.update(after - before)  # a dataset file: the graphs it created
    return triples


def _release_frames(exc: BaseException | None, seen: set[int] | None = None) -> None:
    """Clear the locals of finished frames in an exception chain (they hold the store)."""
    seen = seen if seen is not None else set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        traceback.clear_frames(exc.__traceback__)
        if exc.__cause__ is not None:
            _release_frames(exc.__cause__, seen)
        exc = exc.__context__


# --- replace ------------------------------------------------------------------------------


def _clear_targets(ox_store: ox.Store, plans: list[LoadPlan]) -> None:
    """Empty every graph the load writes to (inside the new generation: atomic swap)."""
    targets: set[str] = set()
    for plan in plans:
        if plan.keep_graphs:  # a dataset file keeps its graphs: find out which (one extra parse)
            plan.graphs = {g or plan.to_graph for g in _graphs_named_in(plan)}
            targets.update(plan.graphs)
        else:
            targets.add(plan.to_graph)
    for target in sorted(targets):
        ox_store.clear_graph(ox.NamedNode(target))


def _graphs_named_in(plan: LoadPlan) -> set[str]:
    names: set[str] = set()
    for quad in rdfio.iter_quads(plan.path, format=plan.fmt):
        g = quad.graph_name
        names.add(g.value if isinstance(g, ox.NamedNode) else "")
    return names


# --- one stream (Turtle, TriG, RDF/XML, JSON-LD, ...) -----------------------------------------


def _load_stream(ox_store: ox.Store, plan: LoadPlan, lenient: bool, bar: Any) -> int:
    """One ``bulk_load`` call (or a quad rewrite when a dataset file goes to one graph)."""
    before = len(ox_store)
    base = plan.path.resolve().as_uri()
    rate = _Rate(bar)
    try:
        if plan.fmt.supports_datasets and not plan.keep_graphs:
            target = ox.NamedNode(plan.to_graph)
            ox_store.bulk_extend(
                ox.Quad(q.subject, q.predicate, q.object, target)
                for q in rdfio.iter_quads(plan.path, format=plan.fmt)
            )
            rate.add(plan.size, 0)
        else:
            to_graph = ox.NamedNode(plan.to_graph)
            compressed = plan.path.suffix == ".gz"
            if bar is None and not compressed:
                ox_store.bulk_load(
                    path=str(plan.path), format=plan.fmt, base_iri=base, to_graph=to_graph,
                    lenient=lenient,
                )  # fmt: skip
                rate.add(plan.size, 0)
            else:
                with open(plan.path, "rb") as raw:
                    stream: IO[bytes] = raw
                    if compressed:
                        import gzip

                        stream = cast(IO[bytes], gzip.GzipFile(fileobj=raw, mode="rb"))
                    reader = cast(IO[bytes], _CountingReader(stream, raw.tell, rate))
                    ox_store.bulk_load(
                        input=reader,
                        format=plan.fmt, base_iri=base, to_graph=to_graph, lenient=lenient,
                    )  # fmt: skip
    except SyntaxError as exc:
        raise rdfio.parse_error(exc, str(plan.path)) from exc
    except (EOFError, ValueError) as exc:
        raise ParseError(f"cannot read: {exc}", source=str(plan.path)) from exc
    except OSError as exc:
        if "gzip" in str(exc).lower() or isinstance(exc, FileNotFoundError):
            raise ParseError(f"cannot read: {exc}", source=str(plan.path)) from exc
        raise StoreError(f"cannot write {plan.path} to the store: {exc}") from exc
    return len(ox_store) - before


# --- line formats, in parallel -----------------------------------------------------------------


@dataclass
class _Piece:
    start: int
    end: int
    first_line: int  # 1-based line number of ``start`` in the file
    lines: int


@dataclass
class _Job:
    pieces: list[_Piece]
    statements: int = 0

    @property
    def nbytes(self) -> int:
        return sum(p.end - p.start for p in self.pieces)

    def file_line(self, line: int) -> int:
        """A line number inside the joined job → the line number in the file."""
        for piece in self.pieces:
            if line <= piece.lines or piece is self.pieces[-1]:
                return piece.first_line + line - 1
            line -= piece.lines
        return line


@contextlib.contextmanager
def _plain_file(path: Path) -> Iterator[Path]:
    """The file itself, or for ``.gz`` a decompressed temporary copy (so it can be mapped)."""
    if path.suffix != ".gz":
        yield path
        return
    tmp_dir = tempfile.mkdtemp(prefix="kg-load-")
    try:
        plain = Path(tmp_dir) / path.stem
        try:
            with rdfio.open_input(path) as src, open(plain, "wb") as dst:
                shutil.copyfileobj(src, dst, 4 * 1024 * 1024)
        except (OSError, EOFError) as exc:
            raise ParseError(f"cannot read: {exc}", source=str(path)) from exc
        yield plain
    finally:
        shutil.rmtree(tmp_dir, ignore_errors=True)


def _statements(data: bytes) -> int:
    """Lines that hold a statement (not blank, not a comment) in a slice of a file."""
    lines = data.count(b"\n") + (1 if len(data) and data[-1:] != b"\n" else 0)
    if any(m in data for m in (b"\n\n", b"\n#", b"\n ", b"\n\t", b"\n\r")) or data[:1] in (
        b"#",
        b"\n",
        b" ",
        b"\t",
        b"\r",
    ):
        lines -= len(_NOT_A_STATEMENT.findall(data)) - (1 if data[-1:] == b"\n" else 0)
    return lines


def _cut_points(mm: mmap.mmap, chunk_bytes: int) -> list[int]:
    """Line-aligned offsets near every ``chunk_bytes``, moved off blank-node lines."""
    size = len(mm)
    cuts = [0]
    target = chunk_bytes
    while target < size:
        nl = mm.find(b"\n", target)
        if nl < 0:
            break
        cut = nl + 1
        for _ in range(10_000):  # a blank node's statements are usually a few lines apart
            prev_start = mm.rfind(b"\n", 0, cut - 1) + 1
            next_end = mm.find(b"\n", cut)
            next_end = size if next_end < 0 else next_end
            if b"_:" not in mm[prev_start:cut] and b"_:" not in mm[cut:next_end]:
                break
            if next_end >= size:
                cut = size
                break
            cut = next_end + 1
        if cut >= size:
            break
        if cut > cuts[-1]:
            cuts.append(cut)
        target = cut + chunk_bytes
    cuts.append(size)
    return cuts


def _jobs(mm: mmap.mmap, chunk_bytes: int) -> list[_Job]:
    """Pieces grouped so that no blank-node label spans two ``bulk_load`` calls."""
    cuts = _cut_points(mm, chunk_bytes)
    pieces: list[_Piece] = []
    labels: list[set[bytes]] = []
    line = 1
    for start, end in zip(cuts, cuts[1:], strict=False):
        view = mm[start:end]
        count = view.count(b"\n")
        pieces.append(_Piece(start, end, line, count + (0 if view.endswith(b"\n") else 1)))
        labels.append(
            {m.rstrip(b".") for m in _BNODE_LABEL.findall(view)} if b"_:" in view else set()
        )
        line += count
    parent = list(range(len(pieces)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    owner: dict[bytes, int] = {}
    for i, found in enumerate(labels):
        for label in found:
            j = owner.setdefault(label, i)
            if j != i:
                parent[root(i)] = root(j)
    groups: dict[int, _Job] = {}
    for i, piece in enumerate(pieces):
        groups.setdefault(root(i), _Job([])).pieces.append(piece)
    return list(groups.values())


def _load_lines(
    ox_store: ox.Store, plan: LoadPlan, lenient: bool, workers: int, chunk_bytes: int, bar: Any
) -> int:
    """N-Triples / N-Quads: line-aligned chunks bulk-loaded by ``workers`` threads."""
    to_graph = ox.NamedNode(plan.to_graph)
    base = plan.path.resolve().as_uri()
    rate = _Rate(bar)
    with _plain_file(plan.path) as plain, open(plain, "rb") as fh:
        if os.fstat(fh.fileno()).st_size == 0:
            rate.add(plan.size, 0)
            return 0
        with mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mm:
            # every worker gets a share even of a small file; no chunk below 4 MB
            per_worker = -(-len(mm) // workers)
            jobs = _jobs(mm, min(chunk_bytes, max(MIN_CHUNK_BYTES, per_worker)))
            scale = plan.size / len(mm)  # progress in bytes of the (maybe compressed) file

            def run(job: _Job) -> int:
                if len(job.pieces) == 1:
                    data = mm[job.pieces[0].start : job.pieces[0].end]
                else:
                    data = b"".join(mm[p.start : p.end] for p in job.pieces)
                try:
                    ox_store.bulk_load(
                        input=data, format=plan.fmt, base_iri=base, to_graph=to_graph,
                        lenient=lenient,
                    )  # fmt: skip
                except SyntaxError as exc:
                    err = rdfio.parse_error(exc, str(plan.path))
                    line = job.file_line(exc.lineno) if exc.lineno else None
                    raise ParseError(
                        err.reason, source=str(plan.path), line=line, column=exc.offset
                    ) from exc
                job.statements = _statements(data)
                rate.add(int(job.nbytes * scale), job.statements)
                return job.statements

            if len(jobs) == 1 or workers == 1:
                return _wrap_os_errors(lambda: sum(run(job) for job in jobs), plan)
            with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="kg-load") as pool:
                futures: list[Future[int]] = [pool.submit(run, job) for job in jobs]
                try:
                    return sum(f.result() for f in as_completed(futures))
                except BaseException:
                    for future in futures:
                        future.cancel()
                    wait(futures)  # running loads finish before the generation is dropped
                    raise _first_error(futures, plan) from None


def _first_error(futures: list[Future[int]], plan: LoadPlan) -> BaseException:
    """The error to report when several chunks failed: the earliest parse error in the file."""
    errors = [f.exception() for f in futures if f.done() and not f.cancelled() and f.exception()]
    parse = [e for e in errors if isinstance(e, ParseError)]
    if parse:
        return min(parse, key=lambda e: e.line or 0)
    first: BaseException = StoreError(f"loading {plan.path} was interrupted")
    for error in errors:
        if error is not None:
            first = error
            break
    if isinstance(first, OSError):
        return StoreError(f"cannot write {plan.path} to the store: {first}")
    return first


def _wrap_os_errors(fn: Any, plan: LoadPlan) -> int:
    try:
        return int(fn())
    except KGError:
        raise
    except OSError as exc:
        raise StoreError(f"cannot write {plan.path} to the store: {exc}") from exc
