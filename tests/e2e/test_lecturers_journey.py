"""Issue 4 point 11 in a real browser: a village coordinator orders a health talk, a manager
assigns it, the lecturer accepts a slot, it is on the calendar, the coordinator rates it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from core.extensions import db as _db
from core.plugins import registry
from core.timeutil import to_local, utcnow
from tests.conftest import TEST_PASSWORD

pytestmark = pytest.mark.e2e


def _log_in(page, base: str, phone: str) -> None:
    page.goto(base + "/login")
    page.get_by_label("手机号").fill(phone)
    page.get_by_label("密码").fill(TEST_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(lambda url: "/login" not in url)


def test_order_assign_accept_calendar_rate(live_server, new_page, app, town, make_user):
    from plugins.lecturers.menu import seed_menu, topic_by_name
    from plugins.lecturers.models import Lecturer, Offer
    from plugins.lecturers.requests.models import LectureRequest

    make_user("village_coordinator", town.village_a_id, phone="13900000001", name="甲村书记")
    make_user("programme_manager", town.town_id, phone="13900000002", name="梁管理")
    doctor = make_user("lecturer", town.town_id, phone="13900000003", name="黄医生")
    with app.app_context():
        seed_menu()
        _db.session.add(
            Lecturer(
                user_id=doctor,
                org_unit_id=town.justice_id,
                title="全科医生",
                formats="briefing,courtyard",
                status="approved",
                offers=[Offer(topic_id=topic_by_name("保健护理").id)],
            )
        )
        _db.session.commit()
    day1 = to_local(utcnow() + timedelta(days=4)).date().isoformat()
    day2 = to_local(utcnow() + timedelta(days=6)).date().isoformat()

    village = new_page()
    _log_in(village, live_server, "13900000001")
    village.goto(live_server + "/lectures/topics")
    village.locator(".card", has_text="保健护理").get_by_role("link", name="点这个").click()
    village.get_by_label("形式").select_option(label="院坝会")
    village.locator("#slot1_day").fill(day1)
    village.locator("#slot1_start").fill("09:00")
    village.locator("#slot1_end").fill("10:30")
    village.locator("#slot2_day").fill(day2)
    village.locator("#slot2_start").fill("14:00")
    village.locator("#slot2_end").fill("15:30")
    village.get_by_label("预计听众人数").fill("60")
    village.get_by_label("听众对象").select_option(label="老年人")
    village.get_by_role("button", name="提交点单").click()
    expect(village.get_by_text("点单已提交")).to_be_visible()
    request_url = village.url

    manager = new_page()
    _log_in(manager, live_server, "13900000002")
    manager.goto(live_server + "/lectures/manage")
    manager.get_by_role("link", name="保健护理").click()
    expect(manager.get_by_text("开设「保健护理」专题")).to_be_visible()
    manager.get_by_role("button", name="派给黄医生").click()
    expect(manager.get_by_text("已派单").first).to_be_visible()
    lecturer = new_page()
    _log_in(lecturer, live_server, "13900000003")
    lecturer.goto(live_server + "/lectures/mine")
    lecturer.get_by_role("link", name="保健护理").click()
    lecturer.get_by_label(f"{day2} 14:00", exact=False).check()
    lecturer.get_by_role("button", name="接单").click()
    expect(lecturer.get_by_text("已接单").first).to_be_visible()
    village.goto(request_url)
    village.get_by_role("button", name="确认排期").click()
    expect(village.get_by_text("已排入活动日历")).to_be_visible()
    with app.app_context():
        entries = [
            entry
            for group in registry(app).hook.calendar_entries(
                start=utcnow(), end=utcnow() + timedelta(days=30), viewer=None, personal=False
            )
            for entry in group
        ]
        assert [e.title for e in entries] == ["微讲堂：保健护理（甲村）"]
        assert to_local(entries[0].start).strftime("%Y-%m-%d %H:%M") == f"{day2} 14:00"
        # the lecture is on the calendar pages and in the village's feed, with no calendar import
        resident = new_page()
        resident.goto(live_server + f"/calendar/?village={town.village_a_id}")
        expect(resident.get_by_text("微讲堂：保健护理（甲村）").first).to_be_visible()
        feed = resident.request.get(live_server + f"/calendar/feed.ics?village={town.village_a_id}")
        assert "lecturers-request-" in feed.text() and "保健护理" in feed.text()
        # time passes: the lecture took place this morning
        request = _db.session.scalar(select(LectureRequest))
        request.scheduled_start = utcnow() - timedelta(hours=3)
        request.scheduled_end = utcnow() - timedelta(hours=2)
        _db.session.commit()
    lecturer.goto(request_url)
    expect(lecturer.get_by_text("已排期").first).to_be_visible()
    lecturer.get_by_label("实际听讲人数").fill("58")
    lecturer.get_by_label("宣讲小结").fill("讲解高血压防治，老人们提问踊跃。")
    lecturer.get_by_role("button", name="登记宣讲完成").click()
    expect(lecturer.get_by_text("已宣讲").first).to_be_visible()
    village.goto(request_url)
    village.get_by_label("5 分").check()
    village.get_by_label("评语").fill("讲得通俗易懂")
    village.get_by_role("button", name="评价").click()
    expect(village.get_by_text("已评价").first).to_be_visible()
    expect(village.get_by_text("讲得通俗易懂")).to_be_visible()
