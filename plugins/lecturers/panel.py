"""What the lecturers panel on the user's dashboard shows, by who they are."""

from __future__ import annotations

from sqlalchemy import func, select

from core import permissions
from core.extensions import db
from plugins.lecturers.models import Lecturer
from plugins.lecturers.models_requests import OPEN_STATES, LectureRequest


def dashboard_data(user) -> dict | None:
    """Counts for the panel, or None when the user has nothing to do with lectures."""
    data: dict = {}
    if permissions.can(user, "lecturers.manage"):
        data["queue"] = db.session.scalar(
            select(func.count(LectureRequest.id)).where(LectureRequest.state == "submitted")
        )
    lecturer = db.session.scalar(select(Lecturer).where(Lecturer.user_id == user.id))
    if lecturer is not None:
        data["lecturer"] = lecturer
        data["mine"] = db.session.scalar(
            select(func.count(LectureRequest.id)).where(
                LectureRequest.lecturer_id == lecturer.id,
                LectureRequest.state.in_(("assigned", "accepted", "scheduled")),
            )
        )
    villages = permissions.unit_ids_where(user, "lecturers.request")
    if villages and "queue" not in data:
        data["village_open"] = db.session.scalar(
            select(func.count(LectureRequest.id)).where(
                LectureRequest.org_unit_id.in_(villages), LectureRequest.state.in_(OPEN_STATES)
            )
        )
    return data or None
