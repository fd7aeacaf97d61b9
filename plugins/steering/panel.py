"""What the steering panels show: overdue tasks on the owner's dashboard, training hours."""

from __future__ import annotations

from sqlalchemy import func, select

from core.extensions import db
from plugins.steering import tasks
from plugins.steering.models import OPEN_TASK_STATES, Task


def dashboard_data(user) -> dict | None:
    """The owner's overdue tasks and open count, or None when they own no open task."""
    open_count = db.session.scalar(
        select(func.count(Task.id)).where(
            Task.owner_id == user.id, Task.state.in_(OPEN_TASK_STATES)
        )
    )
    if not open_count:
        return None
    return {
        "user": user,
        "open_count": open_count,
        "overdue": tasks.overdue_tasks(owner_id=user.id),
    }


def profile_data(user) -> dict | None:
    """This year's training hours, for people invited to any training (else None)."""
    from plugins.steering.meetings import training_hours
    from plugins.steering.models_meetings import Meeting, MeetingAttendee

    invited = db.session.scalar(
        select(MeetingAttendee.id)
        .join(Meeting, Meeting.id == MeetingAttendee.meeting_id)
        .where(MeetingAttendee.user_id == user.id, Meeting.kind == "training")
        .limit(1)
    )
    if invited is None:
        return None
    year = tasks.today().year
    return {"year": year, "hours": training_hours(year, [user.id]).get(user.id, 0)}


def progress_data(user) -> dict | None:
    """Demonstration results by village and year (the progress page's year and two before)."""
    from flask import request

    from core import orgunits
    from core.permissions import unit_ids_where
    from plugins.steering import standard

    visible = unit_ids_where(user, "steering.view")
    villages = [village for village in orgunits.villages() if village.id in visible]
    if not villages:
        return None
    year = request.args.get("year", type=int) or standard.this_year()
    years = [year - 2, year - 1, year]
    records = standard.history([village.id for village in villages])
    return {
        "year": year,
        "years": years,
        "villages": villages,
        "results": {(r.org_unit_id, r.year): r for r in records if r.year in years},
        "milestones": standard.milestones(),
        "pass_mark": standard.pass_mark(),
    }
