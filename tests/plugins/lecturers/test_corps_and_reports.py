"""The corps (apply, recommend, review, profile), the topic menu and the coverage report."""

from __future__ import annotations

from datetime import date, time
from io import BytesIO

from openpyxl import load_workbook
from sqlalchemy import select

from core import availability
from core.extensions import db as _db
from core.models import AuditLog, RoleAssignment
from core.timeutil import to_local, utcnow
from plugins.lecturers.models import Lecturer, Topic
from tests.conftest import log_in

from .conftest import build_request


def _profile(people, **overrides) -> dict:
    data = {
        "org_unit_id": "",
        "title": "乡村医生",
        "topic_ids": [people.topic],
        "formats": ["briefing", "courtyard"],
        "monthly_max": 3,
        "bio": "",
    }
    data.update(overrides)
    return data


def test_apply_then_manager_rejects_then_approves(app, client, people, town, make_user):
    applicant = make_user("resident", town.village_a_id, name="申请人")
    log_in(client, app, applicant)
    bad = client.post(
        "/lectures/corps/apply", data=_profile(people, org_unit_id=town.school_id, topic_ids=[])
    )
    assert bad.status_code == 200 and "至少选择一个专题" in bad.text
    done = client.post("/lectures/corps/apply", data=_profile(people, org_unit_id=town.school_id))
    assert done.status_code == 302
    with app.app_context():
        lecturer = _db.session.scalar(select(Lecturer).where(Lecturer.user_id == applicant))
        assert lecturer.status == "applied" and lecturer.source == "self"
        lecturer_id = lecturer.id
    url = f"/lectures/corps/{lecturer_id}"
    assert client.post(url + "/review", data={"review-decision": "approve"}).status_code == 403
    log_in(client, app, people.manager)
    client.post(url + "/review", data={"review-decision": "reject", "review-reason": ""})
    with app.app_context():
        assert _db.session.get(Lecturer, lecturer_id).status == "applied"  # reason required
    client.post(url + "/review", data={"review-decision": "reject", "review-reason": "专题不符"})
    with app.app_context():
        lecturer = _db.session.get(Lecturer, lecturer_id)
        assert lecturer.status == "rejected" and lecturer.reject_reason == "专题不符"
    log_in(client, app, applicant)  # improves the profile: applies again
    again = client.post(
        url + "/edit", data=_profile(people, org_unit_id=town.school_id, active="y")
    )
    assert again.status_code == 302
    with app.app_context():
        assert _db.session.get(Lecturer, lecturer_id).status == "applied"
    log_in(client, app, people.manager)
    client.post(url + "/review", data={"review-decision": "approve"})
    with app.app_context():
        assert _db.session.get(Lecturer, lecturer_id).status == "approved"
        assert _db.session.scalar(
            select(RoleAssignment).where(
                RoleAssignment.user_id == applicant, RoleAssignment.role == "lecturer"
            )
        )
        assert _db.session.scalar(select(AuditLog).where(AuditLog.action == "lecturers.approve"))
    assert "申请人" in client.get("/lectures/corps").text


def test_recommend_keeps_source_and_recommender(app, client, people, town, make_user):
    make_user("resident", town.village_a_id, phone="13911110000", name="被推荐人")
    log_in(client, app, people.coordinator)
    missing = client.post(
        "/lectures/corps/recommend",
        data=_profile(people, org_unit_id=town.justice_id, phone="13922220000"),
    )
    assert "还没有注册" in missing.text
    done = client.post(
        "/lectures/corps/recommend",
        data=_profile(people, org_unit_id=town.justice_id, phone="13911110000"),
    )
    assert done.status_code == 302
    with app.app_context():
        lecturer = _db.session.scalar(select(Lecturer).where(Lecturer.source == "recommended"))
        assert lecturer.recommender_id == people.coordinator and lecturer.status == "applied"
    log_in(client, app, people.resident)
    assert client.get("/lectures/corps/recommend").status_code == 403


