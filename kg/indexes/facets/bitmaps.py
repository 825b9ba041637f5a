"""Sets of item ids as bitmaps: Python integers in memory (bit ``i`` = item ``i``), trimmed
little-endian bytes on disk."""

from __future__ import annotations

from collections.abc import Iterable


def to_bytes(ids: Iterable[int]) -> tuple[int, bytes]:
    """A set of item ids as ``(first byte, little-endian bytes from it)``: a bitmap trimmed
    to the bytes between its first and last member."""
    ids = sorted(ids)
    first = ids[0] // 8
    buf = bytearray(ids[-1] // 8 - first + 1)
    for i in ids:
        buf[i // 8 - first] |= 1 << (i % 8)
    return first, bytes(buf)


def positions(matches: int, offset: int, limit: int) -> list[int]:
    """The ids (bit positions) of the ``offset``-th to ``offset + limit - 1``-th members."""
    if limit <= 0 or offset >= matches.bit_count():
        return []
    lo, hi = 0, matches.bit_length()
    while lo < hi:  # the smallest width holding more than ``offset`` members
        mid = (lo + hi) // 2
        if (matches & ((1 << mid) - 1)).bit_count() > offset:
            hi = mid
        else:
            lo = mid + 1
    position = lo - 1
    rest = matches >> position
    found: list[int] = []
    while rest and len(found) < limit:
        step = (rest & -rest).bit_length() - 1
        position += step
        found.append(position)
        rest >>= step + 1
        position += 1
    return found
