"""A tiny cache interface for feed bodies and serialised VEVENTs.

In-process memory for now (bounded, least recently used dropped first); a Redis-backed class
with the same ``get``/``set`` can replace it for several workers without touching callers.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from flask import current_app


class MemoryCache:
    """A bounded LRU dict, safe across threads of one worker."""

    def __init__(self, max_items: int = 50_000) -> None:
        self.max_items = max_items
        self._items: OrderedDict[str, bytes] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str):
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def set(self, key: str, value) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.max_items:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


def feed_cache() -> MemoryCache:
    """The current app's cache (one per app, so tests never share it)."""
    extensions = current_app.extensions
    if "calendar_cache" not in extensions:
        extensions["calendar_cache"] = MemoryCache()
    return extensions["calendar_cache"]
