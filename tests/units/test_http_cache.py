"""Direct unit tests of HTTP caching (``server.http_cache``): what changes an ETag, how
``If-None-Match`` is compared (RFC 9110 weak comparison), and the LRU's order and limits."""

from __future__ import annotations

import threading

import pytest

from server.http_cache import LRU, MAX_ENTRY_BYTES, etag_for, matches

TAG = etag_for("gen-000001", "SELECT * {}", "json", ())


def test_the_etag_is_stable_and_changes_with_the_version_and_every_part() -> None:
    assert etag_for("gen-000001", "SELECT * {}", "json", ()) == TAG
    assert len(TAG) == 32 and int(TAG, 16) >= 0  # 16 bytes, hex: safe inside quotes
    others = {
        etag_for("gen-000002", "SELECT * {}", "json", ()),  # a write made a new version
        etag_for("gen-000001", "SELECT * { }", "json", ()),  # the query text
        etag_for("gen-000001", "SELECT * {}", "csv", ()),  # the negotiated format
        etag_for("gen-000001", "SELECT * {}", "json", ("urn:g",)),  # the protocol dataset
        etag_for("gen-000001", "SELECT * {}", "json"),
        etag_for("gen-000001", "json", "SELECT * {}", ()),  # order matters
    }
    assert TAG not in others and len(others) == 6
    # parts are delimited: moving text from one part to the next is another answer
    assert etag_for("v", "ab", "c") != etag_for("v", "a", "bc")


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, False),
        ("", False),
        (f'"{TAG}"', True),
        (f'W/"{TAG}"', True),  # weak comparison: a weak validator matches
        (f'"other", W/"{TAG}"', True),
        (f'"a","b" ,  "{TAG}"', True),
        ("*", True),
        ('"other"', False),
        (f'"{TAG[:-1]}"', False),
        (f'"{TAG}x"', False),
    ],
)
def test_if_none_match(header: str | None, expected: bool) -> None:
    assert matches(header, TAG) is expected


def test_the_lru_evicts_the_least_recently_used() -> None:
    lru = LRU(2)
    lru.put("a", 1, 10)
    lru.put("b", 2, 10)
    assert lru.get("a") == 1  # a is now the most recent
    lru.put("c", 3, 10)
    assert lru.get("b") is None and lru.get("a") == 1 and lru.get("c") == 3
    lru.put("a", 4, 10)  # replacing refreshes too
    lru.put("d", 5, 10)
    assert lru.get("c") is None and lru.get("a") == 4 and lru.get("d") == 5
    assert (lru.hits, lru.misses) == (5, 2)


def test_the_lru_keeps_no_large_answer_and_can_be_off() -> None:
    lru = LRU(4)
    lru.put("big", b"x", MAX_ENTRY_BYTES + 1)
    lru.put("edge", b"y", MAX_ENTRY_BYTES)
    assert lru.get("big") is None and lru.get("edge") == b"y"
    off = LRU(0)
    off.put("a", 1, 1)
    assert off.get("a") is None
    lru.clear()
    assert lru.get("edge") is None


def test_the_lru_stays_bounded_under_concurrent_use() -> None:
    lru = LRU(50)

    def work(n: int) -> None:
        for i in range(500):
            lru.put((n, i), i, 1)
            lru.get((n, i - 1))

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(lru._data) == 50
    assert lru.hits + lru.misses == 8 * 500
