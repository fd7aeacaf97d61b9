"""What the report figures count: one function per figure lists its items (``hooks.report_metrics``
counts them, ``views_figures`` shows them).

学员 = people (by home unit) who finished at least one lesson inside the period; 学完课程 =
certificates given inside the period. Both count only up to now (``core.figures``). 完成率 =
of the members of the groups whose assigned course is due inside the period, the share who
completed it by the deadline (and before now): a ratio metric (``Metric.denominators``),
so the bulletin totals it as Σcompleted / Σmembers, never as a sum of rates.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from core.extensions import db
from core.figures import figure_bounds
from core.models import User
from plugins.learning.assignments.models import CourseAssignment
from plugins.learning.assignments.services import members
from plugins.learning.models import Completion, Progress


def learner_rows(start, end, unit_ids=None):
    """(user, lessons finished in the period) for each learner, by name."""
    first, cutoff = figure_bounds(start, end)
    query = (
        select(User, func.count(Progress.id))
        .join(Progress, Progress.user_id == User.id)
        .where(Progress.finished_at >= first, Progress.finished_at < cutoff)
        .group_by(User.id)
        .order_by(User.display_name, User.id)
    )
    if unit_ids is not None:
        query = query.where(User.home_unit_id.in_(unit_ids))
    return db.session.execute(query).all()


def completion_rows(start, end, unit_ids=None) -> list[Completion]:
    first, cutoff = figure_bounds(start, end)
    query = (
        select(Completion)
        .where(Completion.completed_at >= first, Completion.completed_at < cutoff)
        .order_by(Completion.completed_at, Completion.id)
    )
    if unit_ids is not None:
        query = query.where(Completion.home_unit_id.in_(unit_ids))
    return list(db.session.scalars(query))


def rate_rows(start, end, unit_ids=None) -> list[tuple[CourseAssignment, User, bool]]:
    """(assignment, member, completed) for each member of each group whose course is due in
    [start, end) (local dates), by due date and member; completed = a certificate by the end
    of the due day (and before now). Each member is thus settled by one date, so months add up
    to the quarter. ``unit_ids`` keeps members whose home is one of them."""
    due = db.session.scalars(
        select(CourseAssignment)
        .where(CourseAssignment.due_on >= start, CourseAssignment.due_on < end)
        .order_by(CourseAssignment.due_on, CourseAssignment.id)
    )
    rows = []
    for assignment in due:
        _first, deadline = figure_bounds(assignment.due_on, assignment.due_on + timedelta(days=1))
        done = set(
            db.session.scalars(
                select(Completion.user_id).where(
                    Completion.course_id == assignment.course_id, Completion.completed_at < deadline
                )
            )
        )
        for person in members(assignment):
            if unit_ids is None or person.home_unit_id in unit_ids:
                rows.append((assignment, person, person.id in done))
    return rows
