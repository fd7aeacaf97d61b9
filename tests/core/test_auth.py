"""Sign-up, log-in, log-out, passwords, disabled accounts and rate limits."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from core.extensions import db as _db
from core.models import RoleAssignment, User
from tests.conftest import TEST_PASSWORD, log_in


def signup_data(town, **overrides):
    data = {
        "phone": "13912345678",
        "display_name": "张阿姨",
        "home_unit_id": str(town.village_a_id),
        "email": "",
        "password": "abc12345xyz",
        "confirm": "abc12345xyz",
    }
    data.update(overrides)
    return data


def count_users(app) -> int:
    with app.app_context():
        return _db.session.scalar(select(func.count(User.id)))


def test_sign_up_makes_a_resident_of_the_home_village(app, client, town):
    response = client.post("/signup", data=signup_data(town))
    assert response.status_code == 302
    with app.app_context():
        user = _db.session.scalar(select(User).where(User.phone == "13912345678"))
        assert user.password_hash.startswith("pbkdf2:sha256:1$")  # the suite's cheap method
        roles = _db.session.scalars(select(RoleAssignment).where(RoleAssignment.user_id == user.id))
        assert [(r.role, r.org_unit_id) for r in roles] == [("resident", town.village_a_id)]
    assert "您好，张阿姨" in client.get("/dashboard").get_data(as_text=True)


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"phone": ""}, "此项必填"),
        ({"phone": "12345678901"}, "11 位中国大陆手机号"),
        ({"phone": "1381234567"}, "11 位中国大陆手机号"),
        ({"phone": "1" * 10_000}, "11 位中国大陆手机号"),
        ({"phone": "' OR 1=1 --"}, "11 位中国大陆手机号"),
        ({"password": "short1", "confirm": "short1"}, "至少需要 8 位"),
        ({"password": "abcdefghij", "confirm": "abcdefghij"}, "字母和数字"),
        ({"password": "12345678", "confirm": "12345678"}, "字母和数字"),
        ({"password": "a13912345678", "confirm": "a13912345678"}, "不能包含手机号"),
        ({"confirm": "different1"}, "两次输入的密码不一致"),
        ({"display_name": "张" * 10_000}, "不能超过 50 个字"),
        ({"display_name": "   "}, "此项必填"),
        ({"home_unit_id": "999999"}, "不是有效的选择"),
        ({"home_unit_id": "abc"}, "请选择所在村"),
        ({"email": "not-an-email"}, "邮箱格式不正确"),
    ],
)
def test_bad_sign_up_input_is_explained_and_saves_nothing(app, client, town, overrides, message):
    response = client.post("/signup", data=signup_data(town, **overrides))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "请按提示修改后再提交" in page
    assert message in page
    assert count_users(app) == 0


def test_sign_up_refuses_a_non_village_home_unit(app, client, town):
    response = client.post("/signup", data=signup_data(town, home_unit_id=str(town.school_id)))
    assert response.status_code == 200
    assert count_users(app) == 0


def test_html_in_names_is_escaped(app, client, town):
    client.post("/signup", data=signup_data(town, display_name="<script>alert(1)</script>"))
    page = client.get("/dashboard").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;" in page


def test_duplicate_phone_is_refused(app, client, town, make_user):
    make_user(phone="13912345678")
    page = client.post("/signup", data=signup_data(town)).get_data(as_text=True)
    assert "已经注册过" in page
    assert count_users(app) == 1


def test_log_in_and_out(client, make_user):
    make_user(phone="13911110000", name="老王")
    response = client.post("/login", data={"phone": "139 1111 0000", "password": TEST_PASSWORD})
    assert response.status_code == 302
    assert "您好，老王" in client.get("/dashboard").get_data(as_text=True)
    assert client.get("/logout").status_code == 405  # a link cannot log anyone out
    client.post("/logout")
    assert client.get("/dashboard").status_code == 302


def test_wrong_password_and_unknown_phone_read_the_same(client, make_user):
    make_user(phone="13911110000")
    wrong = client.post("/login", data={"phone": "13911110000", "password": "nope-12345"})
    unknown = client.post("/login", data={"phone": "13999999999", "password": "nope-12345"})
    assert "手机号或密码不正确" in wrong.get_data(as_text=True)

    def normalised(page: str, phone: str) -> str:
        return re.sub(r'name="csrf_token"[^>]*', "", page.replace(phone, "PHONE"))

    wrong_page = normalised(wrong.get_data(as_text=True), "13911110000")
    unknown_page = normalised(unknown.get_data(as_text=True), "13999999999")
    assert wrong_page == unknown_page


def test_remember_me_sets_a_lasting_cookie(client, make_user):
    make_user(phone="13911110000")
    response = client.post(
        "/login", data={"phone": "13911110000", "password": TEST_PASSWORD, "remember": "y"}
    )
    assert "remember_token=" in response.headers.get("Set-Cookie", "") or any(
        "remember_token" in h for h in response.headers.getlist("Set-Cookie")
    )


def test_login_only_follows_local_next(client, make_user):
    make_user(phone="13911110000")
    data = {"phone": "13911110000", "password": TEST_PASSWORD}
    response = client.post("/login?next=https://evil.example/", data=data)
    assert response.headers["Location"] == "/dashboard"


def test_login_is_rate_limited_per_account_without_enumeration(app, client, make_user):
    make_user(phone="13911110000")
    for _ in range(5):
        client.post("/login", data={"phone": "13911110000", "password": "bad-pass-1"})
    blocked = client.post("/login", data={"phone": "13911110000", "password": TEST_PASSWORD})
    assert blocked.status_code == 429
    assert "尝试次数过多" in blocked.get_data(as_text=True)
    for _ in range(5):
        client.post("/login", data={"phone": "13922220000", "password": "bad-pass-1"})
    unknown = client.post("/login", data={"phone": "13922220000", "password": "bad-pass-1"})
    assert unknown.status_code == 429  # unknown numbers are limited the same way
    other = client.post("/login", data={"phone": "13933330000", "password": "bad-pass-1"})
    assert other.status_code == 200


def test_login_is_rate_limited_per_ip(make_app, make_user):
    app = make_app(LOGIN_LIMIT_PER_IP="3 per minute")
    client = app.test_client()
    for n in range(3):
        client.post("/login", data={"phone": f"1390000000{n}", "password": "bad-pass-1"})
    assert client.post("/login", data={"phone": "13900000009", "password": "x1"}).status_code == 429


def test_successful_logins_do_not_count_against_the_limit(client, make_user):
    make_user(phone="13911110000")
    for _ in range(8):
        client.post("/login", data={"phone": "13911110000", "password": TEST_PASSWORD})
        client.post("/logout")
    response = client.post("/login", data={"phone": "13911110000", "password": TEST_PASSWORD})
    assert response.status_code == 302


def test_change_password_ends_other_sessions(app, client, make_user):
    user_id = make_user(phone="13911110000")
    other_device = app.test_client()
    log_in(other_device, app, user_id)
    log_in(client, app, user_id)
    response = client.post(
        "/account/password",
        data={"current": TEST_PASSWORD, "password": "newpass2026x", "confirm": "newpass2026x"},
    )
    assert response.status_code == 302
    assert client.get("/dashboard").status_code == 200
    assert other_device.get("/dashboard").status_code == 302
    with app.app_context():
        assert _db.session.get(User, user_id).check_password("newpass2026x")


def test_change_password_with_wrong_current_changes_nothing(app, client, make_user):
    user_id = make_user()
    log_in(client, app, user_id)
    page = client.post(
        "/account/password",
        data={"current": "wrong-pass-1", "password": "newpass2026x", "confirm": "newpass2026x"},
    ).get_data(as_text=True)
    assert "当前密码不正确" in page
    with app.app_context():
        assert _db.session.get(User, user_id).check_password(TEST_PASSWORD)


def test_profile_edit_and_bad_input(app, client, make_user, town):
    user_id = make_user()
    log_in(client, app, user_id)
    data = {"display_name": "新名字", "home_unit_id": str(town.village_b_id), "email": ""}
    assert client.post("/account", data=data).status_code == 302
    bad = client.post("/account", data={**data, "display_name": "x" * 10_000})
    assert "不能超过 50 个字" in bad.get_data(as_text=True)
    with app.app_context():
        user = _db.session.get(User, user_id)
        assert (user.display_name, user.home_unit_id) == ("新名字", town.village_b_id)


def test_passwords_are_hashed_with_scrypt_unless_configured(make_app, town):
    """Production hashes with werkzeug's scrypt; only the test suite asks for a cheap hash."""
    from core import accounts
    from core.config import defaults
    from core.models import OrgUnit

    app = make_app()
    app.config["PASSWORD_HASH_METHOD"] = defaults(app)["PASSWORD_HASH_METHOD"]
    with app.app_context():
        home = _db.session.get(OrgUnit, town.village_a_id)
        user = accounts.create_user("13912340000", "a-long-pass-2026", "默认", home)
        assert user.password_hash.startswith("scrypt:32768:8:1$")
        assert user.check_password("a-long-pass-2026") and not user.check_password("wrong")
