"""The per-version cache (kg.store.cache): computed once per version; stale-ok entries answer
the previous version's value while one background thread computes the new one."""

from __future__ import annotations

import threading
import time

import pytest

from kg.store import cache


class FakeStore:
    """Only what the cache asks of a store: a key and a version."""

    def __init__(self) -> None:
        self.v = "gen-1"

    def cache_key(self) -> str:
        return f"fake-{id(self)}"

    def version(self) -> str:
        return self.v


@pytest.fixture(autouse=True)
def _clean():
    cache.clear()
    yield
    cache.clear()


def test_computed_once_per_version() -> None:
    store = FakeStore()
    calls: list[str] = []

    def compute() -> str:
        calls.append(store.v)
        return store.v

    assert cache.cached(store, "n", 1, compute) == "gen-1"
    assert cache.cached(store, "n", 1, compute) == "gen-1"
    store.v = "gen-2"
    assert cache.cached(store, "n", 1, compute) == "gen-2"  # not stale-ok: computed now
    assert calls == ["gen-1", "gen-2"]


def test_stale_ok_answers_the_old_value_and_refreshes_once_in_the_background() -> None:
    store = FakeStore()
    release = threading.Event()
    calls: list[str] = []

    def compute() -> str:
        calls.append(store.v)
        if len(calls) > 1:
            release.wait(10)  # a slow rebuild
        return f"index of {store.v}"

    assert cache.cached(store, "idx", "k", compute, stale_ok=True) == "index of gen-1"
    store.v = "gen-2"
    answers = [cache.cached(store, "idx", "k", compute, stale_ok=True) for _ in range(5)]
    assert answers == ["index of gen-1"] * 5  # nobody waits for the rebuild
    release.set()
    deadline = time.monotonic() + 10
    while cache.cached(store, "idx", "k", compute, stale_ok=True) != "index of gen-2":
        assert time.monotonic() < deadline, "the background refresh never landed"
        time.sleep(0.01)
    assert calls == ["gen-1", "gen-2"]  # one rebuild, not one per request


def test_only_stale_ok_names_are_kept_across_versions() -> None:
    store = FakeStore()
    cache.cached(store, "page", "a", lambda: "p1")
    cache.cached(store, "idx", "k", lambda: "i1", stale_ok=True)
    store.v = "gen-2"
    assert cache.cached(store, "page", "a", lambda: "p2") == "p2"
    kept = cache._previous[store.cache_key()]
    assert ("idx", "k") in kept and ("page", "a") not in kept


def test_a_first_stale_ok_computation_is_synchronous() -> None:
    store = FakeStore()
    assert cache.cached(store, "idx", "k", lambda: "fresh", stale_ok=True) == "fresh"


def test_a_stream_of_versions_costs_one_rebuild_per_interval(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    store = FakeStore()
    calls: list[str] = []

    def compute() -> str:
        calls.append(store.v)
        return f"index of {store.v}"

    cache.cached(store, "idx", "k", compute, stale_ok=True)
    for n in range(2, 12):  # ten writes in quick succession
        store.v = f"gen-{n}"
        cache.cached(store, "idx", "k", compute, stale_ok=True)
        deadline = time.monotonic() + 5
        while cache._refreshing and time.monotonic() < deadline:
            time.sleep(0.01)
    assert calls == ["gen-1", "gen-2"]  # one rebuild in the interval, not ten
    monkeypatch.setattr(cache, "REFRESH_SECONDS", 0.0)
    store.v = "gen-12"
    cache.cached(store, "idx", "k", compute, stale_ok=True)
    deadline = time.monotonic() + 5
    while cache.cached(store, "idx", "k", compute, stale_ok=True) != "index of gen-12":
        assert time.monotonic() < deadline
        time.sleep(0.01)
