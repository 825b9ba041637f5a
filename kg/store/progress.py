"""Progress of a bulk load: a byte-based bar and the statements/s it shows."""

from __future__ import annotations

import sys
import threading
import time
from typing import IO, Any


def _progress_bar(total: int, enabled: bool) -> Any:
    if not enabled:
        return None
    from tqdm import tqdm

    return tqdm(
        total=total,
        unit="B",
        unit_scale=True,
        unit_divisor=1024,
        file=sys.stderr,
        dynamic_ncols=True,
    )


class _Rate:
    """Triples/s shown next to the bytes bar; thread-safe (workers finish out of order)."""

    def __init__(self, bar: Any) -> None:
        self.bar = bar
        self.start = time.perf_counter()
        self.triples = 0
        self.lock = threading.Lock()

    def add(self, nbytes: int, triples: int) -> None:
        if self.bar is None:
            return
        with self.lock:
            self.triples += triples
            self.bar.update(nbytes)
            if self.triples:
                rate = self.triples / max(time.perf_counter() - self.start, 1e-9)
                self.bar.set_postfix_str(f"{self.triples:,} triples, {rate:,.0f} triples/s")


class _CountingReader:
    """A binary stream that reports how far it has been read (for the progress bar)."""

    def __init__(self, raw: IO[bytes], position: Any, rate: _Rate) -> None:
        self.raw, self.position, self.rate, self.seen = raw, position, rate, 0

    def read(self, size: int = -1) -> bytes:
        data = self.raw.read(size)
        now = self.position()
        self.rate.add(now - self.seen, 0)
        self.seen = now
        return data
