"""Night-school classes linked to a lesson mark it for those who attended; new lessons appear
in the 指尖学习 digest, its plain text and the Atom feed."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from core import signals
from core.extensions import db as _db
from plugins.learning import catalog
from plugins.learning.models import EventLink, Lesson, Progress
from plugins.learning.practice.services import local_day

WHEN = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def attend(app, attendance_id: int, event_id: int, user_id: int | None) -> None:
    with app.app_context():
        signals.send(
            signals.attendance_recorded,
            signals.AttendanceRecorded(
                attendance_id, event_id, WHEN, user_id, None, "night_school", WHEN
            ),
        )


def test_attending_a_linked_class_marks_the_lesson_and_revoking_undoes_it(
    app, make_user, make_course
):
    _c, lessons = make_course(lessons=2)
    me, other = make_user(), make_user()
    with app.app_context():
        catalog.link_event(_db.session.get(Lesson, lessons[0]), 77, "夜校", None)
        _db.session.commit()
    attend(app, 1, 77, me)
    attend(app, 2, 78, other)  # an event not linked to any lesson
    attend(app, 3, 77, None)  # a walk-in without an account
    with app.app_context():
        rows = _db.session.scalars(select(Progress)).all()
        assert [(r.user_id, r.lesson_id, r.finished_by, r.attendance_id) for r in rows] == [
            (me, lessons[0], "attendance", 1)
        ]
    attend(app, 1, 77, me)  # the same check-in heard twice
    with app.app_context():
        assert len(_db.session.scalars(select(Progress)).all()) == 1
        _db.session.commit()  # end the read: the signal is delivered at once
        signals.send(signals.attendance_revoked, signals.AttendanceRevoked(1, me, WHEN))
        _db.session.expire_all()
        row = _db.session.scalar(select(Progress))
        assert (row.finished_at, row.finished_by) == (None, None)


def test_staff_link_a_calendar_event_from_the_lesson(
    app, client, login_as, town, make_course, monkeypatch
):
    from plugins.calendar import services as calendar_services

    asked = []

    def upcoming(unit_id, start, end):
        asked.append(unit_id)
        return [("41/20260301T110000Z", "2026-03-01 19:00 干部夜校：土地承包", start)]

    monkeypatch.setattr(calendar_services, "upcoming_events", upcoming)
    _c, lessons = make_course(lessons=1, unit_id=town.village_a_id)
    login_as("programme_manager", town.town_id)
    url = f"/learning/manage/lessons/{lessons[0]}/events"
    assert "2026-03-01 19:00 干部夜校：土地承包" in client.get(url).data.decode()
    assert asked == [town.village_a_id]
    assert client.post(url, data={"event": "41"}).status_code == 302
    with app.app_context():
        link = _db.session.scalar(select(EventLink))
        assert (link.calendar_event_id, link.lesson_id) == (41, lessons[0])
    assert client.post(url, data={"event": "99"}).status_code == 400


def test_new_lessons_reach_the_digest_text_and_feed(app, client, make_course):
    _c, published = make_course(lessons=1)
    _c, hidden = make_course(lessons=1, published=False)
    day = local_day().isoformat()
    page = client.get(f"/reports/learn/day/{day}").data.decode()
    assert f'href="/learning/lessons/{published[0]}">网上课程《测试课程》：第1课</a>' in page
    assert f"/learning/lessons/{hidden[0]}" not in page
    text = client.get(f"/reports/learn/day/{day}.txt").data.decode()
    assert "1. 网上课程《测试课程》：第1课\n课文\n详情：http://" in text
    feed = client.get("/reports/learn/feed.atom").data.decode()
    assert "tag:xiangxuetong.local,2018:learning-lesson-" in feed
    assert f"/learning/lessons/{published[0]}" in feed
    assert f"/learning/lessons/{hidden[0]}" not in feed


def test_digest_without_the_learning_plugin(make_app):
    app = make_app(plugins="reports")
    assert app.test_client().get("/reports/learn/feed.atom").status_code == 200
    assert app.test_client().get("/learning/").status_code == 404
