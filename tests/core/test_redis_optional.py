"""Redis is optional at run time: with it down, log-in and sign-up work and caches compute.

``REDIS_URL`` points at a port where nothing listens, which is what a stopped Redis looks like.
"""

from __future__ import annotations

import logging

from core.cache import RedisCache, get_cache
from core.extensions import db as _db
from core.extensions import limiter
from core.models import User
from tests.conftest import TEST_PASSWORD

DEAD_REDIS = "redis://127.0.0.1:1/0"


def _dead_redis_app(make_app, **config):
    from unittest import mock

    with mock.patch.object(limiter, "reset"):  # make_app empties the (unreachable) storage
        return make_app(REDIS_URL=DEAD_REDIS, **config)


def test_with_redis_down_sign_up_and_log_in_still_work(make_app, caplog):
    from tests.conftest import Town

    app = _dead_redis_app(make_app)
    town = Town(app)
    client = app.test_client()
    caplog.set_level(logging.WARNING)
    try:
        response = client.post(
            "/signup",
            data={
                "phone": "13912340000",
                "display_name": "王大妈",
                "password": TEST_PASSWORD,
                "confirm": TEST_PASSWORD,
                "home_unit_id": town.village_a_id,
                "agree": "y",
            },
        )
        assert response.status_code == 302, response.get_data(as_text=True)[:2000]
        client.post("/logout")
        response = client.post("/login", data={"phone": "13912340000", "password": TEST_PASSWORD})
        assert response.status_code == 302
        client.post("/logout")
        wrong = client.post("/login", data={"phone": "13912340000", "password": "nope-123x"})
        assert "手机号或密码不正确。" in wrong.get_data(as_text=True)
    finally:
        limiter._storage_dead = False  # the limiter object outlives this test's app
    with app.app_context():
        assert _db.session.scalar(_db.select(User.display_name)) == "王大妈"
    assert "falling back to in-memory storage" in caplog.text


def test_with_redis_down_rate_limits_still_count_per_process(make_app):
    from tests.conftest import Town

    app = _dead_redis_app(make_app, LOGIN_LIMIT_PER_ACCOUNT="2 per 15 minutes")
    Town(app)
    client = app.test_client()
    try:
        answers = [
            client.post("/login", data={"phone": "13912349999", "password": "x1234567"})
            for _ in range(3)
        ]
    finally:
        limiter._storage_dead = False
    assert [answer.status_code for answer in answers] == [200, 200, 429]


def test_with_redis_down_the_cache_computes_without_it(make_app, caplog):
    app = _dead_redis_app(make_app)
    caplog.set_level(logging.WARNING)
    with app.test_request_context():
        cache = get_cache("calendar")
        assert isinstance(cache, RedisCache)
        cache.set("k", "v")
        assert cache.get("k") is None
        assert cache.down_until > 0  # and the next calls skip Redis for a while
        assert cache.get("k") is None
    assert caplog.text.count("cache: Redis unreachable") == 1


def test_readiness_names_each_part(make_app, tmp_path):
    app = make_app(UPLOAD_DIR=str(tmp_path / "uploads"))
    body = app.test_client().get("/healthz/ready").json
    assert body["status"] == "ok"
    assert sorted(body["checks"]) == ["database", "disk", "redis", "uploads"]
    assert all(check["ok"] for check in body["checks"].values())


def test_readiness_with_redis_down_is_degraded_but_serving(make_app, tmp_path):
    app = _dead_redis_app(make_app, UPLOAD_DIR=str(tmp_path / "uploads"))
    response = app.test_client().get("/healthz/ready")
    assert response.status_code == 200
    assert response.json["status"] == "degraded"
    assert response.json["checks"]["redis"]["ok"] is False
    assert app.test_client().get("/healthz").status_code == 200


def test_readiness_fails_on_an_unwritable_upload_folder_and_low_disk(make_app, tmp_path):
    blocker = tmp_path / "a-file"  # root writes anywhere: a folder under a file it cannot make
    blocker.write_text("x")
    app = make_app(UPLOAD_DIR=str(blocker / "uploads"), READY_MIN_FREE_MB=10**12)
    response = app.test_client().get("/healthz/ready")
    assert response.status_code == 503
    checks = response.json["checks"]
    assert (checks["uploads"]["ok"], checks["disk"]["ok"], checks["database"]["ok"]) == (
        False,
        False,
        True,
    )
    assert checks["uploads"]["detail"].startswith("not writable")


def test_readiness_fails_when_the_database_is_unreachable(make_app, tmp_path):
    app = make_app(DATABASE_URL="postgresql+psycopg://nobody@127.0.0.1:1/none")
    response = app.test_client().get("/healthz/ready")
    assert response.status_code == 503
    assert response.json["checks"]["database"]["ok"] is False


def test_readiness_is_only_for_the_monitoring_hosts(make_app):
    app = make_app(METRICS_ALLOW=["10.0.0.9"])
    assert app.test_client().get("/healthz/ready").status_code == 404
