"""Profile and availability forms, shift and role forms, matching, auto-fill, approvals."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from core.extensions import db
from core.models import Availability, Blackout, RoleAssignment
from core.timeutil import local_today, to_local, utcnow
from plugins.volunteers.models import (
    Assignment,
    Profile,
    Shift,
    ShiftRole,
    Skill,
)
from tests.conftest import log_in


def _skill_ids(app, *codes):
    with app.app_context():
        from plugins.volunteers.profiles import seed_skills

        seed_skills()
        db.session.commit()
        return list(db.session.scalars(select(Skill.id).where(Skill.code.in_(codes))))


def test_sign_up_as_volunteer_and_availability(app, client, town, login_as):
    user = login_as("resident", town.village_a_id)
    assert "我能做的" in client.get("/volunteers/profile").get_data(as_text=True)
    data = {"home_unit_id": town.village_a_id, "monthly_max_shifts": "4", "note": ""}
    page = client.post("/volunteers/profile", data=data).get_data(as_text=True)
    assert "请至少选择一项技能" in page
    data["skills"] = _skill_ids(app, "teaching", "it")
    data["villages"] = [town.village_b_id]
    client.post("/volunteers/profile", data=data)
    with app.app_context():
        profile = db.session.scalar(select(Profile).where(Profile.user_id == user))
        assert profile.status == "approved" and len(profile.skills) == 2
        assert db.session.scalar(
            select(RoleAssignment.id).where(
                RoleAssignment.user_id == user, RoleAssignment.role == "volunteer"
            )
        )
    # Free time is stated once, on core's page, which the profile page links to.
    assert "/me/availability" in client.get("/volunteers/profile").get_data(as_text=True)
    bad = {"slot-weekday": "2", "slot-start_time": "12:00", "slot-end_time": "09:00"}
    page = client.post("/me/availability/slots", data=bad)
    assert "结束时间必须晚于开始时间" in page.get_data(as_text=True)
    client.post("/me/availability/slots", data=dict(bad, **{"slot-end_time": "17:00"}))
    future = f"{local_today().year + 1}-01-01"
    client.post("/me/availability/blackouts", data={"off-day": future})
    past = client.post(
        "/me/availability/blackouts",
        data={"off-day": (local_today() - timedelta(days=1)).isoformat()},
    )
    assert "这一天已经过去，不需要登记。" in past.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(Availability.id))) == 1
        assert [b.day.isoformat() for b in db.session.scalars(select(Blackout))] == [future]
    page = client.get("/volunteers/profile").get_data(as_text=True)
    assert "周三 12:00–17:00" in page and future in page
    for bad_max in ("0", "99"):
        page = client.post("/volunteers/profile", data=dict(data, monthly_max_shifts=bad_max))
        assert "每月最多班次应在 1 到 31 之间" in page.get_data(as_text=True)


def test_approval_setting(make_app, town, make_user):
    app = make_app(VOLUNTEERS_REQUIRE_APPROVAL=True)
    client = app.test_client()
    user = make_user("resident", town.village_a_id)
    log_in(client, app, user)
    data = {
        "home_unit_id": town.village_a_id,
        "monthly_max_shifts": "4",
        "skills": _skill_ids(app, "arts"),
    }
    assert "等待审核" in client.post(
        "/volunteers/profile", data=data, follow_redirects=True
    ).get_data(as_text=True)
    with app.app_context():
        profile_id, status = db.session.execute(select(Profile.id, Profile.status)).one()
    assert status == "pending"
    log_in(client, app, make_user("counsellor", town.village_b_id))
    assert client.post(f"/volunteers/manage/volunteers/{profile_id}/approve").status_code == 403
    log_in(client, app, make_user("counsellor", town.village_a_id))
    assert "审核通过" in client.get("/volunteers/manage/volunteers").get_data(as_text=True)
    client.post(f"/volunteers/manage/volunteers/{profile_id}/reject", data={"reason": "请补充"})
    with app.app_context():
        assert db.session.get(Profile, profile_id).status == "rejected"
    log_in(client, app, user)
    client.post("/volunteers/profile", data=data)  # changed and sent again
    log_in(client, app, make_user("counsellor", town.village_a_id))
    client.post(f"/volunteers/manage/volunteers/{profile_id}/approve")
    with app.app_context():
        assert db.session.get(Profile, profile_id).status == "approved"
        from core.models import Notification

        subjects = db.session.scalars(
            select(Notification.subject).where(Notification.user_id == user)
        ).all()
        assert "志愿者登记已通过审核" in subjects and "志愿者登记未通过" in subjects
        from core.models import AuditLog

        audits = db.session.execute(
            select(AuditLog.action, AuditLog.summary).order_by(AuditLog.id)
        ).all()
        assert [a for a, _ in audits] == ["volunteers.rejected", "volunteers.approved"]
        assert "请补充" in audits[0][1]  # the reason is on the record


def _local(moment):
    return to_local(moment).replace(tzinfo=None).strftime("%Y-%m-%dT%H:%M")


def test_create_shift_roles_and_bad_counts(app, client, town, login_as):
    login_as("village_coordinator", town.village_a_id)
    start = utcnow() + timedelta(days=3)
    form = {
        "title": "开课签到",
        "org_unit_id": town.village_a_id,
        "venue": "学习中心",
        "starts_at": _local(start),
        "ends_at": _local(start - timedelta(hours=1)),
        "public": "y",
    }
    page = client.post("/volunteers/manage/shifts/new", data=form).get_data(as_text=True)
    assert "结束时间必须晚于开始时间" in page
    other = dict(form, org_unit_id=town.village_b_id, ends_at=_local(start + timedelta(hours=2)))
    refused = client.post("/volunteers/manage/shifts/new", data=other)
    # Village B is not among the coordinator's units: the choice is refused beside the field.
    assert refused.status_code == 200
    assert '<p class="error" id="org_unit_id-err">不是有效的选择。</p>' in refused.get_data(
        as_text=True
    )
    with app.app_context():
        assert db.session.scalar(select(func.count(Shift.id))) == 0
    form["ends_at"] = _local(start + timedelta(hours=2))
    response = client.post("/volunteers/manage/shifts/new", data=form)
    assert response.status_code == 302
    with app.app_context():
        shift_id = db.session.scalar(select(Shift.id))
    for count in ("0", "10000"):
        response = client.post(
            f"/volunteers/manage/shifts/{shift_id}", data={"name": "引导", "needed": count}
        )
        assert response.status_code == 400
        assert "需要人数应在 1 到 100 之间" in response.get_data(as_text=True)
    client.post(
        f"/volunteers/manage/shifts/{shift_id}",
        data={"name": "摄影", "needed": "2", "skills": _skill_ids(app, "publicity")},
    )
    with app.app_context():
        role = db.session.scalar(select(ShiftRole))
        assert role.needed == 2 and [s.code for s in role.skills] == ["publicity"]
        role_id = role.id
    page = client.post(
        f"/volunteers/manage/roles/{role_id}/needed",
        data={"name": "摄影", "needed": "0"},
        follow_redirects=True,
    )
    assert "需要人数应在 1 到 100 之间" in page.get_data(as_text=True)
    # editing the time raises the calendar sequence
    form["starts_at"] = _local(start + timedelta(hours=1))
    form["ends_at"] = _local(start + timedelta(hours=3))
    client.post(f"/volunteers/manage/shifts/{shift_id}/edit", data=form)
    with app.app_context():
        assert db.session.get(Shift, shift_id).sequence == 1
    login_as("village_coordinator", town.village_b_id)
    assert client.get(f"/volunteers/manage/shifts/{shift_id}/edit").status_code == 403
    assert client.post(f"/volunteers/manage/shifts/{shift_id}/cancel").status_code == 403
    with app.app_context():
        assert db.session.get(Shift, shift_id).cancelled is False


def test_match_invite_accept(app, client, town, make_shift, make_volunteer, login_as):
    _shift, (role_id,) = make_shift(roles=[("辅导", 1, ("teaching",))])
    good = make_volunteer(skills=("teaching",))
    make_volunteer(skills=("arts",))
    login_as("programme_manager", town.town_id)
    page = client.get(f"/volunteers/manage/roles/{role_id}/match").get_data(as_text=True)
    assert "技能符合：教学" in page and "本村" in page and "尚无服务记录" in page
    client.post(f"/volunteers/manage/roles/{role_id}/invite/{good}")
    log_in(client, app, good)
    assert "接受邀请" in client.get("/volunteers/me").get_data(as_text=True)
    with app.app_context():
        assignment_id = db.session.scalar(select(Assignment.id))
    client.post(f"/volunteers/assignments/{assignment_id}/respond", data={"answer": "accept"})
    with app.app_context():
        assert db.session.get(Assignment, assignment_id).status == "confirmed"
    page = client.post(
        f"/volunteers/assignments/{assignment_id}/respond",
        data={"answer": "decline"},
        follow_redirects=True,
    )
    assert "已经处理过" in page.get_data(as_text=True)


def test_autofill_proposal_and_confirm(app, client, town, make_shift, make_volunteer, login_as):
    now = utcnow()
    tomorrow_nine = to_local(now).replace(hour=9, minute=0, second=0) + timedelta(days=1)
    for k in range(3):
        offset = tomorrow_nine + timedelta(hours=3 * k) - now
        make_shift(starts_in=offset, roles=[("引导", 2, ())])
    people = [make_volunteer() for _ in range(4)]
    manager = login_as("programme_manager", town.town_id)
    start = to_local(now).date()
    page = client.get(f"/volunteers/manage/autofill?start={start}&days=3").get_data(as_text=True)
    assert "方案可安排 6 个" in page
    with app.app_context():
        roles = list(db.session.scalars(select(ShiftRole.id)))
    pairs = [f"{roles[0]}:{people[0]}", f"{roles[0]}:{people[1]}", f"{roles[1]}:{people[2]}"]
    client.post("/volunteers/manage/autofill", data={"pair": pairs})
    with app.app_context():
        booked = db.session.scalar(
            select(func.count(Assignment.id)).where(Assignment.status == "confirmed")
        )
    assert booked == 3
    # replaying the same proposal books nothing twice
    page = client.post("/volunteers/manage/autofill", data={"pair": pairs}, follow_redirects=True)
    assert "已按方案安排 0 人次" in page.get_data(as_text=True)
    log_in(client, app, make_volunteer())
    assert client.get("/volunteers/manage/autofill").status_code == 403
    del manager


def test_pages_render_for_every_role(app, client, town, make_shift, make_volunteer, login_as):
    make_shift()
    assert client.get("/volunteers/").status_code == 200
    for role in ("resident", "volunteer", "village_coordinator", "counsellor", "mediator",
                 "programme_manager", "site_admin"):  # fmt: skip
        login_as(role, town.village_a_id)
        for url in ("/volunteers/", "/volunteers/me", "/volunteers/mediation", "/dashboard",
                    "/volunteers/history", "/volunteers/certificate"):  # fmt: skip
            assert client.get(url).status_code == 200, (role, url)
    login_as("site_admin", town.town_id)
    for url in ("/volunteers/manage", "/volunteers/manage/skills", "/volunteers/manage/volunteers",
                "/volunteers/manage/autofill", "/volunteers/reports/roster"):  # fmt: skip
        assert client.get(url).status_code == 200, url


def test_site_serves_with_the_plugin_disabled_or_alone(make_app):
    app = make_app(plugins="")
    assert app.test_client().get("/").status_code == 200
    assert app.test_client().get("/volunteers/").status_code == 404
    app = make_app(plugins="calendar,lecturers,competitions,credits,reports")
    assert app.test_client().get("/").status_code == 200
    alone = make_app(plugins="volunteers")  # without the calendar plugin it still serves
    assert alone.test_client().get("/volunteers/").status_code == 200
    assert alone.test_client().get("/volunteers/mediation").status_code == 302  # to log in


@pytest.mark.demo_town
def test_demo_data_twice_adds_no_volunteer_rows(app, runner):
    with app.app_context():
        counts = [db.session.scalar(select(func.count(m.id))) for m in (Profile, Shift, Assignment)]
    assert runner.invoke(args=["demo-data"]).exit_code == 0
    with app.app_context():
        again = [db.session.scalar(select(func.count(m.id))) for m in (Profile, Shift, Assignment)]
        star = db.session.scalar(
            select(func.count(Assignment.id))
            .join(Profile, Profile.user_id == Assignment.user_id)
            .where(Profile.user.has(phone="13800000008"))
        )
    assert counts == again and counts[0] >= 20 and star >= 2


def test_dashboard_panel(app, client, town, make_shift, make_volunteer, login_as):
    _shift, (role_id,) = make_shift(title="开课签到", roles=[("引导", 1, ())])
    make_shift(title="已满", roles=[("引导", 1, ())])
    user = make_volunteer()
    with app.app_context():
        from plugins.volunteers import services

        full_role = db.session.scalar(select(ShiftRole.id).where(ShiftRole.id != role_id))
        services.sign_up(full_role, user)
        db.session.commit()
    log_in(client, app, user)
    assert "已满" in client.get("/dashboard").get_data(as_text=True)
    login_as("programme_manager", town.town_id)
    assert "1 个班次还缺人" in client.get("/dashboard").get_data(as_text=True)
