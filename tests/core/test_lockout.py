"""Account lockout: slow guessing under the rate limits still locks the account a while."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from core.extensions import db as _db
from core.models import User
from core.timeutil import utcnow
from tests.conftest import TEST_PASSWORD, log_in

PHONE = "13911110000"


@pytest.fixture
def lock_app(make_app):
    """Rate limits out of the way and a small threshold, so only the lockout is tested."""
    return make_app(
        LOGIN_LIMIT_PER_ACCOUNT="1000 per minute",
        LOGIN_LIMIT_PER_IP="1000 per minute",
        LOGIN_LOCKOUT_THRESHOLD=3,
        LOGIN_LOCKOUT_MINUTES=15,
    )


def attempt(client, password: str, phone: str = PHONE):
    return client.post("/login", data={"phone": phone, "password": password})


def account(app, phone: str = PHONE) -> User:
    with app.app_context():
        user = _db.session.query(User).filter_by(phone=phone).one()
        _db.session.expunge(user)
        return user


def test_defaults_are_ten_failures_for_fifteen_minutes(app):
    assert app.config["LOGIN_LOCKOUT_THRESHOLD"] == 10
    assert app.config["LOGIN_LOCKOUT_MINUTES"] == 15


def test_threshold_failures_lock_even_the_right_password_out(lock_app, make_user):
    make_user(phone=PHONE)
    client = lock_app.test_client()
    for _ in range(3):
        assert attempt(client, "bad-pass-1").status_code == 200
    locked = account(lock_app)
    assert locked.locked_until is not None
    assert timedelta(minutes=14) < locked.locked_until - utcnow() <= timedelta(minutes=15)
    refused = attempt(client, TEST_PASSWORD)
    assert refused.status_code == 200
    assert "手机号或密码不正确" in refused.get_data(as_text=True)
    assert client.get("/dashboard").status_code == 302


def test_a_locked_account_reads_like_an_unknown_phone(lock_app, make_user):
    make_user(phone=PHONE)
    client = lock_app.test_client()
    for _ in range(3):
        attempt(client, "bad-pass-1")

    def normalised(page: str, phone: str) -> str:
        return re.sub(r'name="csrf_token"[^>]*', "", page.replace(phone, "PHONE"))

    locked_page = normalised(attempt(client, TEST_PASSWORD).get_data(as_text=True), PHONE)
    unknown = attempt(client, "bad-pass-1", phone="13999999999")
    assert locked_page == normalised(unknown.get_data(as_text=True), "13999999999")


def test_the_lock_ends_when_its_time_has_passed(lock_app, make_user):
    user_id = make_user(phone=PHONE)
    client = lock_app.test_client()
    for _ in range(3):
        attempt(client, "bad-pass-1")
    with lock_app.app_context():
        _db.session.get(User, user_id).locked_until = utcnow() - timedelta(seconds=1)
        _db.session.commit()
    assert attempt(client, TEST_PASSWORD).status_code == 302
    after = account(lock_app)
    assert (after.failed_logins, after.locked_until) == (0, None)


def test_a_successful_login_resets_the_count(lock_app, make_user):
    make_user(phone=PHONE)
    client = lock_app.test_client()
    attempt(client, "bad-pass-1")
    attempt(client, "bad-pass-1")
    assert account(lock_app).failed_logins == 2
    assert attempt(client, TEST_PASSWORD).status_code == 302
    client.post("/logout")
    assert account(lock_app).failed_logins == 0
    attempt(client, "bad-pass-1")
    attempt(client, "bad-pass-1")
    assert account(lock_app).locked_until is None
    assert attempt(client, TEST_PASSWORD).status_code == 302


def test_an_admin_password_reset_unlocks(lock_app, make_user):
    target = make_user(phone=PHONE)
    admin_id = make_user(role="site_admin", phone="13800000001")
    person = lock_app.test_client()
    for _ in range(3):
        attempt(person, "bad-pass-1")
    assert account(lock_app).locked_until is not None
    admin = lock_app.test_client()
    log_in(admin, lock_app, admin_id)
    response = admin.post(f"/admin/users/{target}/password", data={"password": "reset2026abc"})
    assert response.status_code == 302
    assert account(lock_app).locked_until is None
    assert attempt(person, "reset2026abc").status_code == 302
