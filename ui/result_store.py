"""A process-wide store of computed results with a memory budget, an expiry and single flight.

Streamlit's ``st.cache_data`` bounds entries by count only and copies a value on every hit;
a Monte Carlo run is megabytes. This store keeps results by key for every session of the
server, evicts the least recently used beyond a byte budget, drops entries past their age,
and computes a key once when several sessions ask for it at the same moment.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

V = TypeVar("V")

__all__ = ["ResultStore"]


@dataclass
class _Entry(Generic[V]):
    value: V
    nbytes: int
    created: float


@dataclass
class ResultStore(Generic[V]):
    """Results by key, bounded by bytes, entries and age.

    Parameters
    ----------
    budget_bytes : int
        Most bytes kept (sum of ``size_of`` over entries); a single result above the
        budget is returned but not kept.
    max_entries : int
        Most entries kept.
    ttl_seconds : float
        Age after which an entry is recomputed.
    clock : callable
        Seconds, monotonic (injectable for tests).
    """

    budget_bytes: int
    max_entries: int = 256
    ttl_seconds: float = 3600.0
    clock: Callable[[], float] = time.monotonic
    _entries: OrderedDict[Hashable, _Entry[V]] = field(default_factory=OrderedDict, init=False)
    _inflight: dict[Hashable, threading.Event] = field(default_factory=dict, init=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False)

    def peek(self, key: Hashable) -> V | None:
        """The stored, unexpired value for ``key`` (marked as recently used), or None."""
        with self._lock:
            return self._fresh(key)

    def get_or_compute(self, key: Hashable, compute: Callable[[], V], size_of: Callable[[V], int]) -> V:
        """The value for ``key``, computed by ``compute()`` at most once at a time per key.

        A caller that finds another thread computing the same key waits for it; if that
        computation fails, the caller computes itself (and sees the error itself).
        """
        while True:
            with self._lock:
                hit = self._fresh(key)
                if hit is not None:
                    return hit
                waiting = self._inflight.get(key)
                if waiting is None:
                    done = self._inflight[key] = threading.Event()
                    break
            waiting.wait()
        try:
            value = compute()
            self._put(key, value, int(size_of(value)))
            return value
        finally:
            with self._lock:
                self._inflight.pop(key, None)
            done.set()

    @property
    def nbytes(self) -> int:
        """Bytes held now."""
        with self._lock:
            return sum(e.nbytes for e in self._entries.values())

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)

    def clear(self) -> None:
        """Drop every entry."""
        with self._lock:
            self._entries.clear()

    # -- under the lock ---------------------------------------------------------------
    def _fresh(self, key: Hashable) -> V | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        if self.clock() - entry.created > self.ttl_seconds:
            del self._entries[key]
            return None
        self._entries.move_to_end(key)
        return entry.value

    def _put(self, key: Hashable, value: V, nbytes: int) -> None:
        if nbytes > self.budget_bytes:
            return
        with self._lock:
            self._entries[key] = _Entry(value, nbytes, self.clock())
            self._entries.move_to_end(key)
            total = sum(e.nbytes for e in self._entries.values())
            while self._entries and (total > self.budget_bytes or len(self._entries) > self.max_entries):
                _, dropped = self._entries.popitem(last=False)
                total -= dropped.nbytes
