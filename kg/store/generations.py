"""Generations of an embedded pyoxigraph store on disk.

Layout (``KG_STORE`` is a directory)::

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
"""

from __future__ import annotations

import contextlib
import fcntl
import gc
import os
import re
import shutil
import time
import traceback
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox

_GEN = re.compile(r"^gen-(\d{6,})$")
KEEP_GENERATIONS = 3


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


class Generations:
    """The generations under ``root``: which one is current, and the one writer."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self._current_link = str(self.root / "current")  # read on every request: no Path math

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

    @contextlib.contextmanager
    def writer(self, *, fresh: bool = False, compact: bool = False) -> Iterator[ox.Store]:
        """Yield a writable store; publish it when the block ends without an exception.

        ``fresh=True`` starts from an empty store instead of a clone of the current one;
        ``compact=True`` compacts it (RocksDB ``optimize``) before publishing, as bulk loads
        and builds do, so the published generation is as small and fast as ``oxigraph load``
        leaves a store.
        Only one writer runs at a time (``flock``); readers are never blocked.
        """
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / "write.lock", "a+") as lock_file:
            fcntl.flock(lock_file, fcntl.LOCK_EX)
            self._sweep()
            number = self._next_number()
            tmp = self.root / f"gen-{number:06d}.tmp"
            current = self.current()
            if not fresh and current is not None and current.is_dir():
                clone_generation(current, tmp)
            store = ox.Store(str(tmp))
            try:
                yield store
                store.flush()
                if compact:
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
