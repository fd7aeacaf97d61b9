"""Report figures of the steering plugin: one function per figure lists the items it counts,
so a report number and its evidence page cannot differ (see ``core/figures.py``).

- tasks overdue: tasks whose deadline day ended inside the period (and before now) without
  their being accepted by then;
- tasks closed on time: tasks accepted inside the period on or before their deadline day;
- visits: inspection visits made inside the period (not after today);
- training hours: hours of staff training × people who attended, by the training's unit.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import select

from core import timeutil
from core.extensions import db
from core.figures import figure_bounds
from core.models import OrgUnit
from plugins.steering.meetings.models import Meeting
from plugins.steering.models import Task, Visit


def _days(start, end) -> tuple[date, date]:
    """The local days [first, after) of the period that have begun before now."""
    since, until = figure_bounds(start, end)
    first, last = timeutil.to_local(since), timeutil.to_local(until)
    after = last.date() if last.time() == time() else last.date() + timedelta(days=1)
    return first.date(), max(first.date(), after)


def _deadline_passed(day: date):
    """The instant a deadline day is over: the next local midnight."""
    return timeutil.from_local(datetime.combine(day + timedelta(days=1), time()))


def _under(unit_ids) -> list[int]:
    paths = list(db.session.scalars(select(OrgUnit.path).where(OrgUnit.id.in_(list(unit_ids)))))
    if not paths:
        return []
    return list(
        db.session.scalars(
            select(OrgUnit.id).where(db.or_(*[OrgUnit.path.startswith(p) for p in paths]))
        )
    )


def overdue_tasks(unit_ids, start, end) -> list[Task]:
    """Tasks whose deadline day was over inside the period while they were not accepted."""
    since, until = figure_bounds(start, end)
    first = timeutil.to_local(since).date()
    rows = db.session.scalars(
        select(Task)
        .where(
            Task.org_unit_id.in_(_under(unit_ids)),
            Task.deadline >= first - timedelta(days=1),
            Task.deadline <= timeutil.to_local(until).date(),
        )
        .order_by(Task.deadline, Task.id)
    )
    found = []
    for task in rows:
        passed = _deadline_passed(task.deadline)
        if since <= passed < until and (task.closed_at is None or task.closed_at >= passed):
            found.append(task)
    return found


def closed_on_time(unit_ids, start, end) -> list[Task]:
    """Tasks accepted inside the period on or before their deadline day."""
    since, until = figure_bounds(start, end)
    rows = db.session.scalars(
        select(Task)
        .where(
            Task.org_unit_id.in_(_under(unit_ids)),
            Task.state == "accepted",
            Task.closed_at >= since,
            Task.closed_at < until,
        )
        .order_by(Task.closed_at, Task.id)
    )
    return [task for task in rows if timeutil.to_local(task.closed_at).date() <= task.deadline]


def visits(unit_ids, start, end) -> list[Visit]:
    first, after = _days(start, end)
    return list(
        db.session.scalars(
            select(Visit)
            .where(
                Visit.org_unit_id.in_(_under(unit_ids)),
                Visit.visited_on >= first,
                Visit.visited_on < after,
            )
            .order_by(Visit.visited_on, Visit.id)
        )
    )


def trainings(unit_ids, start, end) -> list[tuple[Meeting, int, Decimal]]:
    """(training, people who attended, their hours together) held in the period."""
    first, after = _days(start, end)
    rows = db.session.scalars(
        select(Meeting)
        .where(
            Meeting.kind == "training",
            Meeting.org_unit_id.in_(_under(unit_ids)),
            Meeting.held_on >= first,
            Meeting.held_on < after,
        )
        .order_by(Meeting.held_on, Meeting.id)
    )
    found = []
    for meeting in rows:
        present = sum(1 for attendee in meeting.attendees if attendee.attended)
        if present:
            found.append((meeting, present, meeting.hours * present))
    return found
