"""A small shared cache: in-process memory, or Redis when ``REDIS_URL`` is set.

Why: with several workers or hosts, a per-process cache is only a speed-up, never a source of
truth; callers put the data version they read from the database into the key, so a stale entry
can never be served. Redis lets every process share what one of them computed. Keys are
namespaced per plugin (``xxt:<namespace>:<key>``) so plugins never collide.

Values are pickled for Redis: only this application writes them, into a Redis that must not be
reachable from outside (see docs/multi-town.md, deployment).
"""

from __future__ import annotations

import pickle
import threading
import time
from collections import OrderedDict
from typing import Any, Protocol

from flask import current_app

DEFAULT_TTL = 24 * 3600
_PREFIX = "xxt"


class Cache(Protocol):
    """What callers may use: ``get`` (None when absent) and ``set`` with a time to live."""

    def get(self, key: str) -> Any | None: ...

    def set(self, key: str, value: Any, ttl: int = DEFAULT_TTL) -> None: ...

    def delete(self, key: str) -> None: ...

    def clear(self) -> None: ...


class MemoryCache:
    """A bounded LRU dict, safe across threads of one worker (TTL ignored: keys are versioned)."""

    def __init__(self, max_items: int = 50_000) -> None:
        self.max_items = max_items
        self._items: OrderedDict[str, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> Any | None:
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def set(self, key: str, value: Any, ttl: int = DEFAULT_TTL) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.max_items:
                self._items.popitem(last=False)

    def delete(self, key: str) -> None:
        with self._lock:
            self._items.pop(key, None)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


#: After Redis fails, the cache is skipped for this long (so a dead Redis costs one timeout per
#: worker and interval, not one per request).
RETRY_AFTER_SECONDS = 30.0


class RedisCache:
    """The same interface over Redis, one namespace per plugin; a Redis outage is a cache miss."""

    def __init__(self, client, namespace: str) -> None:
        self.client = client
        self.namespace = f"{_PREFIX}:{namespace}:"
        self.down_until = 0.0

    def _failed(self, what: str) -> None:
        self.down_until = time.monotonic() + RETRY_AFTER_SECONDS
        current_app.logger.warning("cache: Redis unreachable, %s", what)

    def get(self, key: str) -> Any | None:
        if time.monotonic() < self.down_until:
            return None
        try:
            raw = self.client.get(self.namespace + key)
        except Exception:  # the cache must never break a page
            self._failed("computing without it")
            return None
        return None if raw is None else pickle.loads(raw)  # only our own values

    def set(self, key: str, value: Any, ttl: int = DEFAULT_TTL) -> None:
        if time.monotonic() < self.down_until:
            return
        try:
            self.client.set(self.namespace + key, pickle.dumps(value), ex=ttl)
        except Exception:
            self._failed("value not stored")

    def delete(self, key: str) -> None:
        if time.monotonic() < self.down_until:
            return
        try:
            self.client.delete(self.namespace + key)
        except Exception:
            self._failed("value not deleted")

    def clear(self) -> None:
        for name in self.client.scan_iter(match=self.namespace + "*", count=500):
            self.client.delete(name)


def _redis_client(url: str):
    import redis

    return redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)


def get_cache(namespace: str) -> Cache:
    """The current app's cache for ``namespace`` (one per app, so tests never share memory)."""
    caches = current_app.extensions.setdefault("xxt_caches", {})
    if namespace not in caches:
        url = current_app.config.get("REDIS_URL") or ""
        caches[namespace] = RedisCache(_redis_client(url), namespace) if url else MemoryCache()
    return caches[namespace]
