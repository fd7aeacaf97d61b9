"""One browser journey per role on the demo town: the phone header, tappable cards, 代报名, the
audit log's choices, and a live quiz hosted on a projector with two phones joining.

Screenshots of the phone header, 我的活动 and the projector go to a temporary folder, or, with
``XXT_SCREENSHOTS=docs/screenshots``, to the ones the README links to.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from core.extensions import db as _db
from tests.e2e.conftest import open_menu

pytestmark = [pytest.mark.e2e, pytest.mark.demo_town]

PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 900}
PASSWORD = "shuanghuai2018"


@pytest.fixture
def shots(tmp_path) -> Path:
    folder = Path(os.environ.get("XXT_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def log_in(page, live_server, phone: str) -> None:
    page.goto(live_server + "/login")
    page.get_by_label("手机号").fill(phone)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.locator("main h1").first).to_be_visible()


def _event_id(app, title: str) -> int:
    from plugins.calendar.models import CalendarEvent

    with app.app_context():
        return _db.session.scalar(select(CalendarEvent.id).where(CalendarEvent.title == title))


def test_resident_on_a_360_px_phone(live_server, new_page, app, shots):
    page = new_page(viewport=PHONE)
    log_in(page, live_server, "13800000009")
    header = page.locator("header.site-header")
    brand, person, menu = (
        page.locator(".brand"),
        page.locator(".who.phone-only"),
        page.locator("details.menu > summary"),
    )
    # one row: the three share a line and the header is no taller than one tap target row
    tops = {
        round(box["y"] + box["height"] / 2)
        for box in (brand.bounding_box(), person.bounding_box(), menu.bounding_box())
    }
    assert max(tops) - min(tops) <= 4
    assert header.bounding_box()["height"] <= 64
    expect(page.locator(".main-nav")).to_be_hidden()
    header.screenshot(path=str(shots / "phone-header.png"))
    open_menu(page)
    page.get_by_role("link", name="活动日历").click()
    page.goto(f"{live_server}/calendar/e/{_event_id(app, '微讲堂：春季农作物病虫害防治')}")
    page.get_by_role("button", name="我要报名").click()
    expect(page.get_by_role("status")).to_contain_text("报名成功")
    page.goto(live_server + "/calendar/mine")
    card = page.locator(".card", has_text="春季农作物病虫害防治")
    expect(card).to_be_visible()
    page.screenshot(path=str(shots / "my-events.png"), full_page=True)
    # the whole card is the link: a tap on its lower edge opens the event
    card.scroll_into_view_if_needed()
    box = card.bounding_box()
    page.mouse.click(box["x"] + box["width"] - 10, box["y"] + box["height"] - 6)
    expect(page.get_by_role("heading", name="微讲堂：春季农作物病虫害防治")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_coordinator_registers_a_villager_without_a_smartphone(live_server, new_page, app):
    page = new_page(viewport=DESKTOP)
    log_in(page, live_server, "13800000005")
    expect(page.locator(".main-nav")).to_be_visible()  # desktop keeps the normal navigation
    expect(page.locator("details.menu")).to_be_hidden()
    page.goto(f"{live_server}/calendar/e/{_event_id(app, '微讲堂：春季农作物病虫害防治')}")
    page.goto(page.url + "/people")  # the occurrence's roll call
    form = page.locator("form", has=page.get_by_role("button", name="代为报名"))
    form.get_by_label("姓名").fill("聂婆婆")
    form.get_by_label("所在村（社区）").select_option(label="渭溪村")
    form.get_by_role("button", name="代为报名").click()
    expect(page.get_by_role("status")).to_contain_text("已为聂婆婆（渭溪村）代报名。")
    form.get_by_label("姓名").fill("聂婆婆")
    form.get_by_label("所在村（社区）").select_option(label="渭溪村")
    form.get_by_role("button", name="代为报名").click()
    expect(page.get_by_role("alert").last).to_contain_text("可能是同一个人")
    expect(page.get_by_label("我已核对，这是另一个人，仍然代报名")).to_be_visible()


def test_lecturer_finds_their_lecture_tasks(live_server, new_page):
    page = new_page(viewport=PHONE)
    log_in(page, live_server, "13800000007")
    open_menu(page)
    page.get_by_role("link", name="讲师团").click()
    page.get_by_role("link", name="我的宣讲任务").click()
    expect(page.get_by_role("heading", name="我的宣讲任务")).to_be_visible()


def test_volunteer_taps_a_shift_card(live_server, new_page):
    page = new_page(viewport=PHONE)
    log_in(page, live_server, "13800000008")
    open_menu(page)
    page.get_by_role("link", name="志愿服务").click()
    card = page.locator("article.card").first
    title = card.locator("h3").inner_text()
    box = card.locator("p.muted").first.bounding_box()  # not the link: plain text on the card
    page.mouse.click(box["x"] + 4, box["y"] + box["height"] / 2)
    expect(page.get_by_role("heading", name=title)).to_be_visible()


def test_manager_filters_the_audit_log_by_a_named_action(live_server, new_page):
    page = new_page(viewport=DESKTOP)
    log_in(page, live_server, "13800000002")
    page.get_by_role("link", name="审计日志").click()
    page.get_by_label("动作").select_option(label="授予角色")
    page.get_by_role("button", name="筛选").click()
    rows = page.locator("main table tbody tr")
    expect(rows.first).to_be_visible()
    assert set(page.locator("main table tbody tr td:nth-child(3)").all_inner_texts()) <= {
        "授予角色"
    }
    assert "core.role_granted" not in page.locator("main").inner_text()


def test_host_projects_a_live_quiz_two_phones_join(live_server, new_page, shots):
    host = new_page(viewport=DESKTOP)
    log_in(host, live_server, "13800000005")
    host.goto(live_server + "/contests/live/new")
    host.get_by_label("名称").fill("渭溪村院坝会有奖问答")
    host.get_by_label("题数").fill("2")
    host.get_by_role("button", name="创建").click()
    projector_link = host.get_by_role("link", name="投影画面")
    screen = new_page(viewport={"width": 1280, "height": 720})
    screen.context.add_cookies(host.context.cookies())
    screen.goto(live_server + projector_link.get_attribute("href"))
    code = screen.locator(".projector-code").inner_text()
    assert re.fullmatch(r"[A-Z0-9]{4,8}", code)
    expect(screen.locator(".projector-qr svg")).to_be_visible()
    expect(screen.locator("header, nav")).to_have_count(0)
    phones = []
    for name in ("张大爷", "李大妈"):
        phone = new_page(viewport=PHONE)
        phone.goto(f"{live_server}/contests/live/join?code={code}")
        phone.get_by_label("您的姓名").fill(name)
        phone.get_by_label("所在村（社区）").select_option(label="渭溪村")
        phone.get_by_role("button", name="加入").click()
        expect(phone.locator("#live-status")).to_contain_text("请等待主持人出题")
        phones.append(phone)
    # the projector reloads itself when somebody joins
    expect(screen.locator(".projector-names")).to_contain_text("张大爷", timeout=15_000)
    expect(screen.locator(".projector-names")).to_contain_text("李大妈", timeout=15_000)
    screen.screenshot(path=str(shots / "projector.png"))
    host.get_by_role("button", name="开始第一题").click()
    expect(screen.locator(".projector-stem")).to_be_visible(timeout=15_000)
    expect(screen.locator(".projector-countdown")).to_be_visible()
    for phone in phones:  # each phone reloads itself when the question is shown
        expect(phone.locator(".answer-form")).to_be_visible(timeout=15_000)
        boxes = phone.locator(".answer-form input[type=checkbox]")
        if boxes.count():  # a multiple-choice question (drawn at random): tick one, then 提交
            boxes.first.check()
        phone.locator(".answer-form button").first.click()
        expect(phone.locator("#live-status")).to_contain_text("已提交", timeout=10_000)
    expect(screen.locator("#answer-count")).to_have_text("2", timeout=15_000)
    screen.screenshot(path=str(shots / "projector-question.png"))
