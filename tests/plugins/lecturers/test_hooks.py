"""Calendar entries and report metrics through the hooks; the plugin alone and switched off."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from core.extensions import db as _db
from core.models import Notification, User
from core.plugins import registry
from core.timeutil import to_local, utcnow
from plugins.lecturers.requests import services

from .conftest import build_request


def _entries(app, viewer=None, personal=False):
    start, end = utcnow() - timedelta(days=30), utcnow() + timedelta(days=30)
    found = registry(app).hook.calendar_entries(
        start=start, end=end, viewer=viewer, personal=personal
    )
    return [entry for group in found for entry in group or []]


def test_calendar_entries_follow_the_request(app, people, town):
    with app.app_context():
        accepted = build_request(people, town.village_a_id, "accepted")
        build_request(people, town.village_a_id, "submitted")
        assert _entries(app) == []  # not scheduled yet: not on the calendar
        manager = _db.session.get(User, people.manager)
        services.perform(accepted, "schedule", manager)
        (entry,) = _entries(app)
        assert entry.uid == f"lecturers-request-{accepted.id}@xiangxuetong"
        assert entry.title == "微讲堂：保健护理（甲村）"
        assert entry.org_unit_id == town.village_a_id and entry.public
        assert not entry.cancelled and entry.source == "lecturers"
        assert entry.last_modified is not None
        first_sequence = entry.sequence

        later = utcnow() + timedelta(days=9)
        services.perform(
            accepted,
            "reschedule",
            manager,
            start=later,
            end=later + timedelta(hours=1),
            venue="祠堂",
        )
        (moved,) = _entries(app)
        assert moved.sequence > first_sequence and moved.location == "祠堂"
        assert moved.start == later

        services.perform(accepted, "cancel", manager, reason="暴雨")
        (cancelled,) = _entries(app)
        assert cancelled.cancelled and cancelled.sequence > moved.sequence


def test_personal_entries(app, people, town):
    with app.app_context():
        request = build_request(people, town.village_a_id, "scheduled")
        build_request(people, town.village_b_id, "scheduled", people.other_lecturer)
        get = lambda name: _db.session.get(User, getattr(people, name))  # noqa: E731
        mine = _entries(app, get("lecturer_user"), personal=True)
        assert [e.uid for e in mine] == [f"lecturers-request-{request.id}@xiangxuetong"]
        assert len(_entries(app, get("coordinator"), personal=True)) == 1
        assert len(_entries(app, get("other_lecturer_user"), personal=True)) == 1
        assert _entries(app, get("resident"), personal=True) == []
        assert _entries(app, None, personal=True) == []
        assert len(_entries(app, None, personal=False)) == 2


def test_report_metrics_count_descendants(app, people, town):
    with app.app_context():
        build_request(people, town.village_a_id, "delivered")
        build_request(people, town.village_a_id, "closed")
        build_request(people, town.village_b_id, "rated")
        build_request(people, town.village_b_id, "scheduled")
        start, end = utcnow() - timedelta(days=1), utcnow() + timedelta(days=1)
        groups = registry(app).hook.report_metrics(
            unit_ids=[town.town_id, town.village_a_id, town.village_b_id, town.school_id],
            start=start,
            end=end,
        )
        metrics = {m.key: m for group in groups for m in group}
        lectures = metrics["lecturers.lectures_delivered"]
        assert lectures.unit == "场" and lectures.label == "送讲场次"
        assert lectures.values == {
            town.town_id: 3,
            town.village_a_id: 2,
            town.village_b_id: 1,
            town.school_id: 0,
        }
        assert metrics["lecturers.audience"].values[town.town_id] == 120
        assert lectures.evidence_endpoint == "lecturers.report_delivered"
        assert metrics["lecturers.audience"].evidence_endpoint == "lecturers.report_audience"
        # the reports plugin asks with local dates
        today = to_local(utcnow()).date()
        by_date = registry(app).hook.report_metrics(
            unit_ids=[town.town_id], start=today - timedelta(days=1), end=today + timedelta(days=1)
        )
        values = {m.key: m.values for group in by_date for m in group}
        assert values["lecturers.lectures_delivered"] == {town.town_id: 3}


def test_plugin_alone_and_switched_off(make_app, town):
    alone = make_app(plugins="lecturers")
    client = alone.test_client()
    assert client.get("/lectures/").status_code == 200
    assert client.get("/lectures/topics").status_code == 200
    assert client.get("/healthz").status_code == 200
    with alone.app_context():
        assert _entries(alone) == []
    for others in ("", "calendar,volunteers,competitions,credits,reports"):
        off = make_app(plugins=others)
        assert off.test_client().get("/lectures/").status_code == 404
        assert off.test_client().get("/").status_code == 200


def test_remind_overdue_dedupes(app, runner, people, town):
    with app.app_context():
        request = build_request(people, town.village_a_id, "submitted")
        request.state_changed_at = utcnow() - timedelta(days=10)
        build_request(people, town.village_a_id, "submitted")  # fresh: not overdue
        unanswered = build_request(people, town.village_a_id, "assigned")
        unanswered.state_changed_at = utcnow() - timedelta(days=10)
        _db.session.commit()
    first = runner.invoke(args=["lecturers", "remind-overdue"])
    assert first.exit_code == 0 and "reminders queued: 3" in first.output
    again = runner.invoke(args=["lecturers", "remind-overdue"])
    assert "reminders queued: 0" in again.output
    with app.app_context():
        assert (
            _db.session.scalar(
                select(func.count(Notification.id)).where(Notification.user_id == people.manager)
            )
            == 2
        )
        to_lecturer = select(func.count(Notification.id)).where(
            Notification.user_id == people.lecturer_user
        )
        assert _db.session.scalar(to_lecturer) == 1


def test_an_offer_nobody_accepts_in_time_goes_back_to_the_queue(app, runner, people, town):
    """限时接单: assigned for longer than LECTURERS_ACCEPT_HOURS → submitted, lecturer told."""
    from plugins.lecturers.requests.models import LectureRequest, RequestEvent

    with app.app_context():
        lapsed = build_request(people, town.village_a_id, "assigned")
        lapsed.state_changed_at = utcnow() - timedelta(hours=49)
        fresh = build_request(people, town.village_a_id, "assigned")
        _db.session.commit()
        lapsed_id, fresh_id = lapsed.id, fresh.id
    result = runner.invoke(args=["lecturers", "expire-offers"])
    assert result.exit_code == 0 and "returned to the queue: 1" in result.output
    with app.app_context():
        states = dict(_db.session.execute(select(LectureRequest.id, LectureRequest.state)).all())
        assert (states[lapsed_id], states[fresh_id]) == ("submitted", "assigned")
        assert _db.session.get(LectureRequest, lapsed_id).lecturer_id is None
        event = _db.session.scalars(
            select(RequestEvent).where(RequestEvent.request_id == lapsed_id)
        ).one()
        assert (event.action, event.actor_id, event.reason) == (
            "expire",
            None,
            "超过 48 小时未接单，已退回派单队列",
        )
        told = _db.session.scalars(
            select(Notification.user_id).where(Notification.kind == "dispatch")
        ).all()
        assert sorted(told) == sorted([people.lecturer_user, people.manager])
    assert "returned to the queue: 0" in runner.invoke(args=["lecturers", "expire-offers"]).output
