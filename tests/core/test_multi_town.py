"""One installation, several towns: a town's manager stays inside the town, district staff don't.

The tree is 测试区 → {测试镇 (甲村, 乙村, …), 第二镇 (丙村)}. For each plugin one representative
state-changing (or, for reports, the unit detail) route is tried by town A's programme manager
on town B's object: it must answer 403/404 and change nothing; a programme manager on the
district may act. Public calendar pages and the feed narrow to one town with ``town=<id>``.
"""

from __future__ import annotations

from datetime import timedelta

from core.extensions import db as _db
from core.timeutil import utcnow
from tests.conftest import log_in
from tests.core.conftest import _refused
from tests.plugins.calendar.conftest import event_fields


def test_tree_paths_put_both_towns_under_the_district(app, tree):
    from core.models import OrgUnit

    with app.app_context():
        district = _db.session.get(OrgUnit, tree.district_id)
        for unit_id in (tree.town_a_id, tree.village_a_id, tree.town_b_id, tree.village_c_id):
            assert _db.session.get(OrgUnit, unit_id).is_within(district)
        assert not _db.session.get(OrgUnit, tree.village_c_id).is_within(
            _db.session.get(OrgUnit, tree.town_a_id)
        )


def test_calendar_event_edit_stays_in_town(app, client, tree, managers):
    from plugins.calendar import services
    from plugins.calendar.models import CalendarEvent

    with app.app_context():
        category = services.ensure_categories()[0]
        start = utcnow().replace(microsecond=0) + timedelta(days=3)
        event = services.save_event(
            None,
            event_fields(
                category.id, tree.village_c_id, start, title="丙村夜校", venue="丙村学习中心"
            ),
            None,
        )
        _db.session.commit()
        event_id = event.id

    log_in(client, app, managers["town_a"])
    assert _refused(client.get(f"/calendar/e/{event_id}/edit"))
    assert _refused(client.post(f"/calendar/e/{event_id}/edit", data={"title": "被改了"}))
    assert _refused(client.post(f"/calendar/e/{event_id}/cancel"))
    with app.app_context():
        event = _db.session.get(CalendarEvent, event_id)
        assert event.title == "丙村夜校" and not event.cancelled

    log_in(client, app, managers["district"])
    assert client.get(f"/calendar/e/{event_id}/edit").status_code == 200


def test_volunteer_shift_edit_stays_in_town(app, client, tree, managers):
    from plugins.volunteers.models import Shift

    with app.app_context():
        start = utcnow().replace(microsecond=0) + timedelta(days=2)
        shift = Shift(
            title="丙村值班",
            org_unit_id=tree.village_c_id,
            venue="学习中心",
            starts_at=start,
            ends_at=start + timedelta(hours=2),
        )
        _db.session.add(shift)
        _db.session.commit()
        shift_id = shift.id

    log_in(client, app, managers["town_a"])
    response = client.post(
        f"/volunteers/manage/shifts/{shift_id}/edit",
        data={"title": "被改了", "org_unit_id": tree.village_a_id},
    )
    assert _refused(response)
    with app.app_context():
        assert _db.session.get(Shift, shift_id).title == "丙村值班"

    log_in(client, app, managers["district"])
    assert client.get(f"/volunteers/manage/shifts/{shift_id}/edit").status_code == 200


def test_contest_edit_stays_in_town(app, client, tree, managers):
    from plugins.competitions.models import Contest

    with app.app_context():
        now = utcnow()
        contest = Contest(
            title="第二镇普法竞赛",
            org_unit_id=tree.town_b_id,
            opens_at=now + timedelta(days=1),
            closes_at=now + timedelta(days=2),
            time_limit_minutes=20,
            attempts_allowed=1,
            counting="best",
            quotas=[{"category": "law", "difficulty": 1, "count": 1}],
            points_per_question=10.0,
            state="draft",
        )
        _db.session.add(contest)
        _db.session.commit()
        contest_id = contest.id

    log_in(client, app, managers["town_a"])
    assert _refused(client.post(f"/contests/manage/{contest_id}/edit", data={"title": "被改了"}))
    with app.app_context():
        assert _db.session.get(Contest, contest_id).title == "第二镇普法竞赛"

    log_in(client, app, managers["district"])
    assert client.get(f"/contests/manage/{contest_id}/edit").status_code == 200


def test_lecture_request_assign_stays_in_town(app, client, tree, managers, make_user):
    from plugins.lecturers.menu import seed_menu, topic_by_name
    from plugins.lecturers.models import Lecturer, Offer
    from plugins.lecturers.requests.models import LectureRequest, RequestSlot

    requester = make_user("village_coordinator", tree.village_c_id, name="丙村书记")
    lecturer_user = make_user("lecturer", tree.town_b_id, name="第二镇讲师")
    with app.app_context():
        seed_menu()
        topic = topic_by_name("保健护理").id
        lecturer = Lecturer(
            user_id=lecturer_user,
            org_unit_id=tree.school_b_id,
            title="教师",
            formats="briefing,training",
            status="approved",
            monthly_max=4,
            offers=[Offer(topic_id=topic)],
        )
        start = utcnow() + timedelta(days=3)
        lecture = LectureRequest(
            org_unit_id=tree.village_c_id,
            topic_id=topic,
            format="briefing",
            audience_size=40,
            audience_group="all",
            venue="丙村学习中心",
            state="submitted",
            requested_by_id=requester,
            idempotency_key="multi-town-1",
            slots=[RequestSlot(start=start, end=start + timedelta(hours=1))],
        )
        _db.session.add_all([lecturer, lecture])
        _db.session.commit()
        lecture_id, lecturer_id = lecture.id, lecturer.id

    url = f"/lectures/requests/{lecture_id}/assign"
    log_in(client, app, managers["town_a"])
    assert _refused(client.post(url, data={"assign-lecturer_id": lecturer_id}))
    with app.app_context():
        assert _db.session.get(LectureRequest, lecture_id).state == "submitted"

    log_in(client, app, managers["district"])
    assert client.post(url, data={"assign-lecturer_id": lecturer_id}).status_code == 302
    with app.app_context():
        assert _db.session.get(LectureRequest, lecture_id).state == "assigned"


def test_reports_unit_detail_stays_in_town(app, client, tree, managers):
    log_in(client, app, managers["town_a"])
    assert client.get(f"/reports/units/{tree.village_a_id}").status_code == 200
    assert _refused(client.get(f"/reports/units/{tree.village_c_id}"))
    assert _refused(client.get(f"/reports/units/{tree.district_id}"))

    log_in(client, app, managers["district"])
    assert client.get(f"/reports/units/{tree.village_c_id}").status_code == 200
    assert client.get(f"/reports/units/{tree.district_id}").status_code == 200


def test_credit_rules_are_district_wide(app, client, tree, managers):
    """Credit rules have no unit: they apply to the whole installation, so only a manager at
    the root of the tree (here the district) may change them; a town's manager may not."""
    from plugins.credits import services

    with app.app_context():
        activity = "attendance"
        amount = services.get_rule(activity).amount
        _db.session.commit()

    form = {
        f"{activity}-amount": amount + 7,
        f"{activity}-daily_cap": "",
        f"{activity}-monthly_cap": "",
    }
    log_in(client, app, managers["town_a"])
    assert _refused(client.post(f"/credits/rules/{activity}", data=form))
    with app.app_context():
        assert services.get_rule(activity).amount == amount

    log_in(client, app, managers["district"])
    assert client.post(f"/credits/rules/{activity}", data=form).status_code == 302
    with app.app_context():
        assert services.get_rule(activity).amount == amount + 7
