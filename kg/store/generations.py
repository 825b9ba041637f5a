"""Generations of an embedded pyoxigraph store on disk.

Layout (``KG_STORE`` is a directory)::

    var/store/
      current -> gen-000007      # symlink, swapped atomically (rename of a new symlink)
      gen-000006/  gen-000007/   # published generations: RocksDB dirs, never written again
      gen-000008.tmp/            # a write in progress (or one killed mid-way: swept later)
      live/                      # the writer's read-write store (small updates, in place)
      live.base                  # the generation whose content ``live`` had when last published
      seq                        # two counters: updates committed in ``live``, and published
      write.lock                 # flock held by whoever changes ``current``

Readers open the generation ``current`` points at, read-only, and reopen when it moves, so a
new build becomes visible without restarting anything. Each reader holds a shared ``flock`` on
the directory of the generation it has open; a generation is removed only when nobody holds it
(an exclusive ``flock`` succeeds), so disk use is bounded by what is being read, not by time.

Two ways to write:

* **a whole generation** (builds, loads, Graph Store writes): :meth:`Generations.writer`
  clones the current generation (hard links for the immutable table files, copies of the
  rest; RocksDB's info logs are left behind) or starts empty, writes into the clone and
  publishes it by swapping the symlink;
* **small SPARQL updates** (:mod:`kg.store.writer`): one long-lived writer process applies
  each update in place to ``live`` as its own transaction, acknowledges it once RocksDB has
  written it to its log (a kill -9 loses nothing acknowledged), and publishes ``live`` as a
  new generation (a RocksDB checkpoint) as soon as the burst of updates pauses. Readers that
  start after an acknowledged update wait for that publication (:meth:`Generations.settle`),
  so a client reads its own writes and never sees part of an update.

A write that fails or is killed at any moment leaves ``current`` as it was.
"""

from __future__ import annotations

import contextlib
import fcntl
import gc
import logging
import os
import re
import shutil
import struct
import time
import traceback
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox

log = logging.getLogger(__name__)

_GEN = re.compile(r"^gen-(\d{6,})$")
#: generations kept besides the ones readers hold (a new reader may be opening the last ones)
KEEP_GENERATIONS = 2
#: a generation with more table files than this is compacted before it is published
MAX_TABLE_FILES = 160
_SEQ = struct.Struct("!QQ")


def _number(name: str | None) -> int | None:
    match = _GEN.match(name or "")
    return int(match.group(1)) if match else None


def clone_generation(src: Path, dst: Path) -> None:
    """A RocksDB checkpoint by hand: hard-link immutable table files, copy the rest.

    RocksDB's info logs (``LOG``, ``LOG.old.*``: one more per open) and the lock file are
    not part of the data and are not carried from one generation to the next."""
    dst.mkdir(parents=True)
    for entry in os.scandir(src):
        name = entry.name
        if name == "LOCK" or name.startswith("LOG") or not entry.is_file():
            continue
        target = dst / name
        if name.endswith((".sst", ".blob")):
            try:
                os.link(entry.path, target)
                continue
            except OSError:
                pass  # other file system: fall back to a copy
        shutil.copy2(entry.path, target)


def table_files(path: Path) -> int:
    with contextlib.suppress(OSError):
        return sum(1 for e in os.scandir(path) if e.name.endswith(".sst"))
    return 0


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _close_store(store: ox.Store | None) -> None:
    """Drop our reference and collect: RocksDB closes when the last reference goes."""
    del store
    gc.collect()


