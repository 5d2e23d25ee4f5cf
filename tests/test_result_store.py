"""The process-wide result store: byte budget, entry cap, expiry, single flight."""

from __future__ import annotations

import threading
import time

from ui.result_store import ResultStore


def _size(v: bytes) -> int:
    return len(v)


def test_hit_returns_the_same_object_without_recomputing() -> None:
    store: ResultStore[bytes] = ResultStore(budget_bytes=100)
    calls = []
    first = store.get_or_compute("a", lambda: calls.append(1) or b"x" * 10, _size)
    second = store.get_or_compute("a", lambda: calls.append(1) or b"y" * 10, _size)
    assert second is first and calls == [1]
    assert store.nbytes == 10 and len(store) == 1


def test_byte_budget_evicts_least_recently_used() -> None:
    store: ResultStore[bytes] = ResultStore(budget_bytes=25)
    for k in "abc":
        store.get_or_compute(k, lambda k=k: k.encode() * 10, _size)
    # a, b, c are 10 bytes each: c arrived last and pushed out a
    assert store.peek("a") is None and store.peek("b") is not None and store.peek("c") is not None
    store.peek("b")  # b is now the most recent; d pushes out c
    store.get_or_compute("d", lambda: b"d" * 10, _size)
    assert store.peek("c") is None and store.peek("b") is not None
    assert store.nbytes <= 25


def test_result_above_the_budget_is_returned_but_not_kept() -> None:
    store: ResultStore[bytes] = ResultStore(budget_bytes=5)
    assert store.get_or_compute("big", lambda: b"z" * 6, _size) == b"z" * 6
    assert len(store) == 0


def test_entry_cap() -> None:
    store: ResultStore[bytes] = ResultStore(budget_bytes=10**6, max_entries=2)
    for k in "abc":
        store.get_or_compute(k, lambda k=k: k.encode(), _size)
    assert len(store) == 2 and store.peek("a") is None


def test_expired_entries_are_recomputed() -> None:
    now = [0.0]
    store: ResultStore[bytes] = ResultStore(budget_bytes=100, ttl_seconds=10.0, clock=lambda: now[0])
    calls = []
    store.get_or_compute("a", lambda: calls.append(1) or b"v", _size)
    now[0] = 9.0
    store.get_or_compute("a", lambda: calls.append(1) or b"v", _size)
    now[0] = 20.0
    store.get_or_compute("a", lambda: calls.append(1) or b"v", _size)
    assert calls == [1, 1]


def test_concurrent_requests_for_one_key_compute_once() -> None:
    store: ResultStore[bytes] = ResultStore(budget_bytes=100)
    calls = []
    gate = threading.Event()

    def slow() -> bytes:
        calls.append(1)
        gate.wait(5)
        return b"r"

    out: list[bytes] = []
    threads = [threading.Thread(target=lambda: out.append(store.get_or_compute("k", slow, _size)))
               for _ in range(6)]
    for t in threads:
        t.start()
    while not calls:
        time.sleep(0.001)
    gate.set()
    for t in threads:
        t.join(5)
    assert calls == [1] and out == [b"r"] * 6


def test_a_failed_computation_is_not_kept_and_waiters_retry() -> None:
    store: ResultStore[bytes] = ResultStore(budget_bytes=100)

    def boom() -> bytes:
        raise ValueError("bad")

    try:
        store.get_or_compute("k", boom, _size)
    except ValueError:
        pass
    assert len(store) == 0
    assert store.get_or_compute("k", lambda: b"ok", _size) == b"ok"
