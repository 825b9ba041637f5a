"""The one writer of an embedded store: small SPARQL updates in place, published in bursts.

A generation per update (a clone of the store, opened, written, closed, published) costs tens
of milliseconds and grows with the store. Instead, one long-lived process per store — started
on the first update by whichever process needs it, found again through an abstract Unix socket
named after the store's path, gone after a quiet spell — holds ``live``, a read-write RocksDB
store, and:

1. applies each update as its own transaction (all of it or none of it);
2. acknowledges it once RocksDB has written it to its log: a kill -9 of any process after
   that loses nothing (the next writer, or the next build, publishes it);
3. publishes ``live`` as a new generation (a RocksDB checkpoint: hard links, taken by a
   second thread while updates go on) whenever updates are unpublished, and lets go of the
   write lock only when everything committed is published, so a build never starts from a
   generation that lacks an acknowledged update. Readers that started after an
   acknowledgement wait for it (:meth:`Generations.settle`).

When a build or a Graph Store write publishes a generation of its own, the writer notices
(``live.base`` is no longer ``current``) and starts again from that generation.

Clients reach it through :mod:`kg.store.writer_client`.
"""

from __future__ import annotations

import fcntl
import gc
import logging
import os
import queue
import shutil
import socket
import sys
import threading
import time
from pathlib import Path
from typing import Any

from kg.store.generations import Generations, clone_generation, table_files
from kg.store.writer_client import address, peer_credentials, recv_frame, send_frame

log = logging.getLogger(__name__)

#: a writer with nothing to do for this long closes its store and exits
IDLE_SECONDS = 20.0
#: a publication waits this long for more updates of the same burst
PAUSE_SECONDS = 0.001
#: compact ``live`` when it has this many table files (each publication flushes a few)
COMPACT_AT = 96
#: memory the writer may use beyond KG_MAX_MEMORY_MB: RocksDB's write buffers and caches
ROCKSDB_HEADROOM_MB = 512


# --- the writer process ----------------------------------------------------------------------


class _Job:
    __slots__ = ("done", "reply", "request")

    def __init__(self, request: dict[str, Any]) -> None:
        self.request = request
        self.reply: dict[str, Any] = {}
        self.done = threading.Event()


