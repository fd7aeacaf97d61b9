"""API tokens: issued by phone and password, hashed, per device, revocable, refused when stale."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from core.extensions import db as _db
from core.models import ApiToken, User
from core.timeutil import utcnow
from tests.api_helpers import assert_problem, bearer
from tests.conftest import TEST_PASSWORD, log_in

TOKEN_URL = "/api/v1/auth/token"


def issue(client, phone: str, password: str = TEST_PASSWORD, device: str = "张阿姨的手机"):
    return client.post(TOKEN_URL, json={"phone": phone, "password": password, "device": device})


def phone_of(app, user_id: int) -> str:
    with app.app_context():
        return _db.session.get(User, user_id).phone


def test_phone_and_password_give_a_token_stored_only_as_a_hash(app, client, make_user):
    user_id = make_user()
    response = issue(client, phone_of(app, user_id))
    assert response.status_code == 201
    body = response.get_json()
    assert body["token"].startswith("xxt_") and body["name"] == "张阿姨的手机"
    assert "Set-Cookie" not in response.headers  # no cookies, so nothing for CSRF to forge
    with app.app_context():
        row = _db.session.scalar(select(ApiToken))
        assert row.token_hash != body["token"] and body["token"] not in row.token_hash
        assert len(row.token_hash) == 64
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {body['token']}"})
    assert me.status_code == 200 and me.get_json()["id"] == user_id


@pytest.mark.parametrize(
    ("password", "active"),
    [("wrong-password1", True), (TEST_PASSWORD, False)],
    ids=["wrong", "off"],
)
def test_wrong_password_or_disabled_account_gets_the_same_401(
    app, client, make_user, password, active
):
    user_id = make_user()
    with app.app_context():
        _db.session.get(User, user_id).active = active
        _db.session.commit()
    body = assert_problem(issue(client, phone_of(app, user_id), password), 401)
    assert body["detail"] == "手机号或密码不正确。"
    unknown = assert_problem(issue(client, "13700000000", password), 401)
    assert unknown["detail"] == body["detail"]
    with app.app_context():
        assert _db.session.scalar(select(ApiToken)) is None


def test_token_endpoint_has_the_log_in_pages_per_account_limit(make_app, make_user):
    app = make_app(LOGIN_LIMIT_PER_ACCOUNT="3 per 15 minutes")
    client = app.test_client()
    phone = phone_of(app, make_user())
    for _ in range(3):
        assert issue(client, phone, "wrong-password1").status_code == 401
    assert_problem(issue(client, phone), 429)  # even the right password now waits
    assert_problem(issue(client, "13700000000", "x"), 401)  # other numbers are not limited


def test_token_endpoint_has_the_log_in_pages_per_ip_limit(make_app, make_user):
    app = make_app(LOGIN_LIMIT_PER_IP="2 per 15 minutes")
    client = app.test_client()
    assert issue(client, "13700000001", "x").status_code == 401
    assert issue(client, "13700000002", "x").status_code == 401
    assert_problem(issue(client, "13700000003", "x"), 429)


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"phone": 13800000001, "password": "x", "device": "d"},
        {"phone": "１３８００００００１", "password": "x", "device": "d"},
        {"phone": "13800000001", "password": "x", "device": ""},
        {"phone": "13800000001", "password": "x", "device": "d", "admin": True},
        [1, 2],
    ],
    ids=["missing", "number-type", "fullwidth-phone", "empty-device", "unknown-field", "array"],
)
def test_bad_token_requests_are_problems_and_issue_nothing(app, client, body):
    response = client.post(TOKEN_URL, json=body)
    assert response.status_code in (401, 422)
    problem = assert_problem(response, response.status_code)
    if response.status_code == 422:
        assert problem["errors"]["json"]
    with app.app_context():
        assert _db.session.scalar(select(ApiToken)) is None


def test_a_unicode_phone_number_is_a_field_error(client):
    for phone in ("１３８００００００１", "13８00000001", "138-0000-000１", "电话"):
        problem = assert_problem(
            client.post(TOKEN_URL, json={"phone": phone, "password": "x", "device": "d"}), 422
        )
        assert problem["errors"]["json"] == {"phone": ["请输入有效的手机号。"]}


def test_missing_field_error_names_the_field_in_chinese(client):
    problem = assert_problem(client.post(TOKEN_URL, json={"phone": "13800000001"}), 422)
    assert problem["errors"]["json"] == {"password": ["此项必填。"], "device": ["此项必填。"]}


@pytest.mark.parametrize(
    "header",
    [
        "Bearer xxt_not-a-real-token",
        "Bearer ",
        "Basic dXNlcjpwYXNz",
        "xxt_abc",
        "Bearer " + "x" * 500,
    ],
    ids=["unknown", "empty", "basic", "no-scheme", "huge"],
)
def test_malformed_tokens_get_401(client, header):
    response = client.get("/api/v1/me", headers={"Authorization": header})
    assert_problem(response, 401)
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_revoked_token_gets_401(app, client, make_user):
    user_id = make_user()
    headers = bearer(app, user_id)
    token_id = client.get("/api/v1/me/tokens", headers=headers).get_json()[0]["id"]
    assert client.delete(f"/api/v1/me/tokens/{token_id}", headers=headers).status_code == 204
    assert_problem(client.get("/api/v1/me", headers=headers), 401)


def test_expired_token_gets_401(app, client, make_user):
    user_id = make_user()
    headers = bearer(app, user_id)
    with app.app_context():
        _db.session.scalar(select(ApiToken)).expires_at = utcnow() - timedelta(seconds=1)
        _db.session.commit()
    assert_problem(client.get("/api/v1/me", headers=headers), 401)


def test_password_change_and_disabling_end_every_token(app, client, make_user):
    user_id = make_user()
    first, second = bearer(app, user_id, "手机"), bearer(app, user_id, "平板")
    log_in(client, app, user_id)
    response = client.post(
        "/account/password",
        data={"current": TEST_PASSWORD, "password": "newpass123x", "confirm": "newpass123x"},
    )
    assert response.status_code == 302
    assert_problem(client.get("/api/v1/me", headers=first), 401)
    assert_problem(client.get("/api/v1/me", headers=second), 401)
    third = bearer(app, user_id)
    assert client.get("/api/v1/me", headers=third).status_code == 200
    with app.app_context():
        _db.session.get(User, user_id).active = False
        _db.session.commit()
    assert_problem(client.get("/api/v1/me", headers=third), 401)


def test_someone_elses_token_cannot_be_revoked(app, client, make_user):
    owner, other = make_user(), make_user()
    owner_headers = bearer(app, owner)
    token_id = client.get("/api/v1/me/tokens", headers=owner_headers).get_json()[0]["id"]
    assert_problem(client.delete(f"/api/v1/me/tokens/{token_id}", headers=bearer(app, other)), 404)
    assert client.get("/api/v1/me", headers=owner_headers).status_code == 200


def test_account_page_lists_devices_and_revokes(app, client, make_user):
    user_id = make_user()
    headers = bearer(app, user_id, "王大爷的手机")
    log_in(client, app, user_id)
    page = client.get("/account").get_data(as_text=True)
    assert "王大爷的手机" in page
    with app.app_context():
        token_id = _db.session.scalar(select(ApiToken.id))
    response = client.post(f"/account/api-tokens/{token_id}/revoke")
    assert response.status_code == 302
    assert "王大爷的手机" not in client.get("/account").get_data(as_text=True)
    assert_problem(client.get("/api/v1/me", headers=headers), 401)


def test_account_page_cannot_revoke_another_persons_token(app, client, make_user):
    owner, other = make_user(), make_user()
    headers = bearer(app, owner)
    log_in(client, app, other)
    with app.app_context():
        token_id = _db.session.scalar(select(ApiToken.id))
    assert client.post(f"/account/api-tokens/{token_id}/revoke").status_code == 404
    assert client.get("/api/v1/me", headers=headers).status_code == 200


def test_session_cookie_does_not_authenticate_the_api(app, client, make_user):
    log_in(client, app, make_user())
    assert_problem(client.get("/api/v1/me"), 401)  # a browser session cannot be ridden cross-site
