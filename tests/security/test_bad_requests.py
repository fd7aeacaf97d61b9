"""Bad input at the HTTP level: hosts, bodies, URLs, cookies. None of it may reach a 500.

Slow clients (slowloris) are nginx's job (client_body_timeout, tested with the nginx config).
"""

from __future__ import annotations

import pytest
from flask.sessions import SecureCookieSessionInterface

from core import config as core_config

BAD_HOSTS = [
    "evil.example.org",
    "127.0.0.1:5000/../x",
    "exa mple.org",
    "host\x00name",
    "<script>",
    "xn--\u202e.org",
]


@pytest.fixture
def guarded_app(make_app):
    return make_app(TRUSTED_HOSTS=["xxt.example.org", "127.0.0.1", "localhost"])


@pytest.mark.parametrize("host", BAD_HOSTS)
def test_untrusted_or_malformed_host_is_400(guarded_app, host):
    client = guarded_app.test_client()
    response = client.get("/", headers={"Host": host})
    assert response.status_code == 400


def test_trusted_host_is_served(guarded_app):
    client = guarded_app.test_client()
    assert client.get("/", headers={"Host": "xxt.example.org"}).status_code == 200
    assert client.get("/healthz", headers={"Host": "127.0.0.1:8000"}).status_code == 200


def test_production_trusts_site_url_host_by_default(make_app, monkeypatch):
    """Production answers only for SITE_URL's host (and localhost for health checks)."""
    app = make_app()
    app.config["SITE_URL"] = "https://xxt.example.org"
    app.config.pop("TRUSTED_HOSTS", None)
    monkeypatch.delenv("TRUSTED_HOSTS", raising=False)
    assert core_config.production_trusted_hosts(app) == [
        "xxt.example.org",
        "localhost",
        "127.0.0.1",
        "::1",
    ]
    monkeypatch.setenv("TRUSTED_HOSTS", "a.example.org, b.example.org")
    assert core_config.production_trusted_hosts(app) == ["a.example.org", "b.example.org"]


def test_dev_and_tests_trust_any_host(client):
    assert client.get("/", headers={"Host": "whatever.local"}).status_code == 200


def test_huge_body_is_413_in_chinese(make_app):
    app = make_app(MAX_CONTENT_LENGTH=1024)
    client = app.test_client()
    response = client.post("/login", data={"phone": "1" * 4096, "password": "x"})
    assert response.status_code == 413
    assert "<html" in response.get_data(as_text=True).lower()
    assert "太大" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "path",
    [
        "/calendar/%E4%B8%AD%E6%96%87",
        "/%F0%9F%92%A9",
        "/contests/live/play/%E4%B8%AD/state.json",
        "/reports/learn/day/%E4%B8%AD%E6%96%87",
        "/calendar/e/1/%E2%80%AE%00/qr",
        "/%ff%fe",
        "/reports/learn/day/2026-13-45",
    ],
)
def test_unicode_and_garbage_urls_never_500(app, client, town, path):
    assert client.get(path).status_code < 500


@pytest.mark.parametrize(
    "path",
    [
        "/static/../core/config.py",
        "/static/%2e%2e/%2e%2e/core/config.py",
        "/static/..%2f..%2fcore%2fconfig.py",
        "/static/..%5c..%5ccore%5cconfig.py",
        "/calendar/static/../../../core/config.py",
        "/calendar/static/%2e%2e%2f%2e%2e%2fplugin.py",
        "/static/%00.css",
        "/static//etc/passwd",
        # uploads are served by id only, never by a path from the URL
        "/calendar/materials/..%2f..%2fetc%2fpasswd",
        "/calendar/materials/1%00.png",
        "/contests/awards/evidence/..%5c..%5cx",
        "/reports/funds/receipts/%2e%2e",
        "/reports/learn/items/1/picture/../../../../etc/passwd",
    ],
)
def test_static_path_traversal_never_escapes(client, path):
    response = client.get(path, follow_redirects=True)  # "//" is merged by a 308 first
    assert response.status_code in (400, 404)
    assert b"DEFAULT_SECRET_KEY" not in response.data
    assert b"root:" not in response.data


def _cookie_for(app, payload: dict, secret: str) -> str:
    interface = SecureCookieSessionInterface()
    app_copy_secret = app.secret_key
    app.secret_key = secret
    try:
        return interface.get_signing_serializer(app).dumps(payload)
    finally:
        app.secret_key = app_copy_secret


@pytest.mark.parametrize("cookie", ["garbage", "e30.AAAA.BBBB", "x" * 4000, "\u4e2d\u6587"])
def test_forged_session_cookie_is_anonymous(app, client, make_user, cookie):
    client.set_cookie("session", cookie)
    response = client.get("/account")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_session_signed_with_another_key_is_anonymous(app, client, make_user):
    from core.extensions import db
    from core.models import User

    user_id = make_user("site_admin")
    with app.app_context():
        session_id = db.session.get(User, user_id).get_id()
    forged = _cookie_for(app, {"_user_id": session_id, "_fresh": True}, "dev-only-change-me")
    client.set_cookie("session", forged)
    response = client.get("/admin/users/")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_stale_session_version_is_anonymous(app, client, make_user):
    """A cookie from before a password change ("expired") no longer logs anybody in."""
    from core.extensions import db
    from core.models import User

    user_id = make_user("site_admin")
    with app.app_context():
        user = db.session.get(User, user_id)
        old = f"{user.id}:{user.session_version}"
    with client.session_transaction() as session:
        session["_user_id"] = old
    assert client.get("/admin/users/").status_code == 200
    with app.app_context():
        db.session.get(User, user_id).session_version += 1
        db.session.commit()
    response = client.get("/admin/users/")
    assert response.status_code == 302


@pytest.mark.parametrize("value", ["1:abc", "abc:1", "99999:0", "", ":", "1:1:1", "-1:0"])
def test_malformed_user_id_in_session_is_anonymous(app, client, town, value):
    with client.session_transaction() as session:
        session["_user_id"] = value
    response = client.get("/account")
    assert response.status_code == 302
