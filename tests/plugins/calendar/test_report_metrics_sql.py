"""The calendar's report figures count one-off events in SQL: the same numbers as the evidence
lists, in a fixed number of statements however many events the period holds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from core.extensions import db as _db
from core.timeutil import utcnow
from plugins.calendar import attendance, hooks, metrics, recurrence
from plugins.calendar.models import CalendarEvent


def _past_events(app, make_event, town, make_user, copies: int) -> None:
    past = (utcnow() - timedelta(days=10)).date()
    for _ in range(copies):
        event_id = make_event(day=past)
        make_event(org_unit_id=town.village_b_id, day=past)
        cancelled = make_event(day=past)
        person = make_user()
        with app.app_context():
            _db.session.get(CalendarEvent, cancelled).status = "cancelled"
            event = _db.session.get(CalendarEvent, event_id)
            occurrence = recurrence.find_occurrence(event, event.start_at)
            at = occurrence.start + timedelta(minutes=10)
            attendance.check_in(event, occurrence, user_id=person, now=at)
            undone, _new = attendance.check_in(event, occurrence, walk_in_name="误录", now=at)
            attendance.revoke(undone, "误录")
            _db.session.commit()


def _figures(app, town, sql_statements):
    start = datetime.combine(utcnow().date() - timedelta(days=30), datetime.min.time(), tzinfo=UTC)
    end = utcnow()
    units = [town.town_id, town.village_a_id, town.village_b_id]
    with app.app_context():
        with sql_statements() as seen:
            held, people = hooks.report_metrics(units, start, end)
        listed = metrics.held(start, end)
        checked = metrics.attended(listed)
    return held.values, people.values, len(listed), len(checked), seen


def test_one_off_events_counted_in_sql(app, town, make_event, make_user, sql_statements):
    _past_events(app, make_event, town, make_user, 1)
    held, people, listed, checked, seen = _figures(app, town, sql_statements)
    assert held == {town.town_id: 2, town.village_a_id: 1, town.village_b_id: 1}
    assert people == {town.town_id: 1, town.village_a_id: 1, town.village_b_id: 0}
    assert (listed, checked) == (2, 1)  # the evidence lists agree
    # held per unit, attendances per unit, series and moved events (none here), the unit tree:
    # no event or check-in is loaded one by one
    assert len(seen) == 4, seen

    _past_events(app, make_event, town, make_user, 2)
    held, people, listed, checked, again = _figures(app, town, sql_statements)
    assert held[town.town_id] == listed == 6 and people[town.town_id] == checked == 3
    assert len(again) == 4  # not one more statement for three times the events
