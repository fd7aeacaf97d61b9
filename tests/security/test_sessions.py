"""Session cookies in production, and sessions ended by a password change or reset."""

from __future__ import annotations

import re

import pytest

from core import create_app
from tests.conftest import TEST_PASSWORD, CSRFClient, log_in


@pytest.fixture
def production_app(monkeypatch, database_url, make_user):
    monkeypatch.setenv("XXT_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "a-long-random-production-secret")
    monkeypatch.delenv("TRUSTED_HOSTS", raising=False)
    app = create_app(
        {"DATABASE_URL": database_url, "SITE_URL": "https://xxt.example.org", "LOG_LEVEL": "ERROR"}
    )
    app.test_client_class = CSRFClient
    return app


def test_production_cookies_are_secure_httponly_and_samesite(production_app, make_user):
    make_user("resident", phone="13912345678")
    client = production_app.test_client()
    site = "https://xxt.example.org"
    form = client.get("/login", base_url=site).get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form).group(1)
    response = client.post(
        "/login",
        data={
            "phone": "13912345678",
            "password": TEST_PASSWORD,
            "remember": "y",
            "csrf_token": token,
        },
        base_url=site,
        headers={"Referer": f"{site}/login"},  # Flask-WTF checks it over HTTPS
        csrf=False,
    )
    assert response.status_code == 302, re.sub("<[^>]+>", " ", response.get_data(as_text=True))
    cookies = response.headers.getlist("Set-Cookie")
    session = next(c for c in cookies if c.startswith("session="))
    remember = next(c for c in cookies if c.startswith("remember_token="))
    for cookie in (session, remember):
        assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_production_refuses_a_foreign_host(production_app):
    client = production_app.test_client()
    assert client.get("/healthz", base_url="https://evil.example.org").status_code == 400
    assert client.get("/healthz", base_url="https://xxt.example.org").status_code == 200


def test_admin_password_reset_ends_the_persons_sessions(app, make_user):
    from core.extensions import db
    from core.models import User

    person = make_user("resident")
    victim_session = app.test_client()
    log_in(victim_session, app, person)
    assert victim_session.get("/account").status_code == 200
    admin = app.test_client()
    log_in(admin, app, make_user("site_admin"))
    response = admin.post(
        f"/admin/users/{person}/password",
        data={"password": "new-pass-2026-x"},
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    with app.app_context():
        assert db.session.get(User, person).check_password("new-pass-2026-x")
    assert victim_session.get("/account").status_code == 302


def test_remember_cookie_from_before_a_password_change_does_not_log_in(app, make_user):
    make_user("resident", phone="13912340000")
    old_phone = app.test_client()
    response = old_phone.post(
        "/login", data={"phone": "13912340000", "password": TEST_PASSWORD, "remember": "y"}
    )
    remember = next(
        c for c in response.headers.getlist("Set-Cookie") if c.startswith("remember_token=")
    )
    token = remember.split(";", 1)[0].split("=", 1)[1]
    new_phone = app.test_client()
    new_phone.post("/login", data={"phone": "13912340000", "password": TEST_PASSWORD})
    changed = new_phone.post(
        "/account/password",
        data={
            "current": TEST_PASSWORD,
            "password": "another-pass-2026",
            "confirm": "another-pass-2026",
        },
    )
    assert changed.status_code == 302, changed.get_data(as_text=True)[-1500:]
    stolen = app.test_client()
    stolen.set_cookie("remember_token", token)
    assert stolen.get("/account").status_code == 302
