"""A manager publishes a 指尖学习 item and reads the bulletin; a resident earns a credit."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.conftest import TEST_PASSWORD
from tests.e2e.conftest import open_menu

pytestmark = pytest.mark.e2e


def log_in(page, base, phone):
    page.goto(base + "/login")
    page.get_by_label("手机号").fill(phone)
    page.get_by_label("密码").fill(TEST_PASSWORD)
    page.get_by_role("button", name="登录").click()


def test_publish_learn_and_earn(live_server, new_page, town, make_user, tmp_path):
    make_user("programme_manager", town.town_id, phone="13700000001", name="梁管理")
    make_user("resident", town.village_a_id, phone="13700000002", name="王大妈")

    manager = new_page()
    log_in(manager, live_server, "13700000001")
    open_menu(manager)
    manager.get_by_role("link", name="工作进度").click()
    expect(manager.get_by_role("heading", name="工作进度")).to_be_visible()
    manager.get_by_role("link", name="进度通报").click()
    expect(manager.locator("#bulletin")).to_be_visible()
    expect(manager.get_by_role("link", name="下载 Excel(XLSX)")).to_be_visible()
    manager.screenshot(path=str(tmp_path / "bulletin.png"), full_page=True)

    manager.goto(live_server + "/reports/learn/new")
    manager.get_by_label("标题").fill("冬季防火小常识")
    manager.get_by_label("正文").fill("出门关电源，炉火有人看。")
    manager.get_by_role("button", name="发布").click()
    expect(manager.get_by_role("heading", name="冬季防火小常识")).to_be_visible()
    resident = new_page()
    log_in(resident, live_server, "13700000002")
    open_menu(resident)
    resident.get_by_role("link", name="指尖学习").first.click()
    resident.get_by_role("link", name="冬季防火小常识").click()
    expect(resident.get_by_text("出门关电源")).to_be_visible()
    open_menu(resident)
    resident.get_by_role("link", name="学分银行").click()
    assert resident.locator(".credits-balance").inner_text() == "1"
    resident.get_by_role("link", name="打印学习证明").first.click()
    expect(resident.get_by_text("累计获得学分 1 分")).to_be_visible()
    # the page fits a phone: nothing wider than the viewport
    width = resident.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
