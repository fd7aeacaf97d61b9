"""Competitions in a real browser: a resident takes a contest and reads the review; a host runs
a three-question live quiz with two phones."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from core.extensions import db as _db
from tests.conftest import TEST_PASSWORD
from tests.plugins.competitions.helpers import add_questions, make_contest

pytestmark = pytest.mark.e2e


def _login(page, live_server, phone):
    page.goto(live_server + "/login")
    page.get_by_label("手机号").fill(phone)
    page.get_by_label("密码").fill(TEST_PASSWORD)
    page.get_by_role("button", name="登录").click()


def test_resident_takes_contest_and_sees_review(app, live_server, page, town, make_user):
    with app.app_context():
        add_questions(4)
        contest = make_contest(town, count=3)
        title = contest.title
        _db.session.remove()
    make_user("resident", town.village_a_id, phone="13912340001")
    _login(page, live_server, "13912340001")
    page.goto(live_server + "/contests/")
    page.get_by_role("link", name=title).click()
    page.get_by_role("button", name="开始答题").click()
    html = page.content()
    assert "秘密解析" not in html and "正确答案" not in html
    for fieldset in page.locator("fieldset.question").all():
        fieldset.locator("input").first.check()
    page.get_by_role("button", name="交卷").click()
    expect(page.get_by_role("heading", name="答题解析")).to_be_visible()
    expect(page.get_by_text("秘密解析").first).to_be_visible()
    assert page.locator("section.review").count() == 3


def test_host_runs_live_quiz_with_two_phones(app, live_server, new_page, town, make_user):
    with app.app_context():
        add_questions(3)
        _db.session.remove()
    make_user("village_coordinator", town.village_a_id, phone="13912340002")
    host = new_page(viewport={"width": 1280, "height": 800})
    _login(host, live_server, "13912340002")
    host.goto(live_server + "/contests/live/new")
    host.get_by_label("名称").fill("院坝会有奖问答")
    host.get_by_label("题数").fill("3")
    host.get_by_role("button", name="创建").click()
    code = host.locator("strong.code").inner_text().strip()

    phones = []
    for name in ("张三", "李四"):
        phone = new_page()
        phone.goto(live_server + "/contests/live/join")
        phone.get_by_label("问答码").fill(code)
        phone.get_by_label("您的姓名").fill(name)
        phone.get_by_label("所在村（社区）").select_option(label="甲村")
        phone.get_by_role("button", name="加入").click()
        expect(phone.get_by_text("请等待主持人出题")).to_be_visible()
        phones.append(phone)

    host.get_by_role("button", name="开始第一题").click()
    for number in range(1, 4):
        expect(host.get_by_text(f"第 {number} / 3 题")).to_be_visible()
        for index, phone in enumerate(phones):
            # The phone's poller reloads the page when the question appears.
            phone.wait_for_selector(f"text=第 {number} 题")
            phone.locator("button.option-button").nth(index).click()
            expect(phone.get_by_text("已提交").first).to_be_visible()
        host.get_by_role("button", name="公布答案").click()
        expect(host.get_by_role("heading", name="计分板")).to_be_visible()
        label = "下一题" if number < 3 else "结束并保存结果"
        host.get_by_role("button", name=label).click()
    expect(host.get_by_text("已结束").first).to_be_visible()
    host.goto(host.url.replace("/host", "/results"))
    assert host.get_by_text("张三").is_visible() and host.get_by_text("李四").is_visible()
    phones[0].wait_for_selector("text=问答已结束")
