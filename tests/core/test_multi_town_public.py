"""Several towns, public side: calendar pages and feeds, contests, topic menu and the learning
digest narrow to one town with ``?town=<id>``; a single town shows no town chooser."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from core.extensions import db as _db
from core.timeutil import to_local, utcnow
from tests.conftest import log_in
from tests.core.conftest import _refused
from tests.plugins.calendar.conftest import event_fields


def test_public_calendar_and_feed_narrow_to_one_town(app, client, tree):
    from plugins.calendar import services

    with app.app_context():
        category = services.ensure_categories()[0]
        start = utcnow().replace(microsecond=0) + timedelta(days=1)
        for title, unit in (("甲村讲座", tree.village_a_id), ("丙村讲座", tree.village_c_id)):
            services.save_event(
                None,
                event_fields(
                    category.id, unit, start, title=title, end_at=start + timedelta(hours=1)
                ),
                None,
            )
        _db.session.commit()

    whole = client.get("/calendar/").get_data(as_text=True)
    assert "甲村讲座" in whole and "丙村讲座" in whole
    assert 'name="town"' in whole and "第二镇" in whole  # the chooser, as there are two towns
    town_b = client.get(f"/calendar/?town={tree.town_b_id}").get_data(as_text=True)
    assert "丙村讲座" in town_b and "甲村讲座" not in town_b
    # Ask for the week that holds the event: "tomorrow" in UTC can be next week in local time.
    day = to_local(start).date().isoformat()
    week = client.get(f"/calendar/week?town={tree.town_a_id}&start={day}").get_data(as_text=True)
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
