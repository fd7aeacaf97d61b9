"""The dashboard panel: the volunteer's next shift and invitations; short shifts for managers."""

from __future__ import annotations

from sqlalchemy import func, select

from core.extensions import db
from core.permissions import can, unit_ids_where
from core.timeutil import utcnow
from plugins.volunteers.models import Assignment, Shift, ShiftRole
from plugins.volunteers.profiles import profile_of


def context(user) -> dict:
    now = utcnow()
    mine = db.session.execute(
        select(Assignment.status, Shift)
        .join(ShiftRole, ShiftRole.id == Assignment.role_id)
        .join(Shift, Shift.id == ShiftRole.shift_id)
        .where(
            Assignment.user_id == user.id,
            Assignment.status.in_(("confirmed", "invited")),
            Shift.ends_at > now,
            Shift.cancelled.is_(False),
        )
        .order_by(Shift.starts_at)
    ).all()
    upcoming = [shift for status, shift in mine if status == "confirmed"]
    invitations = sum(1 for status, _ in mine if status == "invited")
    short = 0
    if can(user, "volunteers.manage_shifts"):
        units = unit_ids_where(user, "volunteers.manage_shifts")
        confirmed = (
            select(func.count(Assignment.id))
            .where(Assignment.role_id == ShiftRole.id, Assignment.status == "confirmed")
            .scalar_subquery()
        )
        short = db.session.scalar(
            select(func.count(func.distinct(Shift.id)))
            .join(ShiftRole, ShiftRole.shift_id == Shift.id)
            .where(
                Shift.org_unit_id.in_(units),
                Shift.starts_at > now,
                Shift.cancelled.is_(False),
                confirmed < ShiftRole.needed,
            )
        )
    return {
        "profile": profile_of(user.id),
        "upcoming": upcoming[:3],
        "invitations": invitations,
        "short": short,
        "manager": can(user, "volunteers.manage_shifts"),
    }
