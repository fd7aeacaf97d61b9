"""Assigned learning: a course for a group with a deadline, progress by village, report
figures with evidence, the party roster; staff of other villages may not."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from core.extensions import db as _db
from core.models import Notification
from plugins.learning import services as progress
from plugins.learning.assignments.models import CourseAssignment, PartyMember
from plugins.learning.models import Lesson
from plugins.learning.practice.services import local_day


def roster(app, *pairs) -> None:
    with app.app_context():
        for user_id, unit_id in pairs:
            _db.session.add(PartyMember(user_id=user_id, org_unit_id=unit_id))
        _db.session.commit()


def finish(app, user_id: int, lesson_ids: list[int]) -> None:
    with app.app_context():
        for lesson_id in lesson_ids:
            progress.finish(user_id, _db.session.get(Lesson, lesson_id), "confirm")


def test_assignment_to_party_members_shows_progress_by_village(
    app, client, login_as, make_user, town, make_course
):
    course_id, lessons = make_course(lessons=2, questions=False, unit_id=town.town_id)
    a1, a2, a3 = (make_user(home_unit_id=town.village_a_id) for _ in range(3))
    b1 = make_user(home_unit_id=town.village_b_id)
    outsider = make_user(home_unit_id=town.village_a_id)  # not a party member
    roster(app, (a1, town.village_a_id), (a2, town.village_a_id), (a3, town.village_a_id))
    roster(app, (b1, town.village_b_id))
    login_as("programme_manager", town.town_id)
    due = (local_day() + timedelta(days=14)).isoformat()
    data = {
        "course_id": str(course_id),
        "org_unit_id": str(town.town_id),
        "group": "party_members",
        "due_on": due,
    }
    assert client.post("/learning/assignments/new", data=data).status_code == 302
    again = client.post("/learning/assignments/new", data=data)
    assert "这门课已经布置给这个单位的这些学员了。" in again.data.decode()
    finish(app, a1, lessons)  # completed
    finish(app, a2, lessons[:1])  # learning
    finish(app, outsider, lessons)  # not in the group: not in the table
    page = client.get("/learning/assignments/").data.decode()
    assert (
        '<td>甲村</td><td class="num">3</td><td class="num">2</td><td class="num">1</td><td class="num">33%</td>'
        in page
    )
    assert (
        '<td>乙村</td><td class="num">1</td><td class="num">0</td><td class="num">0</td><td class="num">0%</td>'
        in page
    )
    with app.app_context():
        told = sorted(_db.session.scalars(select(Notification.user_id)))
        links = set(_db.session.execute(select(Notification.link_endpoint, Notification.link)))
    assert told == sorted([a1, a2, a3, b1])
    assert links == {("learning.course", None)}  # resolved when delivered, never a stored path
    client2 = app.test_client()
    from tests.conftest import log_in

    log_in(client2, app, a2)
    mine = client2.get("/learning/mine").data.decode()
    assert f"{due} 前学完" in mine


def test_report_figures_and_their_evidence(app, client, login_as, make_user, town, make_course):
    from core.plugins import registry

    _c, lessons = make_course(lessons=1, questions=False)
    a1, a2 = make_user(home_unit_id=town.village_a_id), make_user(home_unit_id=town.village_a_id)
    b1 = make_user(home_unit_id=town.village_b_id)
    finish(app, a1, lessons)
    finish(app, a2, lessons)
    finish(app, b1, lessons)
    today = local_day()
    start, end = today - timedelta(days=1), today + timedelta(days=1)
    with app.app_context():
        metrics = {
            m.key: dict(m.values)
            for ms in registry().hook.report_metrics(
                unit_ids=[town.town_id, town.village_a_id, town.village_b_id], start=start, end=end
            )
            for m in ms
            if m.key.startswith("learning.")
        }
    expected = {town.town_id: 3, town.village_a_id: 2, town.village_b_id: 1}
    nobody = {town.town_id: 0, town.village_a_id: 0, town.village_b_id: 0}
    assert metrics == {
        "learning.learners": expected,
        "learning.completions": expected,
        "learning.completion_rate": nobody,  # no assignment due in the period
    }
    login_as("village_coordinator", town.village_a_id)
    query = f"unit_id={town.village_a_id}&start={start}&end={end}"
    for url in ("/learning/reports/learners", "/learning/reports/completions"):
        page = client.get(f"{url}?{query}").data.decode()
        assert 'data-total="2"' in page and page.count('data-value="1"') == 2
        other = f"unit_id={town.village_b_id}&start={start}&end={end}"
        assert client.get(f"{url}?{other}").status_code == 403


def test_staff_of_another_village_cannot_assign_or_edit_its_roster(
    app, client, login_as, make_user, town, make_course
):
    course_id, _ = make_course(lessons=1, questions=False)
    member = make_user(home_unit_id=town.village_a_id, name="名册甲")
    roster(app, (member, town.village_a_id))
    login_as("village_coordinator", town.village_b_id)
    refused = client.post(
        "/learning/assignments/new",
        data={
            "course_id": str(course_id),
            "org_unit_id": str(town.village_a_id),
            "group": "party_members",
            "due_on": "2030-01-01",
        },
    )
    assert refused.status_code == 400  # village A is not among this coordinator's choices
    with app.app_context():
        member_row = _db.session.scalar(select(PartyMember.id))
        assert _db.session.scalar(select(CourseAssignment.id)) is None
    assert client.post(f"/learning/party/{member_row}/remove").status_code == 403
    assert "名册甲" not in client.get("/learning/party/").data.decode()


def test_party_roster_add_and_remove(app, client, login_as, make_user, town):
    from core.models import User

    person = make_user(home_unit_id=town.village_a_id)
    with app.app_context():
        phone = _db.session.get(User, person).phone
    login_as("village_coordinator", town.village_a_id)
    form = {"phone": phone, "org_unit_id": str(town.village_a_id)}
    assert client.post("/learning/party/", data=form).status_code == 302
    assert "此人已在党员名册中。" in client.post("/learning/party/", data=form).data.decode()
    unknown = client.post("/learning/party/", data={**form, "phone": "13912345678"})
    assert "没有这个手机号的账号，请先让本人注册。" in unknown.data.decode()
    with app.app_context():
        member_id = _db.session.scalar(select(PartyMember.id))
    client.post(f"/learning/party/{member_id}/remove")
    with app.app_context():
        assert _db.session.scalar(select(PartyMember.id)) is None


def test_residents_and_visitors_are_kept_out(client, login_as):
    for url in ("/learning/assignments/", "/learning/party/", "/learning/manage/"):
        assert client.get(url).status_code == 302  # to log in
    login_as("resident")
    for url in ("/learning/assignments/", "/learning/party/", "/learning/manage/"):
        assert client.get(url).status_code == 403


def test_completion_rate_against_the_group(app, client, login_as, make_user, town, make_course):
    """完成率: completed / assigned members of groups due in the period, a ratio metric whose
    town figure is Σcompleted / Σassigned (2 of 4 = 50%), not 甲村's 33.3% + 乙村's 100%."""
    from core.plugins import registry

    course_id, lessons = make_course(lessons=1, questions=False, unit_id=town.town_id)
    a1, a2, a3 = (make_user(home_unit_id=town.village_a_id) for _ in range(3))
    b1 = make_user(home_unit_id=town.village_b_id)
    roster(app, *((a, town.village_a_id) for a in (a1, a2, a3)), (b1, town.village_b_id))
    today = local_day()
    with app.app_context():
        _db.session.add(
            CourseAssignment(
                course_id=course_id,
                org_unit_id=town.town_id,
                group="party_members",
                due_on=today + timedelta(days=10),
            )
        )
        _db.session.commit()
    finish(app, a1, lessons)
    finish(app, b1, lessons)
    units = [town.town_id, town.village_a_id, town.village_b_id]

    def rate(start, end):
        with app.app_context():
            (metric,) = [
                m
                for ms in registry().hook.report_metrics(unit_ids=units, start=start, end=end)
                for m in ms
                if m.key == "learning.completion_rate"
            ]
            return metric

    metric = rate(today, today + timedelta(days=30))
    assert metric.is_ratio and metric.unit == "%"
    assert {u: metric.fraction(u) for u in units} == {
        town.town_id: (2, 4),
        town.village_a_id: (1, 3),
        town.village_b_id: (1, 1),
    }
    # due after the period: not in it
    assert rate(today - timedelta(days=30), today).fraction(town.town_id) == (0, 0)
    # a group whose deadline was yesterday: today's completions came too late
    with app.app_context():
        late = CourseAssignment(
            course_id=course_id,
            org_unit_id=town.village_b_id,
            group="residents",
            due_on=today - timedelta(days=1),
        )
        _db.session.add(late)
        _db.session.commit()
    month = rate(today - timedelta(days=1), today + timedelta(days=30))
    assert month.fraction(town.village_b_id) == (1, 2)  # b1 on time for the town group only
    login_as("village_coordinator", town.village_a_id)
    query = f"unit_id={town.village_a_id}&start={today}&end={today + timedelta(days=30)}"
    page = client.get(f"/learning/reports/completion-rate?{query}").data.decode()
    assert 'data-total="33.3" data-numerator="1" data-denominator="3"' in page
    assert page.count('data-value="1"') == 1 and page.count('data-value="0"') == 2
    assert "应学 3 人次，已学完 1 人次，完成率 33.3%。" in page
    other = f"unit_id={town.village_b_id}&start={today}&end={today + timedelta(days=30)}"
    assert client.get(f"/learning/reports/completion-rate?{other}").status_code == 403
