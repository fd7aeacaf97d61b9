"""Sign-up and password reset by a 6-digit SMS code.

Codes are stored hashed, live 5 minutes, allow 5 tries, at most 1 a minute and 10 a day per
number and 20 an hour per address; the answer is the same whether a number is registered.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from core import verification
from core.extensions import db as _db
from core.models import User, VerificationCode
from core.timeutil import utcnow
from tests.conftest import TEST_PASSWORD
from tests.core.test_auth import count_users, signup_data
from tests.core.test_sms import PROVIDERS
from tests.fakes import sms as fake

NEW_PASSWORD = "newpass2026x"


def shown_code(page: str) -> str:
    return re.search(r"验证码是 (\d{6})", page).group(1)


def ask_reset(client, phone):
    return client.post("/password/forgot", data={"phone": phone})


def reset(client, phone, code, password=NEW_PASSWORD):
    return client.post(
        "/password/reset",
        data={"phone": phone, "code": code, "password": password, "confirm": password},
    )


def test_development_shows_the_code_and_the_password_can_be_reset(app, client, make_user):
    user_id = make_user(phone="13800138000")
    with app.app_context():
        old_version = _db.session.get(User, user_id).session_version
    answer = ask_reset(client, "+86 138 0013 8000")
    assert answer.headers["Location"] == "/password/reset?phone=13800138000"
    page = client.get(answer.headers["Location"]).get_data(as_text=True)
    code = shown_code(page)
    with app.app_context():
        row = _db.session.scalars(select(VerificationCode)).one()
        assert row.code_hash != code and len(row.code_hash) == 64  # only a hash is kept
    response = reset(client, "13800138000", code)
    assert response.headers["Location"] == "/login"
    with app.app_context():
        user = _db.session.get(User, user_id)
        assert user.check_password(NEW_PASSWORD)
        assert user.session_version == old_version + 1
    # the code is used up
    assert "验证码不正确或已过期" in reset(client, "13800138000", code).get_data(as_text=True)


def test_the_answer_is_the_same_for_an_unknown_number(app, client, make_user):
    make_user(phone="13800138000")
    known = ask_reset(client, "13800138000")
    unknown = ask_reset(client, "13800138001")
    assert known.status_code == unknown.status_code == 302
    assert known.headers["Location"].replace("8000", "8001") == unknown.headers["Location"]
    code = shown_code(client.get(unknown.headers["Location"]).get_data(as_text=True))
    page = reset(client, "13800138001", code).get_data(as_text=True)
    assert "验证码不正确或已过期" in page  # nobody to reset: the same words as a wrong code
    assert count_users(app) == 1


def test_five_wrong_codes_lock_the_code(app, client, make_user):
    user_id = make_user(phone="13800138000")
    answer = ask_reset(client, "13800138000")
    code = shown_code(client.get(answer.headers["Location"]).get_data(as_text=True))
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(4):
        assert "验证码不正确或已过期" in reset(client, "13800138000", wrong).get_data(as_text=True)
    assert "输错次数太多" in reset(client, "13800138000", wrong).get_data(as_text=True)
    assert "输错次数太多" in reset(client, "13800138000", code).get_data(as_text=True)
    with app.app_context():
        assert _db.session.get(User, user_id).check_password(TEST_PASSWORD)


def test_an_expired_code_is_refused(app, client, make_user):
    make_user(phone="13800138000")
    answer = ask_reset(client, "13800138000")
    code = shown_code(client.get(answer.headers["Location"]).get_data(as_text=True))
    with app.app_context():
        _db.session.execute(
            update(VerificationCode).values(expires_at=utcnow() - timedelta(seconds=1))
        )
        _db.session.commit()
    assert "验证码不正确或已过期" in reset(client, "13800138000", code).get_data(as_text=True)


def age_codes(app, **delta) -> None:
    with app.app_context():
        _db.session.execute(
            update(VerificationCode).values(created_at=utcnow() - timedelta(**delta))
        )
        _db.session.commit()


def test_one_code_a_minute_and_ten_a_day_per_number(app, client):
    assert ask_reset(client, "13800138000").status_code == 302
    assert "请 1 分钟后再获取" in ask_reset(client, "13800138000").get_data(as_text=True)
    for _ in range(9):
        age_codes(app, minutes=2)
        assert ask_reset(client, "13800138000").status_code == 302
    age_codes(app, minutes=2)
    assert "今天获取验证码的次数已达上限" in ask_reset(client, "13800138000").get_data(as_text=True)
    age_codes(app, days=1, minutes=1)
    assert ask_reset(client, "13800138000").status_code == 302


def test_twenty_codes_an_hour_per_address(app, client):
    for number in range(20):
        assert ask_reset(client, f"138001380{number:02d}").status_code == 302
    page = ask_reset(client, "13800138099").get_data(as_text=True)
    assert "获取验证码过于频繁" in page


@pytest.mark.parametrize("phone", ["12345", "138 0013 800", "abc"])
def test_a_bad_number_is_explained(client, phone):
    page = ask_reset(client, phone).get_data(as_text=True)
    assert "请输入 11 位中国大陆手机号" in page


def test_production_without_sms_refuses_and_points_to_the_admin(client, monkeypatch):
    monkeypatch.setattr(verification, "is_production", lambda app: True)
    page = client.get("/password/forgot").get_data(as_text=True)
    assert "本站尚未开通短信验证码" in page and "系统管理员重置" in page
    assert "本站尚未开通短信验证码" in ask_reset(client, "13800138000").get_data(as_text=True)
    assert client.get("/password/reset").headers["Location"] == "/password/forgot"


@pytest.fixture
def sms_client(make_app):
    with fake.FakeAliyun() as server:
        app = make_app(
            SMS_PROVIDER="aliyun",
            SMS_ENDPOINT=server.url,
            SMS_SIGN_NAME=fake.SIGN_NAME,
            SMS_TEMPLATES={"verification": "SMS_100002"},
            **PROVIDERS["aliyun"][1],
        )
        yield app, app.test_client(), server


def test_with_a_provider_the_code_goes_by_sms_to_registered_numbers_only(sms_client, make_user):
    _app, client, server = sms_client
    make_user(phone="13800138000")
    first = ask_reset(client, "13800138000")
    second = ask_reset(client, "13800138001")
    assert first.status_code == second.status_code == 302
    assert "验证码是" not in client.get(first.headers["Location"]).get_data(as_text=True)
    [sent] = server.accepted
    assert (sent["phone"], sent["template"]) == ("13800138000", "SMS_100002")
    assert re.fullmatch(r"\d{6}", sent["params"]["code"])
    assert reset(client, "13800138000", sent["params"]["code"]).headers["Location"] == "/login"


def test_a_provider_failure_is_explained(sms_client, make_user):
    _app, client, server = sms_client
    make_user(phone="13800138000")
    server.faults = ["500"]
    page = ask_reset(client, "13800138000").get_data(as_text=True)
    assert "短信发送失败，请稍后再试" in page


def test_sign_up_needs_the_code_once_sms_is_set_up(sms_client, town):
    app, client, server = sms_client
    data = signup_data(town)
    page = client.post("/signup", data=data).get_data(as_text=True)
    assert "验证码不正确或已过期" in page and count_users(app) == 0
    assert client.post("/signup/code", data={"phone": data["phone"]}).status_code == 302
    [sent] = server.accepted
    response = client.post("/signup", data={**data, "code": sent["params"]["code"]})
    assert response.status_code == 302 and count_users(app) == 1


def test_a_sign_up_code_is_not_sent_to_a_registered_number(sms_client, make_user):
    _app, client, server = sms_client
    make_user(phone="13800138000")
    assert client.post("/signup/code", data={"phone": "13800138000"}).status_code == 302
    assert server.accepted == []
