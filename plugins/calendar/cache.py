"""The calendar's cache for feed bodies, serialised VEVENTs and occurrence lists.

Every key carries the data version read from the database (``calendar_state.version``) or the
event's modification time, on each request, so no process can serve an old feed after another
process changed something. The store itself is core's: memory in one process, Redis (shared by
every worker and host) when ``REDIS_URL`` is set.
"""

from __future__ import annotations

from core.cache import Cache, get_cache


def feed_cache() -> Cache:
    """The current app's calendar cache (namespace ``calendar``)."""
    return get_cache("calendar")
