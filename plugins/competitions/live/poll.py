"""What the phones of a live quiz poll, answered from the shared cache.

Every phone polls ``/contests/live/play/<code>/state.json`` every 2 s; 300 phones are 150
requests a second. The quiz's state and question number (its *version*, ``"<state>.<index>"``)
are published to ``core.cache`` whenever the host moves the quiz on, so a poll costs no database
query, and a phone whose ``If-None-Match`` names the current version gets ``304 Not Modified``.

With Redis (``REDIS_URL``) every worker and host shares the published version at once. Without
it the cache is per process, so another worker may not have seen the host's step: there an entry
older than :data:`MEMORY_FRESH_SECONDS` is read again from the database (at most once a second per
worker, and a phone sees the change within a second).
"""

from __future__ import annotations

import time

from core.cache import MemoryCache, get_cache
from core.timeutil import utcnow

MEMORY_FRESH_SECONDS = 1.0
TTL = 6 * 3600


def _cache():
    return get_cache("competitions")


def _key(code: str) -> str:
    return f"live:{code.strip().upper()}"


def publish(quiz) -> dict:
    """Store the quiz's current version (after each change the host commits)."""
    snapshot = {
        "id": quiz.id,
        "state": quiz.state,
        "index": quiz.current_index,
        "deadline": quiz.question_deadline,
        "at": time.monotonic(),
    }
    _cache().set(_key(quiz.code), snapshot, ttl=TTL)
    return snapshot


def snapshot(code: str) -> dict | None:
    """The published version, or None when it must be read from the database."""
    cache = _cache()
    value = cache.get(_key(code))
    if value is None:
        return None
    if isinstance(cache, MemoryCache) and time.monotonic() - value["at"] > MEMORY_FRESH_SECONDS:
        return None
    return value


def version(value: dict) -> str:
    return f"{value['state']}.{value['index']}"


def seconds_left(value: dict) -> int:
    deadline = value["deadline"]
    if value["state"] != "question" or deadline is None:
        return 0
    return max(int((deadline - utcnow()).total_seconds() + 0.999), 0)
