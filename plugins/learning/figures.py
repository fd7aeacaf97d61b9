"""Report figures (``report_metrics``) and the evidence lists behind them.

学员 = people (by home unit) who finished at least one lesson inside the period; 学完课程 =
certificates given inside the period. Both count only up to now (``core.figures``). 完成率 =
of the members of the groups whose assigned course is due inside the period, the share who
completed it by the deadline (and before now): a ratio metric (``Metric.denominators``),
so the bulletin totals it as Σcompleted / Σmembers, never as a sum of rates.
"""

from __future__ import annotations

from datetime import timedelta

from flask import render_template
from flask_login import login_required
from sqlalchemy import func, select

from core.extensions import db
from core.figures import evidence_request, figure_bounds
from core.hooktypes import Metric
from core.models import User
from core.orgunits import roll_up
from plugins.learning.assignments import members
from plugins.learning.blueprint import bp
from plugins.learning.models import Completion, Progress
from plugins.learning.models_assignments import CourseAssignment


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


def metrics(unit_ids, start, end) -> list[Metric]:
    learners: dict[int | None, float] = {}
    for user, _count in learner_rows(start, end):
        learners[user.home_unit_id] = learners.get(user.home_unit_id, 0) + 1
    completions: dict[int | None, float] = {}
    for row in completion_rows(start, end):
        completions[row.home_unit_id] = completions.get(row.home_unit_id, 0) + 1
    return [
        Metric(
            "learning.learners",
            "网上学员",
            roll_up(unit_ids, learners),
            "人",
            evidence_endpoint="learning.report_learners",
        ),
        Metric(
            "learning.completions",
            "学完课程",
            roll_up(unit_ids, completions),
            "人次",
            evidence_endpoint="learning.report_completions",
        ),
        _rate(unit_ids, start, end),
    ]


def _rate(unit_ids, start, end) -> Metric:
    completed: dict[int | None, float] = {}
    assigned: dict[int | None, float] = {}
    for _assignment, person, done in rate_rows(start, end):
        assigned[person.home_unit_id] = assigned.get(person.home_unit_id, 0) + 1
        completed[person.home_unit_id] = completed.get(person.home_unit_id, 0) + done
    return Metric(
        "learning.completion_rate",
        "指派学习完成率",
        roll_up(unit_ids, completed),
        "%",
        evidence_endpoint="learning.report_completion_rate",
        denominators=roll_up(unit_ids, assigned),
    )


@bp.route("/reports/learners")
@login_required
def report_learners():
    """The people behind 网上学员 for a unit and period (staff of that unit)."""
    ev = evidence_request("learning.assign")
    rows = learner_rows(ev.start, ev.end, ev.unit_ids)
    return render_template("learning/report_learners.html", ev=ev, rows=rows)


@bp.route("/reports/completions")
@login_required
def report_completions():
    """The certificates behind 学完课程 for a unit and period."""
    ev = evidence_request("learning.assign")
    rows = completion_rows(ev.start, ev.end, ev.unit_ids)
    return render_template("learning/report_completions.html", ev=ev, rows=rows)


@bp.route("/reports/completion-rate")
@login_required
def report_completion_rate():
    """The assigned members behind 指派学习完成率: each one, completed or not."""
    ev = evidence_request("learning.assign")
    rows = rate_rows(ev.start, ev.end, set(ev.unit_ids))
    done = sum(1 for row in rows if row[2])
    rate = round(100 * done / len(rows), 1) if rows else 0.0
    return render_template("learning/report_rate.html", ev=ev, rows=rows, done=done, rate=rate)
