"""Report figures: events held and participant-times per org unit (descendants included)."""

from __future__ import annotations

from sqlalchemy import func, select

from core.extensions import db
from core.hooktypes import Metric
from core.orgunits import roll_up
from core.timeutil import period_bounds
from plugins.calendar import services
from plugins.calendar.models import CalendarAttendance, CalendarEvent, live_attendance


def metrics(unit_ids, start, end) -> list[Metric]:
    """Held = occurrences in the period that were not cancelled; 人次 = live (not revoked)
    attendance records."""
    start_at, end_at = period_bounds(start, end)
    held_by_unit: dict[int, int] = {}
    for event in services.events_between(start_at, end_at):
        held = [
            o
            for o in services.recurrence.expand(event, start_at, end_at)
            if not o.cancelled and start_at <= o.start < end_at
        ]
        if held:
            held_by_unit[event.org_unit_id] = held_by_unit.get(event.org_unit_id, 0) + len(held)
    attended = dict(
        db.session.execute(
            select(CalendarEvent.org_unit_id, func.count(CalendarAttendance.id))
            .join(CalendarEvent, CalendarEvent.id == CalendarAttendance.event_id)
            .where(
                CalendarAttendance.original_start >= start_at,
                CalendarAttendance.original_start < end_at,
                live_attendance(),
            )
            .group_by(CalendarEvent.org_unit_id)
        ).all()
    )

    evidence = "/calendar/?village={unit_id}&start={start}"
    return [
        Metric(
            "calendar.events_held",
            "举办活动",
            roll_up(unit_ids, held_by_unit),
            "场",
            evidence_url=evidence,
        ),
        Metric(
            "calendar.participant_times",
            "参与人次",
            roll_up(unit_ids, attended),
            "人次",
            evidence_url=evidence,
        ),
    ]
