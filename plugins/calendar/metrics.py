"""Report figures' counting: activities held and attendances, per org unit.

An occurrence is *held* in a period when it is not cancelled and it ended inside the period and
before now; an *attendance* counts when its check-in stands on a held occurrence. The evidence
pages (``views_reports``) list ``held`` and ``attended``; the figures (``counts``, turned into
``Metric`` by ``hooks.report_metrics``) count the same: a one-off event without overrides (most
of them) is counted in SQL, grouped by unit, and only series and events with overrides are
expanded. /reports/ asks for each month and the year, so expanding
every event per period made its cost grow with events × periods.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime, timedelta

from sqlalchemy import exists, func, or_, select

from core.extensions import db
from core.figures import figure_bounds
from plugins.calendar import recurrence, services
from plugins.calendar.models import (
    CalendarAttendance,
    CalendarEvent,
    CalendarOccurrenceOverride,
    live_attendance,
)
from plugins.calendar.recurrence import Occurrence

Bound = date | datetime


def held(start: Bound, end: Bound, unit_ids: Collection[int] | None = None) -> list[Occurrence]:
    """Occurrences held in [start, end): not cancelled, ended in the period and before now.

    ``unit_ids`` limits them to events of those units (None: every unit). Sorted by end.
    """
    first, cutoff = figure_bounds(start, end)
    if cutoff <= first:
        return []
    return _expanded(
        first, cutoff, services.events_between(_widened(first), cutoff, unit_ids=unit_ids)
    )


def _widened(first: datetime) -> datetime:
    # An occurrence ending exactly at ``first`` does not overlap [first, cutoff): widen by a day.
    return first - timedelta(days=1)


def _expanded(first: datetime, cutoff: datetime, events) -> list[Occurrence]:
    window = _widened(first)
    found = [
        occurrence
        for event in events
        for occurrence in recurrence.expand(event, window, cutoff)
        if not occurrence.cancelled and first <= occurrence.end < cutoff
    ]
    return sorted(found, key=lambda o: (o.end, o.event_id or 0))


def _plain():
    """One-off events without overrides: their only occurrence is the event row itself."""
    return (
        CalendarEvent.freq == "none",
        ~exists().where(CalendarOccurrenceOverride.event_id == CalendarEvent.id),
    )


def _plain_counts(first: datetime, cutoff: datetime) -> tuple[dict[int, int], dict[int, int]]:
    """Held one-off events and attendances on them per unit, counted in SQL."""
    where = (
        *_plain(),
        CalendarEvent.status != "cancelled",
        CalendarEvent.end_at >= first,
        CalendarEvent.end_at < cutoff,
    )
    unit = CalendarEvent.org_unit_id
    events = db.session.execute(select(unit, func.count()).where(*where).group_by(unit))
    people = db.session.execute(
        select(unit, func.count())
        .join(
            CalendarAttendance,
            (CalendarAttendance.event_id == CalendarEvent.id)
            & (CalendarAttendance.original_start == CalendarEvent.start_at),
        )
        .where(*where, live_attendance())
        .group_by(unit)
    )
    return dict(events.all()), dict(people.all())


def _others(first: datetime, cutoff: datetime) -> list[Occurrence]:
    """Held occurrences of series and of events with overrides (expanded)."""
    series, unmoved = _plain()
    conditions = services.window_conditions(_widened(first), cutoff)
    query = select(CalendarEvent).where(*conditions, or_(~series, ~unmoved))
    return _expanded(first, cutoff, db.session.scalars(query).unique())


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


def counts(start: Bound, end: Bound) -> tuple[dict[int, int], dict[int, int]]:
    """Held occurrences and the attendances on them, per unit (each unit's own, not rolled up)."""
    first, cutoff = figure_bounds(start, end)
    if cutoff <= first:
        return {}, {}
    held_by_unit, attended_by_unit = _plain_counts(first, cutoff)
    occurrences = _others(first, cutoff)
    unit_of_event: dict[int, int] = {}
    for occurrence in occurrences:
        unit_of_event[occurrence.event_id] = occurrence.org_unit_id
        held_by_unit[occurrence.org_unit_id] = held_by_unit.get(occurrence.org_unit_id, 0) + 1
    for row in attended(occurrences):
        unit_id = unit_of_event[row.event_id]
        attended_by_unit[unit_id] = attended_by_unit.get(unit_id, 0) + 1
    return held_by_unit, attended_by_unit
