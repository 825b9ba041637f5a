"""Bulk writes to a remote store: chunks to staging graphs, one update to publish.

Bulk writes (``kg load``, ``kg build``) go through the Graph Store Protocol in chunks of
N-Quads into *staging* graphs ``urn:x-sgkg:staging:<run>:<n>`` and are then published with ONE
update request (``DROP SILENT GRAPH <target>; ADD <staging> TO <target>; DROP <staging>``):
one request is one transaction on Oxigraph, so readers see the old graph or the new one. A
chunk whose POST fails on a dropped connection is sent again: chunks hold no blank nodes, so
re-sending one is idempotent (RDF set semantics). Quads with blank nodes go in a last chunk to
their own staging graph that is dropped and re-sent whole on retry (a server gives each POST
fresh blank nodes). A checkpoint file records the last acknowledged chunk, so running the same
load again after the server came back resumes instead of starting over. A load that fails on
bad data drops its staging graphs: no half graph is left behind. While a load runs its staging
graphs are visible to union queries; they never carry the target graph's name.

N-Triples files (plain or .gz) into an Oxigraph server are not parsed here at all: they go as
raw line-aligned byte chunks (``CHUNK_BYTES``, ``UPLOADS_IN_FLIGHT`` at once) to
``/store?graph=…&no_transaction``, the server's bulk loader parses them, and a 400 is turned
into a ParseError naming file:line (found by parsing that one chunk here). Lines mentioning
``_:`` are held back and sent last as one document. The checkpoint is a byte offset.

"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sys
import time
import uuid
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg.errors import KGError, StoreUnavailable
from kg.store.base import LoadPlan, LoadReport, import_graph_iri
from kg.store.bulk_raw import RawUpload
from kg.store.staging import (  # noqa: F401  (CHUNK_*, STAGING_PREFIX: part of this API)
    CHUNK_BYTES,
    CHUNK_TRIPLES,
    STAGING_PREFIX,
    UPLOAD_TIMEOUT,
    _graph_ref,
    _has_bnode,
    _raw_pieces,
    _split_bnode_lines,
    _Staging,
    _statement_count,
    _target_of,
)


class BulkLoading(RawUpload):
    """The bulk-writing half of :class:`kg.store.remote.RemoteStore` (a mixin)."""

    # provided by RemoteStore
    retries: int
    timeout: float
    chunk_triples: int
    chunk_lines: int | None
    chunk_bytes: int
    checkpoint_dir: Path
    base_iri: str
    url: str
    endpoints: Any
    _send: Any
    _check: Any
    _run_update: Any
    _gsp_url: Any
    query: Any
    select_values: Any
    named_graphs: Any

    def _post_chunk(
        self, quads: list[ox.Quad], *, transactional: bool, retries: int | None = None
    ) -> int:
        """POST N-Quads to the GSP dataset URL; retried on dropped connections. Returns
        the number of retries it took."""
        body = ox.serialize(quads, format=ox.RdfFormat.N_QUADS) or b""
        return self._post_body(
            self.endpoints.store, body, "application/n-quads", transactional, "", retries
        )

    def _post_body(
        self,
        url: str,
        body: bytes,
        content_type: str,
        transactional: bool,
        what: str = "",
        retries: int | None = None,
    ) -> int:
        """POST a document to a GSP URL, sent again on a dropped connection (the caller
        makes sure that is idempotent). Returns the number of retries it took."""
        retries = self.retries if retries is None else retries
        if not transactional and self.endpoints.flavour == "oxigraph":
            url += ("&" if "?" in url else "?") + "no_transaction"
        for attempt in range(retries + 1):
            try:
                self._check(
                    self._send(
                        "POST",
                        url,
                        data=body,
                        headers={"Content-Type": content_type},
                        timeout=max(self.timeout, UPLOAD_TIMEOUT),
                    ),
                    what or "bulk upload",
                )
                return attempt
            except StoreUnavailable:
                if attempt == retries:
                    raise
                time.sleep(min(0.2 * 2**attempt, 5.0))
        return retries  # pragma: no cover

    def _stage(
        self,
        quads: Iterable[ox.Quad],
        staging: _Staging,
        graph: str | None,
        *,
        on_ack: Any = None,
        progress: Any = None,
    ) -> int:
        """Send ``quads`` to staging graphs in chunks; returns the retry count.

        One chunk is in flight (a worker thread) while the next one is parsed, and chunks
        are acknowledged in order, so the checkpoint never runs ahead of the server."""
        retries = 0
        chunk: list[ox.Quad] = []
        with_bnodes: list[ox.Quad] = []
        number = 0
        pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kg-upload")
        pending: tuple[int, Future[int]] | None = None

        def settle() -> None:
            nonlocal retries, pending
            if pending is None:
                return
            done_number, future = pending
            pending = None
            retries += future.result()
            staging.acked = done_number
            if on_ack is not None:
                on_ack(staging)

        def flush() -> None:
            nonlocal number, pending, chunk
            number += 1
            if number > staging.acked:  # chunks up to ``acked`` reached the server earlier
                settle()
                pending = (number, pool.submit(self._post_chunk, chunk, transactional=False))
            staging.chunks = number
            chunk = []

        try:
            for quad in quads:
                target = _target_of(quad, graph)
                bnodes = _has_bnode(quad)
                stage = ox.NamedNode(staging.staging_for(target, bnodes))
                moved = ox.Quad(quad.subject, quad.predicate, quad.object, stage)
                (with_bnodes if bnodes else chunk).append(moved)
                staging.triples += 1
                if len(chunk) >= staging.chunk_triples:
                    if progress is not None:
                        progress.update(len(chunk))
                    flush()
            if chunk:
                if progress is not None:
                    progress.update(len(chunk))
                flush()
            settle()
        finally:
            if pending is not None:  # an error while parsing: let the upload finish first
                with contextlib.suppress(Exception):
                    pending[1].result()
            pool.shutdown(wait=True)
        if with_bnodes and staging.direct:
            # One document (bulk-loaded); if it fails we cannot tell how much of it was
            # applied, so the load starts that graph over (it was empty before).
            staging.phase = "bnodes"
            if on_ack is not None:
                on_ack(staging)
            # not re-sent: a lost answer would leave the blank nodes in twice
            self._post_chunk(with_bnodes, transactional=False, retries=0)
            if progress is not None:
                progress.update(len(with_bnodes))
        elif with_bnodes:
            # Blank nodes must arrive in one document; a retry starts that graph afresh.
            drop = " ;\n".join(f"DROP SILENT GRAPH <{g}>" for g in staging.bnode_graphs.values())
            for attempt in range(self.retries + 1):
                try:
                    self._run_update(drop, bump=False)
                    self._post_chunk(with_bnodes, transactional=True)
                    break
                except StoreUnavailable:
                    if attempt == self.retries:
                        raise
                    retries += 1
                    time.sleep(min(0.2 * 2**attempt, 5.0))
            if progress is not None:
                progress.update(len(with_bnodes))
        return retries

    def _publish(self, staging: _Staging, replace: Iterable[str]) -> None:
        """One update: drop replaced graphs, add every staging graph to its target."""
        steps = [f"DROP SILENT {_graph_ref(t)}" for t in replace]
        for table in (staging.graphs, staging.bnode_graphs):
            for target, stage in table.items():
                if stage == target:  # direct load: already in place
                    continue
                steps.append(f"ADD SILENT GRAPH <{stage}> TO {_graph_ref(target)}")
                steps.append(f"DROP SILENT GRAPH <{stage}>")
        for attempt in range(self.retries + 1):
            try:
                self._run_update(" ;\n".join(steps))
                return
            except StoreUnavailable:
                # Did the update commit before the connection dropped? Then staging is gone.
                with contextlib.suppress(StoreUnavailable):
                    if not self._staging_left(staging):
                        return
                if attempt == self.retries:
                    raise
                time.sleep(min(0.2 * 2**attempt, 5.0))

    def _staging_left(self, staging: _Staging) -> bool:
        graphs = " ".join(f"<{g}>" for g in staging.all_staging())
        if not graphs:
            return False
        return bool(self.query(f"ASK {{ VALUES ?g {{ {graphs} }} GRAPH ?g {{ ?s ?p ?o }} }}"))

    def drop_staging(self, staging: _Staging | None = None) -> None:
        """Drop staging graphs: the given run's, or every one left by killed loads."""
        if staging is not None:
            graphs = staging.all_staging()
        else:
            rows = self.select_values("SELECT DISTINCT ?g WHERE { GRAPH ?g { } }")
            graphs = [
                r[0].value
                for r in rows
                if isinstance(r[0], ox.NamedNode) and r[0].value.startswith(STAGING_PREFIX)
            ]
        if graphs:
            self._run_update(" ;\n".join(f"DROP SILENT GRAPH <{g}>" for g in graphs), bump=False)

    def write_dataset(
        self,
        quads: Iterable[ox.Quad],
        *,
        replace: Iterable[str] | None = None,
        owned: Callable[[str], bool] | None = None,
    ) -> LoadReport:
        """Publish ``quads`` atomically (``kg build``, ``kg link``).

        ``replace``: ``None`` replaces every graph that receives quads; an iterable names
        the graphs to drop first ("" is the default graph); graphs not named are merged
        into. ``owned(iri)``
        marks further graphs of the store to drop (the build's curated graphs that the new
        build no longer produces). All of it is one update request.
        """
        start = time.perf_counter()
        staging = _Staging(run=uuid.uuid4().hex[:12], chunk_triples=self.chunk_triples)
        try:
            retries = self._stage(quads, staging, None)
            targets = list(staging.graphs) + [
                t for t in staging.bnode_graphs if t not in staging.graphs
            ]
            dropped = targets if replace is None else list(replace)
            if owned is not None:
                dropped += [g for g in self.named_graphs() if owned(g) and g not in dropped]
            self._publish(staging, dropped)
        except BaseException:
            with contextlib.suppress(KGError):
                self.drop_staging(staging)
            raise
        return LoadReport(
            triples=staging.triples,
            seconds=time.perf_counter() - start,
            graphs=sorted(targets),
            chunks=staging.chunks,
            retries=retries,
        )

    def load_file(
        self,
        path: str | os.PathLike[str],
        graph: str | None = None,
        replace: bool = False,
        progress: bool = False,
        *,
        format: str | None = None,
        base_iri: str | None = None,
    ) -> LoadReport:
        """Bulk-load one RDF file (any format kg.rdfio reads, gzip too).

        Triples go to ``graph`` (default ``{base}graph/import/{file-stem}``); quads keep
        their graphs unless ``graph`` is given. ``replace`` swaps the target graph(s).

        Two paths. Into a graph that has data (``replace`` or appending to it): staging
        graphs, then one update that swaps them in, so readers never see half a load.
        Into a *new or empty* graph on Oxigraph (the usual ``kg load``): chunks go straight
        into it with Oxigraph's bulk loader, because Oxigraph has no server-side graph rename
        and its ``ADD``/``DROP`` copy quad by quad (about 40k quads/s, several times slower
        than the load itself). The new graph fills up while the load runs; if the load
        fails, the graph is dropped, so no half graph is left behind.
        """
        from kg import rdfio  # noqa: PLC0415

        path = Path(path)
        fmt = rdfio.guess_format(path, format)
        if graph is None and not fmt.supports_datasets:
            graph = import_graph_iri(path, self.base_iri)
        stat = path.stat()
        key = f"{path.resolve()}|{stat.st_size}|{stat.st_mtime_ns}|{graph}|{replace}|{self.url}"
        run = hashlib.sha256(key.encode()).hexdigest()[:16]
        checkpoint = self.checkpoint_dir / f"{run}.json"
        staging = _Staging(run=run, chunk_triples=self.chunk_triples)
        resumed = 0
        saved: dict[str, Any] = {}
        if checkpoint.is_file():
            with contextlib.suppress(ValueError, OSError):
                saved = json.loads(checkpoint.read_text())
        raw = fmt == ox.RdfFormat.N_TRIPLES and self.endpoints.flavour == "oxigraph"
        raw = raw and graph is not None
        if saved.get("direct") and saved.get("phase") == "bnodes" and not raw:
            # the blank-node document may or may not have landed: start that graph over
            self._run_update(f"DROP SILENT GRAPH <{graph}>", bump=False)
            saved = {}
        if saved:
            staging.acked = resumed = int(saved["acked"])
            staging.offset = int(saved.get("offset", 0))
            staging.graphs = dict(saved["graphs"])
            staging.direct = bool(saved.get("direct"))
            staging.acked_bnodes_unknown = saved.get("phase") == "bnodes"
        elif graph is not None and self.endpoints.flavour == "oxigraph":
            staging.direct = not self.query(f"ASK {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")

        def save(state: _Staging) -> None:
            self.checkpoint_dir.mkdir(parents=True, exist_ok=True)
            tmp = checkpoint.with_suffix(".tmp")
            tmp.write_text(json.dumps(state.checkpoint()))
            os.replace(tmp, checkpoint)

        start = time.perf_counter()
        bar = None
        if progress:
            from tqdm import tqdm  # noqa: PLC0415

            bar = tqdm(unit=" triples", unit_scale=True, desc=path.name, file=sys.stderr)
        try:
            if raw:
                assert graph is not None
                save(staging)  # a killed load is resumed (or cleaned up) by the next one
                retries = self._stage_raw(path, staging, graph, on_ack=save, progress=bar)
            else:
                quads = rdfio.iter_quads(path, format=fmt, base_iri=base_iri)
                retries = self._stage(quads, staging, graph, on_ack=save, progress=bar)
            targets = sorted(set(staging.graphs) | set(staging.bnode_graphs))
            # a direct load filled an empty graph in place: nothing to replace
            self._publish(staging, targets if replace and not staging.direct else [])
        except StoreUnavailable as exc:
            save(staging)
            raise StoreUnavailable(
                f"{exc} — {staging.acked} chunk(s) of {path} reached the server; run the same "
                "load again to resume (checkpoint kept)"
            ) from exc
        except BaseException:
            with contextlib.suppress(KGError):
                if staging.direct:
                    self._run_update(f"DROP SILENT GRAPH <{graph}>")
                else:
                    self.drop_staging(staging)
            checkpoint.unlink(missing_ok=True)
            raise
        finally:
            if bar is not None:
                bar.close()
        checkpoint.unlink(missing_ok=True)
        return LoadReport(
            triples=staging.triples,
            seconds=time.perf_counter() - start,
            graphs=[t or "DEFAULT" for t in targets],
            chunks=staging.chunks,
            retries=retries,
            resumed_from=resumed,
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
        """Each file in its own resumable load (:meth:`load_file`); ``lenient``, ``workers``
        and ``chunk_bytes`` are for the embedded loader (the server parses here)."""
        start = time.perf_counter()
        triples, graphs = 0, set()
        for plan in plans:
            to_graph = None if plan.keep_graphs else plan.to_graph
            report = self.load_file(plan.path, to_graph, replace, progress)
            triples += report.triples
            graphs.update(report.graphs)
        return LoadReport(
            triples=triples,
            seconds=time.perf_counter() - start,
            graphs=sorted(graphs),
            files=len(plans),
            bytes=sum(p.size for p in plans),
        )
