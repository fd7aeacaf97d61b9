"""Calendar in a real browser: a resident registers and subscribes; a coordinator runs a series."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from core.timeutil import local_zone, utcnow
from tests.conftest import TEST_PASSWORD
from tests.plugins.calendar.conftest import event_fields

pytestmark = pytest.mark.e2e


def log_in(page, live_server, phone):
    page.goto(live_server + "/login")
    page.get_by_label("手机号").fill(phone)
    page.get_by_label("密码").fill(TEST_PASSWORD)
    page.get_by_role("button", name="登录").click()


def test_resident_registers_and_copies_subscribe_link(live_server, new_page, app, town, make_user):
    from core.extensions import db
    from plugins.calendar import services
    from tests.plugins.calendar.conftest import local

    day = utcnow().astimezone(local_zone()).date() + timedelta(days=1)
    with app.app_context():
        cats = {c.name: c.id for c in services.ensure_categories()}
        services.save_event(
            None,
            event_fields(
                cats["干部夜校"],
                town.village_a_id,
                local(day),
                title="善书堂干部夜校",
                description="学习乡村振兴政策",
                venue="甲村学习中心",
                end_at=local(day, 21, 0),
                freq="weekly",
                weekdays=str(day.weekday()),
                count=8,
                capacity=30,
            ),
            None,
        )
        db.session.commit()
    make_user(phone="13911110001", name="王大妈")
    page = new_page(permissions=["clipboard-read", "clipboard-write"])
    log_in(page, live_server, "13911110001")
    page.goto(live_server + "/calendar/")
    page.get_by_role("link", name="善书堂干部夜校").first.click()
    expect(page.get_by_role("heading", name="善书堂干部夜校")).to_be_visible()
    page.get_by_role("button", name="我要报名").click()
    expect(page.get_by_role("status")).to_contain_text("报名成功")
    expect(page.get_by_text("您已报名")).to_be_visible()
    expect(page.get_by_role("link", name="添加到手机日历")).to_be_visible()

    page.goto(live_server + "/account")
    page.get_by_role("button", name="生成我的订阅链接").click()
    feed_url = page.get_by_label("订阅地址 (https)").input_value()
    assert "/calendar/feed/" in feed_url
    webcal = page.get_by_role("link", name="一键订阅 (webcal)").get_attribute("href")
    assert webcal.startswith("webcal://") and webcal.endswith(feed_url.split("://", 1)[1])
    page.get_by_role("button", name="复制链接").click()
    expect(page.get_by_role("button", name="已复制")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == feed_url
    body = page.request.get(feed_url).text()
    assert "善书堂干部夜校" in body and "BEGIN:VCALENDAR" in body


def test_coordinator_creates_series_and_cancels_one(live_server, page, app, town, make_user):
    from plugins.calendar import services

    with app.app_context():
        services.ensure_categories()
        from core.extensions import db

        db.session.commit()
    make_user("village_coordinator", town.village_a_id, phone="13911110002", name="刘春华")
    log_in(page, live_server, "13911110002")
    page.goto(live_server + "/calendar/")
    page.get_by_role("link", name="新建活动").click()
    day = utcnow().astimezone(local_zone()).date() + timedelta(days=2)
    page.get_by_label("活动名称").fill("微讲堂：果树修剪")
    page.get_by_label("类别").select_option(label="微讲堂")
    page.get_by_label("开始日期").fill(day.isoformat())
    page.get_by_label("开始时间").fill("19:30")
    page.get_by_label("结束日期").fill(day.isoformat())
    page.get_by_label("结束时间").fill("21:00")
    page.get_by_label("重复", exact=True).select_option("weekly")
    page.get_by_label(
        ["周一", "周二", "周三", "周四", "周五", "周六", "周日"][day.weekday()]
    ).check()
    page.get_by_label("共几次").fill("6")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_text("活动已创建")).to_be_visible()
    expect(page.get_by_role("heading", name="微讲堂：果树修剪")).to_be_visible()
    page.get_by_role("link", name="取消这一次").click()
    page.get_by_label("取消原因").fill("讲师临时有事")
    page.get_by_role("button", name="确认取消").click()
    expect(page.get_by_text("这一次活动已取消")).to_be_visible()
    expect(page.get_by_role("heading", name="【已取消】微讲堂：果树修剪")).to_be_visible()
    page.goto(live_server + "/calendar/")
    expect(page.get_by_role("link", name="【已取消】微讲堂：果树修剪")).to_have_count(1)
    assert page.get_by_role("link", name="微讲堂：果树修剪", exact=True).count() >= 1
