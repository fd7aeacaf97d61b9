"""A resident signs up, sees the dashboard, switches language and logs out, in a real browser."""

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import open_menu

pytestmark = pytest.mark.e2e


def test_sign_up_dashboard_language_logout(live_server, page, town):
    page.goto(live_server + "/")
    page.get_by_role("link", name="注册").first.click()
    page.get_by_label("手机号").fill("13912345678")
    page.get_by_label("姓名").fill("张阿姨")
    page.get_by_label("所在村（社区）").select_option(label="　甲村")
    page.get_by_label("密码", exact=True).fill("abc12345xyz")
    page.get_by_label("再次输入密码").fill("abc12345xyz")
    page.get_by_role("button", name="注册").click()
    expect(page.get_by_role("heading", name="您好，张阿姨")).to_be_visible()
    page.get_by_role("button", name="English").click()
    assert page.locator("html").get_attribute("lang") == "en"
    open_menu(page)
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("link", name="Log in").first).to_be_visible()
    page.get_by_role("button", name="中文").click()
    page.get_by_role("link", name="登录").first.click()
    page.get_by_label("手机号").fill("13912345678")
    page.get_by_label("密码").fill("abc12345xyz")
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", name="您好，张阿姨")).to_be_visible()


def test_wrong_password_shows_chinese_message(live_server, page, town, make_user):
    make_user(phone="13911112222")
    page.goto(live_server + "/login")
    page.get_by_label("手机号").fill("13911112222")
    page.get_by_label("密码").fill("wrong-password-1")
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_text("手机号或密码不正确。")).to_be_visible()