class Writer:
    """The writer process of one store (``python -m kg.store.writer ROOT``).

    Two threads: the committer applies updates one at a time and acknowledges each at once;
    the publisher checkpoints ``live`` into a new generation whenever there are unpublished
    updates (RocksDB checkpoints run beside writes). ``write.lock`` is held from the first
    unpublished update until everything committed is published."""

    def __init__(self, root: Path, idle: float = IDLE_SECONDS) -> None:
        self.root = Path(root)
        self.gens = Generations(self.root)
        self.idle = idle
        self.jobs: queue.Queue[_Job] = queue.Queue()
        self.state = threading.Condition()
        self.store: Any = None
        self.lock_file: Any = None  # write.lock while held
        committed, published = self.gens.read_seq()
        self.committed = self.published = max(committed, published)
        self.applying = False  # an update is being applied (outside ``state``)
        self.connections = 0
        self.listener: socket.socket | None = None
        self.stopping = False

    # -- the lock and the live store (under ``state``) ---------------------------------------
    def _acquire(self) -> None:
        if self.lock_file is not None:
            return
        lock_file = open(self.root / "write.lock", "a+")  # noqa: SIM115 - held across calls
        fcntl.flock(lock_file, fcntl.LOCK_EX)
        self.lock_file = lock_file
        try:
            if self.store is None:  # a writer before us may have died with updates pending
                self.gens.recover_live()
            self._follow()
        except BaseException:
            self._close()
            self._release()
            raise

    def _release(self) -> None:
        if self.lock_file is not None:
            self.lock_file.close()  # closing the file releases the flock
            self.lock_file = None

    def _follow(self) -> None:
        """Make ``live`` hold the current generation's content (under the lock)."""
        import pyoxigraph as ox  # noqa: PLC0415

        current = self.gens.version()
        if self.store is not None and self.gens.live_is_ahead():
            return
        self._close()
        live = self.gens.live
        if not ((live / "CURRENT").exists() and self.gens.live_is_ahead()):
            shutil.rmtree(live, ignore_errors=True)
            tmp = self.root / "live.tmp"
            shutil.rmtree(tmp, ignore_errors=True)
            path = self.gens.current()
            if path is not None and path.is_dir():
                clone_generation(path, tmp)
            else:
                tmp.mkdir(parents=True)
            os.rename(tmp, live)
            self.gens.set_live_base(current)
        self.store = ox.Store(str(live))

    def _close(self) -> None:
        if self.store is not None:
            self.store = None
            gc.collect()

    # -- the committer ------------------------------------------------------------------------
    def _apply(self, request: dict[str, Any]) -> dict[str, Any]:
        if request.get("op") != "update":
            return {"ok": False, "type": "ValueError", "message": "unknown operation"}
        with self.state:
            self._acquire()
            store = self.store
            self.applying = True  # the publisher keeps the lock until this one is done
        try:
            # outside ``state``: the publisher's checkpoint may run meanwhile
            store.update(request["sparql"], base_iri=request.get("base_iri"))
        except (SyntaxError, ValueError, RuntimeError, OSError, MemoryError) as exc:
            with self.state:
                self.applying = False
                if self.committed == self.published:
                    self._release()  # nothing pending: builds may go on
            return {"ok": False, "type": type(exc).__name__, "message": str(exc)}
        with self.state:
            self.applying = False
            self.committed += 1
            # the counters say "committed" before the client hears "ok": a reader that
            # starts after the acknowledgement waits for the publication
            self.gens.write_seq(self.committed, self.published)
            self.state.notify_all()
        return {"ok": True}

    def serve(self) -> None:
        """Take jobs until idle (everything published by then)."""
        committed, published = self.gens.read_seq()
        if committed > published:  # started to publish what a killed writer left pending
            with self.state:
                self._acquire()
                self._release()
        publisher = threading.Thread(target=self._publish_loop, daemon=True)
        publisher.start()
        while True:
            try:
                job = self.jobs.get(timeout=self.idle)
            except queue.Empty:
                if self._stop_listening():
                    break
                continue
            try:
                job.reply = self._apply(job.request)
            except Exception as exc:  # e.g. a full disk while following a new generation
                log.exception("writer fault")
                kind = "OSError" if isinstance(exc, OSError) else "RuntimeError"
                job.reply = {"ok": False, "type": kind, "message": str(exc)}
            job.done.set()
        with self.state:
            self.stopping = True
            self.state.notify_all()
        publisher.join()

    # -- the publisher ------------------------------------------------------------------------
    def _publish_loop(self) -> None:
        while True:
            with self.state:
                while self.committed == self.published and not self.stopping:
                    self.state.wait()
                if self.committed == self.published:
                    return  # stopping, nothing pending
                target, store = self.committed, self.store
            time.sleep(PAUSE_SECONDS)  # let a burst gather: one checkpoint for all of it
            with self.state:
                target = self.committed
            try:
                self._publish(store, target)
            except Exception:
                log.exception("publication failed; retrying")
                time.sleep(0.5)
            # no reference may outlive the publication: the committer closes and reopens
            # ``live`` when it follows a generation published by someone else
            store = None

    def _publish(self, store: Any, target: int) -> None:
        """``live`` (at least ``target`` updates) → a new generation, then readers move."""
        if table_files(self.gens.live) > COMPACT_AT:
            store.optimize()  # each checkpoint flushed a few small table files
        number = self.gens.next_number()
        tmp = self.root / f"gen-{number:06d}.tmp"
        store.backup(str(tmp))  # a RocksDB checkpoint; updates go on meanwhile
        # named before the swap: killed in between, the next writer still knows that
        # ``live`` is ahead of ``current`` and publishes it (Generations.live_is_ahead)
        self.gens.set_live_base(f"gen-{number:06d}")
        self.gens.publish(tmp, number)
        with self.state:
            self.published = target
            self.gens.write_seq(self.committed, self.published)
            if self.committed == self.published and not self.applying:
                self._release()

    def _stop_listening(self) -> bool:
        """Idle: stop taking connections; stop unless a client is still talking to us."""
        listener, self.listener = self.listener, None
        if listener is not None:
            listener.close()
        with self.state:
            busy = self.connections > 0
        return not busy and self.jobs.empty()

    # -- connections ----------------------------------------------------------------------
    def listen(self) -> bool:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            sock.bind(address(self.root))
        except OSError:
            sock.close()
            return False  # another writer has it
        sock.listen(64)
        self.listener = sock
        threading.Thread(target=self._accept, args=(sock,), daemon=True).start()
        return True

    def _accept(self, sock: socket.socket) -> None:
        while True:
            try:
                conn, _ = sock.accept()
            except OSError:
                return  # closed: idle
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _handle(self, conn: socket.socket) -> None:
        with self.state:
            self.connections += 1
        try:
            self._converse(conn)
        finally:
            with self.state:
                self.connections -= 1

    def _converse(self, conn: socket.socket) -> None:
        # an abstract socket has no file permissions: only our own user may write
        if peer_credentials(conn)[1] != os.getuid():
            conn.close()
            return
        conn.settimeout(60)  # a client that connects and says nothing does not keep us up
        with conn:
            while True:
                try:
                    request = recv_frame(conn)
                except (OSError, ValueError):
                    return
                if request is None:
                    return
                job = _Job(request)
                self.jobs.put(job)
                job.done.wait()
                try:
                    send_frame(conn, job.reply)
                except OSError:
                    return


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s writer[%(process)d] %(levelname)s %(message)s"
    )
    root = Path(args[0])
    memory_mb = int(args[1]) if len(args) > 1 else 0
    root.mkdir(parents=True, exist_ok=True)
    # one writer per store: a second one started in a race waits here, then finds the
    # socket taken (or free, when the first has gone idle) and acts on that
    with open(root / "writer.lock", "a+") as election:
        deadline = time.monotonic() + 30
        while True:
            try:
                fcntl.flock(election, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    return 0
                time.sleep(0.05)
        writer = Writer(root)
        if not writer.listen():
            return 0
        if memory_mb:
            from kg.checks.sandbox import limit_memory  # noqa: PLC0415

            # what one update may add, plus room for RocksDB's own buffers and caches
            limit_memory(memory_mb + ROCKSDB_HEADROOM_MB)
        try:
            writer.serve()
        finally:
            with writer.state:
                writer._close()
                writer._release()
    return 0


if __name__ == "__main__":
    sys.exit(main())