class Generations:
    """The generations under ``root``: which one is current, the writers, the readers."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self._current_link = str(self.root / "current")  # read on every request: no Path math
        self._seq_path = str(self.root / "seq")
        self._seq_fd: int | None = None
        self._seq_pid = 0

    # -- where things are ------------------------------------------------------------------
    def current(self) -> Path | None:
        try:
            target = os.readlink(self.root / "current")
        except OSError:
            return None
        return self.root / target

    def version(self) -> str:
        try:
            return os.readlink(self._current_link)
        except OSError:
            return "empty"

    @property
    def live(self) -> Path:
        return self.root / "live"

    def live_base(self) -> str | None:
        try:
            return (self.root / "live.base").read_text().strip() or None
        except OSError:
            return None

    def set_live_base(self, name: str) -> None:
        tmp = self.root / f"live.base.{os.getpid()}.tmp"
        tmp.write_text(name + "\n")
        os.replace(tmp, self.root / "live.base")

    # -- the update counters ---------------------------------------------------------------
    def _seq_handle(self) -> int | None:
        if self._seq_fd is not None and self._seq_pid == os.getpid():
            return self._seq_fd
        try:
            fd = os.open(self._seq_path, os.O_RDONLY)
        except OSError:
            return None
        self._seq_fd, self._seq_pid = fd, os.getpid()
        return fd

    def read_seq(self) -> tuple[int, int]:
        """(updates committed in ``live``, updates published as a generation)."""
        fd = self._seq_handle()
        if fd is None:
            return 0, 0
        data = os.pread(fd, _SEQ.size, 0)
        if len(data) < _SEQ.size:
            return 0, 0
        committed, published = _SEQ.unpack(data)
        return committed, published

    def write_seq(self, committed: int, published: int) -> None:
        """Written by the one writer only (``pwrite`` of 16 bytes in place)."""
        fd = os.open(self._seq_path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            os.pwrite(fd, _SEQ.pack(committed, published), 0)
        finally:
            os.close(fd)

    def settle(self, timeout: float = 10.0) -> None:
        """Wait until every update acknowledged so far is published (read your writes).

        Costs one ``pread`` when nothing is pending. If the writer died between an
        acknowledgement and its publication, a writer is started: it publishes on start."""
        committed, published = self.read_seq()
        if published >= committed:
            return
        deadline = time.monotonic() + timeout
        nudge = time.monotonic() + 1.0
        delay = 0.0005
        while True:
            time.sleep(delay)
            delay = min(delay * 2, 0.01)
            if self.read_seq()[1] >= committed:
                return
            now = time.monotonic()
            if now > nudge:
                from kg.store import writer_client  # noqa: PLC0415

                writer_client.ensure_running(self.root)
                nudge = now + 2.0
            if now > deadline:
                log.warning("updates up to %d not published after %.0f s", committed, timeout)
                return

    # -- readers ---------------------------------------------------------------------------
    def open_reader(self) -> tuple[str, ox.Store, int]:
        """(generation name, a read-only store on it, the fd holding its shared lock)."""
        for _ in range(50):
            name = self.version()
            if name == "empty":
                raise FileNotFoundError(f"no generation under {self.root}")
            path = self.root / name
            try:
                fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
            except FileNotFoundError:
                continue  # pruned between readlink and open: read the link again
            fcntl.flock(fd, fcntl.LOCK_SH)
            if not os.path.exists(path / "CURRENT"):  # removed while we waited for the lock
                os.close(fd)
                continue
            try:
                return name, ox.Store.read_only(str(path)), fd
            except OSError:
                os.close(fd)
                raise
        raise FileNotFoundError(f"the current generation under {self.root} keeps moving")

    # -- writers ---------------------------------------------------------------------------
    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        """The write lock: whoever holds it may change ``current``."""
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / "write.lock", "a+") as lock_file:
            fcntl.flock(lock_file, fcntl.LOCK_EX)
            yield

    @contextlib.contextmanager
    def writer(self, *, fresh: bool = False, compact: bool = False) -> Iterator[ox.Store]:
        """Yield a writable store; publish it when the block ends without an exception.

        ``fresh=True`` starts from an empty store instead of a clone of the current one;
        ``compact=True`` compacts it (RocksDB ``optimize``) before publishing, as bulk loads
        and builds do, so the published generation is as small and fast as ``oxigraph load``
        leaves a store (a clone with many table files is compacted too).
        Only one writer runs at a time (``flock``); readers are never blocked.
        """
        with self.lock():
            self._sweep()
            self.recover_live()
            number = self.next_number()
            tmp = self.root / f"gen-{number:06d}.tmp"
            current = self.current()
            if not fresh and current is not None and current.is_dir():
                clone_generation(current, tmp)
            store = ox.Store(str(tmp))
            try:
                yield store
                store.flush()
                if compact or table_files(tmp) > MAX_TABLE_FILES:
                    store.optimize()
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
            self.publish(tmp, number)

    def publish(self, tmp: Path, number: int) -> str:
        """Make the finished directory ``tmp`` the current generation (under the lock)."""
        final = self.root / f"gen-{number:06d}"
        os.rename(tmp, final)
        _fsync_dir(self.root)
        link_tmp = self.root / f"current.{os.getpid()}.tmp"
        with contextlib.suppress(FileNotFoundError):
            link_tmp.unlink()
        os.symlink(final.name, link_tmp)
        os.replace(link_tmp, self.root / "current")
        _fsync_dir(self.root)
        self.prune()
        return final.name

    def recover_live(self) -> None:
        """Publish updates a killed writer acknowledged but did not publish (under the lock).

        A live writer publishes before it lets go of the lock, so pending updates under the
        lock mean that the writer died: its ``live`` store is closed and can be opened."""
        committed, published = self.read_seq()
        if committed <= published or not (self.live / "CURRENT").exists():
            return
        if not self.live_is_ahead():
            log.error("pending updates in %s were made on another generation", self.live)
            return
        store = ox.Store(str(self.live))
        number = self.next_number()
        tmp = self.root / f"gen-{number:06d}.tmp"
        store.backup(str(tmp))
        _close_store(store)
        self.set_live_base(f"gen-{number:06d}")
        self.publish(tmp, number)
        self.write_seq(committed, committed)
        log.warning("published %d update(s) left pending by a killed writer", committed - published)

    def live_is_ahead(self) -> bool:
        """Whether ``live`` holds everything ``current`` holds (and maybe more).

        The writer names the generation it is about to publish in ``live.base`` before the
        swap, and numbers are never reused (:meth:`next_number` counts ``live.base``), so a
        ``live.base`` at or past ``current`` means no one else has published since."""
        base, current = _number(self.live_base()), _number(self.version())
        if current is None:
            return True  # nothing published yet: anything is ahead of that
        return base is not None and base >= current

    def next_number(self) -> int:
        numbers = [0, _number(self.live_base()) or 0]
        for entry in os.scandir(self.root):
            name = entry.name.removesuffix(".tmp")
            match = _GEN.match(name)
            if match:
                numbers.append(int(match.group(1)))
        return max(numbers) + 1

    def reclaim(self) -> bool:
        """Sweep what killed writers left and prune, if no writer is at work now."""
        if not self.root.is_dir():
            return False
        with open(self.root / "write.lock", "a+") as lock_file:
            try:
                fcntl.flock(lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return False
            self._sweep()
            self.prune()
            return True

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

    def prune(self) -> None:
        """Remove the generations nobody reads (a reader holds a shared lock on its own)."""
        current = self.version()
        gens = sorted(
            (e.name for e in os.scandir(self.root) if _GEN.match(e.name)),
            reverse=True,
        )
        for name in gens[KEEP_GENERATIONS:]:
            if name == current:
                continue
            path = self.root / name
            try:
                fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
            except OSError:
                continue
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                continue  # a reader still has it open
            try:
                shutil.rmtree(path, ignore_errors=True)
            finally:
                os.close(fd)
