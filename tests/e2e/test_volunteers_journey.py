"""A volunteer signs up, states skills and availability, takes a shift from the eligible list;
a manager auto-fills next week and confirms, in a real browser."""

from datetime import datetime, time, timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from core import availability
from core.extensions import db
from core.timeutil import from_local, to_local, utcnow
from tests.conftest import TEST_PASSWORD

pytestmark = pytest.mark.e2e


def _seed(app, town, make_user):
    from core.models import User
    from plugins.volunteers import profiles
    from plugins.volunteers.models import Shift, ShiftRole, Skill

    helper = make_user("resident", town.village_a_id, name="老志愿者")
    with app.app_context():
        profiles.seed_skills()
        teaching = db.session.scalar(select(Skill).where(Skill.code == "teaching"))
        profiles.save_profile(
            db.session.get(User, helper),
            {"home_unit_id": town.village_a_id, "monthly_max_shifts": 8, "skills": [teaching.id],
             "teams": [], "villages": []},
        )  # fmt: skip
        for weekday in range(7):
            availability.add_slot(helper, weekday, time(8), time(20))
        soon = utcnow() + timedelta(days=2)
        today = to_local(utcnow()).date()
        monday = datetime.combine(today + timedelta(days=7 - today.weekday()), time(9))
        for title, start in (("学习中心开课签到", soon), ("下周课后辅导", from_local(monday))):
            shift = Shift(
                title=title,
                org_unit_id=town.village_a_id,
                venue="甲村学习中心",
                starts_at=start,
                ends_at=start + timedelta(hours=2),
            )
            role = ShiftRole(name="引导", needed=2)
            role.skills = [teaching]
            shift.roles.append(role)
            db.session.add(shift)
        db.session.commit()


def _log_in(page, live_server, phone):
    page.goto(live_server + "/login")
    page.get_by_label("手机号").fill(phone)
    page.get_by_label("密码").fill(TEST_PASSWORD)
    page.get_by_role("button", name="登录").click()


def test_volunteer_signs_up_and_manager_autofills(live_server, new_page, app, town, make_user):
    _seed(app, town, make_user)
    make_user("resident", town.village_a_id, phone="13911110001", name="新志愿者")
    make_user("programme_manager", town.town_id, phone="13911110002", name="梁经理")

    page = new_page()
    _log_in(page, live_server, "13911110001")
    page.goto(live_server + "/volunteers/")
    page.get_by_role("link", name="登记成为志愿者").first.click()
    page.get_by_label("教学").check()
    page.get_by_label("每月最多班次").fill("4")
    page.get_by_role("button", name="提交登记").click()
    expect(page.get_by_text("志愿者资料已保存。")).to_be_visible()
    # Free time is stated once per person, on core's page, linked from the profile.
    page.get_by_role("link", name="修改我的空闲时间").click()
    page.get_by_label("星期").select_option(label="周一")
    page.get_by_label("开始时间").fill("08:00")
    page.get_by_label("结束时间").fill("18:00")
    page.get_by_role("button", name="添加时段").click()
    expect(page.get_by_text("周一 08:00–18:00")).to_be_visible()
    page.goto(live_server + "/volunteers/")
    expect(page.get_by_role("heading", name="可报名的班次")).to_be_visible()
    card = page.locator("article", has_text="学习中心开课签到")
    card.get_by_role("button", name="报名 引导").click()
    expect(page.get_by_text("报名成功")).to_be_visible()
    expect(page.get_by_role("heading", name="学习中心开课签到")).to_be_visible()
    manager = new_page()
    _log_in(manager, live_server, "13911110002")
    manager.goto(live_server + "/volunteers/manage")
    manager.get_by_role("link", name="自动排班（下周）").click()
    expect(manager.get_by_text("下周课后辅导").first).to_be_visible()
    expect(manager.get_by_role("cell", name="新志愿者")).to_be_visible()
    manager.get_by_role("button", name="确认方案并通知志愿者").click()
    expect(manager.get_by_text("已按方案安排 2 人次。")).to_be_visible()
    page.goto(live_server + "/volunteers/me")
    expect(page.get_by_text("下周课后辅导")).to_be_visible()