def test_profile_availability_blackouts(app, client, people, town):
    """The profile shows the lecturer's free time, stated on core's page (one for every role)."""
    url = f"/lectures/corps/{people.lecturer}"
    log_in(client, app, people.lecturer_user)
    slot = {"slot-weekday": 2, "slot-start_time": "09:00", "slot-end_time": "12:00"}
    client.post("/me/availability/slots", data=slot)
    bad = client.post("/me/availability/slots", data=dict(slot, **{"slot-end_time": "08:00"}))
    assert "结束时间必须晚于开始时间" in bad.text
    client.post("/me/availability/blackouts", data={"off-day": "2030-01-02", "off-note": "出差"})
    page = client.get(url)
    assert page.status_code == 200 and "周三 09:00–12:00" in page.text and "2030-01-02" in page.text
    assert "/me/availability" in page.text
    with app.app_context():
        assert availability.weekly([people.lecturer_user]) == {
            people.lecturer_user: [availability.Slot(2, time(9), time(12))]
        }
        assert availability.blackout_days([people.lecturer_user]) == {
            people.lecturer_user: {date(2030, 1, 2)}
        }
    log_in(client, app, people.manager)
    page = client.get(url)  # a manager sees it, with no editor of someone else's time
    assert "周三 09:00–12:00" in page.text and "/me/availability" not in page.text
    log_in(client, app, people.lecturer_user)
    edit = client.post(
        url + "/edit", data=_profile(people, org_unit_id=town.school_id, monthly_max=2, active="")
    )
    assert edit.status_code == 302
    with app.app_context():
        lecturer = _db.session.get(Lecturer, people.lecturer)
        assert lecturer.monthly_max == 2 and not lecturer.active


def test_menu_edit_only_by_manager(app, client, people):
    data = {
        "name": "防溺水安全",
        "domain_id": 1,
        "description": "暑期",
        "active": "y",
        "briefing_minutes": 45,
        "briefing_audience": 60,
        "training_minutes": 0,
        "training_audience": 0,
        "forum_minutes": 0,
        "forum_audience": 0,
        "courtyard_minutes": 30,
        "courtyard_audience": 40,
    }
    log_in(client, app, people.coordinator)
    assert client.post("/lectures/topics/new", data=data).status_code == 403
    log_in(client, app, people.manager)
    with app.app_context():
        data["domain_id"] = _db.session.scalar(select(Topic.domain_id))
    assert client.post("/lectures/topics/new", data=dict(data, name="保健护理")).status_code == 400
    assert client.post("/lectures/topics/new", data=data).status_code == 302
    menu = client.get("/lectures/topics").text
    assert "防溺水安全" in menu and "约 45 分钟" in menu
    other = dict(data, name="森林防火", new_domain="安全")
    assert client.post("/lectures/topics/new", data=other).status_code == 302
    assert "<h2>安全</h2>" in client.get("/lectures/topics").text


def test_coverage_report_svg_and_xlsx(app, client, people, town):
    with app.app_context():
        build_request(people, town.village_a_id, "delivered")
        build_request(people, town.village_a_id, "rated")
    log_in(client, app, people.coordinator)
    assert client.get("/lectures/reports/coverage").status_code == 403
    log_in(client, app, people.manager)
    page = client.get("/lectures/reports/coverage?period=year")
    assert page.status_code == 200 and "<svg" in page.text
    assert "乙村" in page.text.split("尚未送讲")[1]  # listed among villages with none
    quarter = client.get("/lectures/reports/coverage?period=quarter&n=9")
    assert quarter.status_code == 200
    export = client.get("/lectures/reports/coverage.xlsx?period=year")
    book = load_workbook(BytesIO(export.data))
    rows = list(book["各村送讲"].iter_rows(values_only=True))
    assert ("甲村", 2, 80, "保健护理") in rows
    monthly = list(book["按月"].iter_rows(values_only=True))
    assert len(monthly[0]) == 13 and sum(next(r for r in monthly if r[0] == "甲村")[1:]) == 2
    assert client.get("/lectures/reports/coverage?start=2026-13-01&end=x").status_code == 400
    year = to_local(utcnow()).year
    evidence = client.get(
        f"/lectures/reports/coverage?unit_id={town.village_a_id}"
        f"&start={year}-01-01&end={year + 1}-01-01"
    )
    assert evidence.status_code == 200 and "甲村" in evidence.text and "乙村" not in evidence.text
    log_in(client, app, people.counsellor)
    assert client.get("/lectures/reports/coverage?period=year").status_code == 200
