"""core.cache: memory by default, Redis when REDIS_URL is set (skipped when Redis is down)."""

from __future__ import annotations

import os

import pytest

from core.cache import MemoryCache, RedisCache, get_cache

REDIS_TEST_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/2")


def _redis_or_skip():
    import redis

    client = redis.Redis.from_url(REDIS_TEST_URL, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.RedisError:
        if os.environ.get("CI") == "true":
            raise
        pytest.skip(f"Redis 不可用 ({REDIS_TEST_URL}): 跳过 Redis 缓存测试")
    return client


def test_memory_cache_drops_the_least_recently_used():
    cache = MemoryCache(max_items=2)
    cache.set("a", 1)
    cache.set("b", 2)
    assert cache.get("a") == 1
    cache.set("c", 3)
    assert cache.get("b") is None and cache.get("a") == 1 and cache.get("c") == 3


def test_without_redis_url_each_app_has_its_own_memory(make_app):
    first, second = make_app(REDIS_URL=""), make_app(REDIS_URL="")
    with first.app_context():
        assert isinstance(get_cache("calendar"), MemoryCache)
        get_cache("calendar").set("k", "v")
    with second.app_context():
        assert get_cache("calendar").get("k") is None


def test_with_redis_url_two_apps_share_values_per_namespace(make_app):
    client = _redis_or_skip()
    for name in client.scan_iter(match="xxt:test*"):
        client.delete(name)
    first, second = make_app(REDIS_URL=REDIS_TEST_URL), make_app(REDIS_URL=REDIS_TEST_URL)
    with first.app_context():
        cache = get_cache("testns")
        assert isinstance(cache, RedisCache)
        cache.set("k", {"body": b"BEGIN:VCALENDAR"}, ttl=60)
    with second.app_context():
        assert get_cache("testns").get("k") == {"body": b"BEGIN:VCALENDAR"}
        assert get_cache("testother").get("k") is None  # namespaces never collide
        assert 0 < client.ttl("xxt:testns:k") <= 60
        get_cache("testns").clear()
        assert get_cache("testns").get("k") is None


def test_an_unreachable_redis_is_a_cache_miss_not_an_error(app):
    import redis

    with app.app_context():
        cache = RedisCache(redis.Redis.from_url("redis://127.0.0.1:1/0"), "calendar")
        cache.set("k", "v")
        assert cache.get("k") is None
