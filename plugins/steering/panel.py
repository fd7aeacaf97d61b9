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
