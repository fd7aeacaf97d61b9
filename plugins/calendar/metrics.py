"""Report figures: activities held and attendances, per org unit (descendants included).

An occurrence is *held* in a period when it is not cancelled and it ended inside the period and
before now; an *attendance* counts when its check-in stands on a held occurrence. The report
figures and their evidence pages (``views_reports``) both come from ``held`` and ``attended``.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime, timedelta

from sqlalchemy import select

from core.extensions import db
from core.figures import figure_bounds
from core.hooktypes import Metric
from core.orgunits import roll_up
from plugins.calendar import recurrence, services
from plugins.calendar.models import CalendarAttendance, live_attendance
from plugins.calendar.recurrence import Occurrence

Bound = date | datetime


def held(start: Bound, end: Bound, unit_ids: Collection[int] | None = None) -> list[Occurrence]:
    """Occurrences held in [start, end): not cancelled, ended in the period and before now.

    ``unit_ids`` limits them to events of those units (None: every unit). Sorted by end.
    """
    first, cutoff = figure_bounds(start, end)
    if cutoff <= first:
        return []
    # An occurrence ending exactly at ``first`` does not overlap [first, cutoff): widen by a day.
    window = first - timedelta(days=1)
    found = [
        occurrence
        for event in services.events_between(window, cutoff, unit_ids=unit_ids)
        for occurrence in recurrence.expand(event, window, cutoff)
        if not occurrence.cancelled and first <= occurrence.end < cutoff
    ]
    return sorted(found, key=lambda o: (o.end, o.event_id or 0))


def attended(occurrences: list[Occurrence]) -> list[CalendarAttendance]:
    """The check-ins standing (not revoked) on ``occurrences``."""
    keys = {(o.event_id, o.original_start) for o in occurrences if o.event_id}
    if not keys:
        return []
    starts = [start for _event, start in keys]
    rows = db.session.scalars(
        select(CalendarAttendance)
        .where(
            CalendarAttendance.event_id.in_({event_id for event_id, _start in keys}),
            CalendarAttendance.original_start >= min(starts),
            CalendarAttendance.original_start <= max(starts),
            live_attendance(),
        )
        .order_by(CalendarAttendance.original_start, CalendarAttendance.id)
    )
    return [row for row in rows if (row.event_id, row.original_start) in keys]


def metrics(unit_ids, start, end) -> list[Metric]:
    """举办活动 = occurrences held; 参与人次 = attendances on them."""
    occurrences = held(start, end)
    unit_of_event: dict[int, int] = {}
    held_by_unit: dict[int, int] = {}
    for occurrence in occurrences:
        unit_of_event[occurrence.event_id] = occurrence.org_unit_id
        held_by_unit[occurrence.org_unit_id] = held_by_unit.get(occurrence.org_unit_id, 0) + 1
    attended_by_unit: dict[int, int] = {}
    for row in attended(occurrences):
        unit_id = unit_of_event[row.event_id]
        attended_by_unit[unit_id] = attended_by_unit.get(unit_id, 0) + 1
    return [
        Metric(
            "calendar.events_held",
            "举办活动",
            roll_up(unit_ids, held_by_unit),
            "场",
            evidence_endpoint="calendar.report_held",
        ),
        Metric(
            "calendar.participant_times",
            "参与人次",
            roll_up(unit_ids, attended_by_unit),
            "人次",
            evidence_endpoint="calendar.report_attended",
        ),
    ]
