"""Validated HTTP caching for query answers: ETags, 304s and a small per-process LRU.

The ETag is a hash of the store version (the published generation, which changes on every
write) and of everything that shapes the answer: the query text, the negotiated formats
and the protocol dataset. ``If-None-Match`` with that tag gets a 304 without running the
query; a repeated query is answered from the LRU without crossing to a query process.
Queries with SERVICE are neither tagged nor cached: the remote data is not versioned.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Hashable

#: answers larger than this are not kept (the LRU is for the many small repeated queries)
MAX_ENTRY_BYTES = 512 * 1024


def etag_for(version: str, *parts: object) -> str:
    digest = hashlib.blake2b(digest_size=16)
    digest.update(version.encode())
    for part in parts:
        digest.update(b"\x00")
        digest.update(repr(part).encode())
    return digest.hexdigest()


def matches(if_none_match: str | None, etag: str) -> bool:
    """RFC 9110 weak comparison of ``If-None-Match`` against our (strong) tag."""
    if not if_none_match:
        return False
    for candidate in if_none_match.split(","):
        tag = candidate.strip()
        if tag == "*":
            return True
        tag = tag.removeprefix("W/").strip('"')
        if tag == etag:
            return True
    return False


class LRU:
    """A thread-safe LRU of ``max_entries`` small values."""

    def __init__(self, max_entries: int = 256) -> None:
        self.max_entries = max_entries
        self._data: OrderedDict[Hashable, object] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: Hashable) -> object | None:
        with self._lock:
            value = self._data.get(key)
            if value is None:
                self.misses += 1
                return None
            self._data.move_to_end(key)
            self.hits += 1
            return value

    def put(self, key: Hashable, value: object, size: int) -> None:
        if size > MAX_ENTRY_BYTES or self.max_entries <= 0:
            return
        with self._lock:
            self._data[key] = value
            self._data.move_to_end(key)
            while len(self._data) > self.max_entries:
                self._data.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._data.clear()
