"""One installation, several towns: a town's manager stays inside the town, district staff don't.

The tree is 测试区 → {测试镇 (甲村, 乙村, …), 第二镇 (丙村)}. For each plugin one representative
state-changing (or, for reports, the unit detail) route is tried by town A's programme manager
on town B's object: it must answer 403/404 and change nothing; a programme manager on the
district may act. Public calendar pages and the feed narrow to one town with ``town=<id>``.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from core.extensions import db as _db
from core.timeutil import utcnow
from tests.conftest import log_in


class Tree:
    district_id: int
    town_a_id: int
    village_a_id: int
    town_b_id: int
    village_c_id: int
    school_b_id: int


@pytest.fixture
def tree(app, town) -> Tree:
    """Put the usual test town under a district and add a second town with one village."""
    from core import orgunits
    from core.models import OrgUnit, OrgUnitKind

    with app.app_context():
        district = orgunits.create_unit(None, OrgUnitKind.district, "测试区")
        orgunits.move_unit(_db.session.get(OrgUnit, town.town_id), district)
        second = orgunits.create_unit(district, OrgUnitKind.town, "第二镇")
        village_c = orgunits.create_unit(second, OrgUnitKind.village, "丙村")
        school_b = orgunits.create_unit(second, OrgUnitKind.school, "第二镇中学")
        _db.session.commit()
        found = Tree()
        found.district_id, found.town_a_id, found.village_a_id = (
            district.id,
            town.town_id,
            town.village_a_id,
        )
        found.town_b_id, found.village_c_id, found.school_b_id = (
            second.id,
            village_c.id,
            school_b.id,
        )
    return found


@pytest.fixture
def managers(tree, make_user) -> dict[str, int]:
    return {
        "town_a": make_user("programme_manager", tree.town_a_id, name="甲镇管理员"),
        "district": make_user("programme_manager", tree.district_id, name="区管理员"),
    }


def _refused(response) -> bool:
    return response.status_code in (403, 404)


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
            {
                "title": "丙村夜校",
                "description": "",
                "markdown": False,
                "category_id": category.id,
                "org_unit_id": tree.village_c_id,
                "venue": "丙村学习中心",
                "all_day": False,
                "start_at": start,
                "end_at": start + timedelta(hours=2),
                "freq": "none",
                "interval": 1,
                "weekdays": "",
                "count": None,
                "until": None,
                "capacity": None,
                "registration_open": True,
                "members_only": False,
            },
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
    from plugins.lecturers.models_requests import LectureRequest, RequestSlot

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


def test_public_calendar_and_feed_narrow_to_one_town(app, client, tree):
    from plugins.calendar import services

    with app.app_context():
        category = services.ensure_categories()[0]
        start = utcnow().replace(microsecond=0) + timedelta(days=1)
        for title, unit in (("甲村讲座", tree.village_a_id), ("丙村讲座", tree.village_c_id)):
            services.save_event(
                None,
                {
                    "title": title,
                    "description": "",
                    "markdown": False,
                    "category_id": category.id,
                    "org_unit_id": unit,
                    "venue": "学习中心",
                    "all_day": False,
                    "start_at": start,
                    "end_at": start + timedelta(hours=1),
                    "freq": "none",
                    "interval": 1,
                    "weekdays": "",
                    "count": None,
                    "until": None,
                    "capacity": None,
                    "registration_open": True,
                    "members_only": False,
                },
                None,
            )
        _db.session.commit()

    whole = client.get("/calendar/").get_data(as_text=True)
    assert "甲村讲座" in whole and "丙村讲座" in whole
    assert 'name="town"' in whole and "第二镇" in whole  # the chooser, as there are two towns
    town_b = client.get(f"/calendar/?town={tree.town_b_id}").get_data(as_text=True)
    assert "丙村讲座" in town_b and "甲村讲座" not in town_b
    week = client.get(f"/calendar/week?town={tree.town_a_id}").get_data(as_text=True)
    assert "甲村讲座" in week and "丙村讲座" not in week
    feed = client.get(f"/calendar/feed.ics?town={tree.town_b_id}").get_data(as_text=True)
    assert "丙村讲座" in feed and "甲村讲座" not in feed
    assert client.get("/calendar/feed.ics?town=999999").status_code == 404


def test_single_town_shows_no_town_chooser(app, client, town):
    assert 'name="town"' not in client.get("/calendar/").get_data(as_text=True)


def test_public_contest_list_and_topic_menu_narrow_to_one_town(app, client, tree, make_user):
    """``?town=<id>``: that town's items plus district-wide ones, never another town's."""
    from plugins.competitions.models import Contest
    from plugins.lecturers.menu import seed_menu, topic_by_name
    from plugins.lecturers.models import Lecturer, Offer

    lecturer_users = {
        name: (make_user("lecturer", unit, name=name), unit)
        for name, unit in (("甲镇讲师", tree.town_a_id), ("第二镇讲师", tree.school_b_id))
    }
    with app.app_context():
        now = utcnow()
        for title, unit in (
            ("甲镇竞赛", tree.village_a_id),
            ("第二镇竞赛", tree.town_b_id),
            ("全区竞赛", tree.district_id),
        ):
            _db.session.add(
                Contest(
                    title=title,
                    org_unit_id=unit,
                    opens_at=now - timedelta(hours=1),
                    closes_at=now + timedelta(days=1),
                    time_limit_minutes=20,
                    attempts_allowed=1,
                    counting="best",
                    quotas=[{"category": "law", "difficulty": 1, "count": 1}],
                    points_per_question=10.0,
                    state="published",
                )
            )
        seed_menu()
        topic = topic_by_name("保健护理").id
        for user_id, unit in lecturer_users.values():
            _db.session.add(
                Lecturer(
                    user_id=user_id,
                    org_unit_id=unit,
                    title="教师",
                    formats="briefing",
                    status="approved",
                    monthly_max=4,
                    offers=[Offer(topic_id=topic)],
                )
            )
        _db.session.commit()

    everything = client.get("/contests/").get_data(as_text=True)
    assert all(t in everything for t in ("甲镇竞赛", "第二镇竞赛", "全区竞赛"))
    town_a = client.get(f"/contests/?town={tree.town_a_id}").get_data(as_text=True)
    assert "甲镇竞赛" in town_a and "全区竞赛" in town_a and "第二镇竞赛" not in town_a
    assert "第二镇竞赛" in client.get("/contests/?town=abc").get_data(as_text=True)

    menu = client.get(f"/lectures/topics?town={tree.town_b_id}").get_data(as_text=True)
    assert "第二镇讲师" in menu and "甲镇讲师" not in menu


def test_learning_digest_narrows_to_one_town(app, client, tree, managers):
    """A town's manager publishes for their town only; ?town= shows that town's items plus the
    items for everyone, never another town's."""
    from plugins.reports.models import LearningItem

    def publish(title: str, audience: int):
        return client.post(
            "/reports/learn/new",
            data={"publish_on": "2020-01-06", "org_unit_id": str(audience), "title": title},
        )

    log_in(client, app, managers["town_a"])
    assert publish("甲镇防汛知识", tree.town_a_id).status_code == 302
    assert _refused(publish("给全区的", 0))
    assert publish("冒充第二镇", tree.town_b_id).status_code == 400
    log_in(client, app, managers["district"])
    assert publish("全区防诈骗", 0).status_code == 302
    with app.app_context():
        titles = set(_db.session.scalars(select(LearningItem.title)))
    assert titles == {"甲镇防汛知识", "全区防诈骗"}

    town_b = client.get(f"/reports/learn/day/2020-01-06?town={tree.town_b_id}").get_data(
        as_text=True
    )
    assert "全区防诈骗" in town_b and "甲镇防汛知识" not in town_b
    town_a = client.get(f"/reports/learn/day/2020-01-06?town={tree.town_a_id}").get_data(
        as_text=True
    )
    assert "全区防诈骗" in town_a and "甲镇防汛知识" in town_a
    feed = client.get(f"/reports/learn/feed.atom?town={tree.town_b_id}").get_data(as_text=True)
    assert "全区防诈骗" in feed and "甲镇防汛知识" not in feed
