"""The raw N-Triples path of remote bulk loading: byte chunks straight to Oxigraph's bulk
loader, nothing parsed here (:mod:`kg.store.bulk`)."""

from __future__ import annotations

import contextlib
import gzip
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

from kg.errors import ParseError, QueryError, StoreUnavailable
from kg.store.staging import (
    UPLOADS_IN_FLIGHT,
    _locate,
    _raw_pieces,
    _split_bnode_lines,
    _Staging,
    _statement_count,
)


class RawUpload:
    """The raw-upload half of :class:`kg.store.bulk.BulkLoading` (a mixin)."""

    retries: int
    chunk_bytes: int
    chunk_lines: int | None
    _gsp_url: Any
    _post_body: Any
    _run_update: Any

    def _stage_raw(
        self,
        path: Path,
        staging: _Staging,
        graph: str,
        *,
        on_ack: Callable[[_Staging], None],
        progress: Any = None,
    ) -> int:
        """Stream an N-Triples file (plain or .gz) to the server as raw line-aligned chunks:
        no parsing here, Oxigraph parses (that is what makes a remote load fast).

        Chunks hold no blank node, so re-sending one is idempotent (RDF set semantics); up
        to ``UPLOADS_IN_FLIGHT`` are on the wire at once and they are acknowledged in order,
        so the checkpoint (a byte offset) never runs ahead of the server. Lines mentioning
        blank nodes are kept back and sent last as ONE document (a server gives each
        document fresh blank nodes: a chain split over two documents would break)."""
        from kg import rdfio  # noqa: PLC0415

        source = str(path)
        nt = "application/n-triples"
        retries = 0
        url = self._gsp_url(staging.staging_for(graph))
        pool = ThreadPoolExecutor(max_workers=UPLOADS_IN_FLIGHT, thread_name_prefix="kg-upload")
        pending: deque[tuple[int, int, Future[int]]] = deque()
        bnode_lines: list[bytes] = []
        numbers: list[int] = []

        def upload(body: bytes, data: bytes, first: int) -> int:
            try:
                return self._post_body(url, body, nt, False, "bulk upload")
            except QueryError as exc:  # the server's parser refused it: say where
                raise _locate(data, source, lambda n: first + n - 1, exc) from exc

        def settle() -> None:
            nonlocal retries
            number, end, future = pending.popleft()
            retries += future.result()
            staging.acked, staging.offset = number, end
            on_ack(staging)

        number = offset = 0
        line = 1
        try:
            with rdfio.open_input(path) as stream:
                for data in _raw_pieces(stream, self.chunk_bytes, self.chunk_lines):
                    number += 1
                    first, line, offset = line, line + data.count(b"\n"), offset + len(data)
                    body, found, where = _split_bnode_lines(data)
                    bnode_lines += found
                    numbers += [first + n for n in where]
                    staging.triples += _statement_count(data)
                    staging.chunks = number
                    if offset <= staging.offset:  # acknowledged by an earlier attempt
                        continue
                    while len(pending) >= UPLOADS_IN_FLIGHT:
                        settle()
                    if body.strip():
                        future = pool.submit(upload, body, data, first)
                    else:
                        future = Future()
                        future.set_result(0)
                    pending.append((number, offset, future))
                    if progress is not None:
                        progress.update(_statement_count(body))
            while pending:
                settle()
        except (OSError, EOFError, gzip.BadGzipFile) as exc:
            raise ParseError(f"cannot read: {exc}", source=source) from exc
        finally:
            for _, _, future in pending:  # an error: let the uploads in flight finish
                with contextlib.suppress(Exception):
                    future.result()
            pool.shutdown(wait=True)
        if bnode_lines:
            document = b"".join(bnode_lines)
            del bnode_lines
            staging.phase = "bnodes"
            on_ack(staging)
            try:
                retries += self._send_bnode_document(staging, graph, document)
            except QueryError as exc:
                raise _locate(document, source, lambda n: numbers[n - 1], exc) from exc
            if progress is not None:
                progress.update(len(numbers))
        return retries

    def _send_bnode_document(self, staging: _Staging, graph: str, document: bytes) -> int:
        """POST the blank-node document with the bulk loader; returns the retry count.

        After a dropped connection part of it may have landed. Its graph held no blank node
        before (a direct load fills a new graph and chunks never carry one; a staging graph
        is its own), so deleting every blank-node triple of that graph removes exactly
        what landed; the document's other lines (``_:`` inside a literal) are idempotent."""
        stage = staging.staging_for(graph, bnodes=True)
        if staging.direct:
            clean = (
                f"DELETE {{ GRAPH <{stage}> {{ ?s ?p ?o }} }} WHERE {{ GRAPH <{stage}> "
                "{ ?s ?p ?o FILTER(isBlank(?s) || isBlank(?o)) } }"
            )
        else:
            clean = f"DROP SILENT GRAPH <{stage}>"
        url = self._gsp_url(stage)
        for attempt in range(self.retries + 1):
            try:
                if attempt or staging.acked_bnodes_unknown:
                    self._run_update(clean, bump=False)
                self._post_body(url, document, "application/n-triples", False, "upload", 0)
                return attempt
            except StoreUnavailable:
                if attempt == self.retries:
                    raise
                time.sleep(min(0.2 * 2**attempt, 5.0))
        return self.retries  # pragma: no cover
