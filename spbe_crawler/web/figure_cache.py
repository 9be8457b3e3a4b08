"""A short-lived cache of a scope's availability figures for the public endpoints.

Badges are embedded on OPD sites and ``/metrics`` is scraped every 15–60 s; each request would
otherwise compute the figures of a whole pemda (about a second for 500 sites with a week of
probes). Entries live ``SPBE_WEB_PUBLIC_CACHE`` seconds (the badges' ``Cache-Control`` too) and at
most ``size`` scopes are kept, least recently used first out. Thread-safe: Starlette runs the views
in a thread pool; two requests that miss together may both compute, which is harmless.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Generic, TypeVar

V = TypeVar("V")


class TtlCache(Generic[V]):
    def __init__(self, seconds: float, size: int = 32, clock: Callable[[], float] = time.monotonic):
        self.seconds, self.size, self.clock = seconds, max(1, size), clock
        self._entries: OrderedDict[str, tuple[float, V]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str, compute: Callable[[], V]) -> V:
        """The cached value of ``key`` while fresh, else ``compute()`` (stored when caching is on)."""
        if self.seconds <= 0:
            return compute()
        now = self.clock()
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None and now - entry[0] < self.seconds:
                self._entries.move_to_end(key)
                return entry[1]
        value = compute()
        with self._lock:
            self._entries[key] = (now, value)
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)
        return value
