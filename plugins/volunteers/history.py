"""A volunteer's own record: every assignment, and the hours confirmed (pages and API)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from core.extensions import db
from plugins.volunteers.models import Assignment, Shift, ShiftRole


def assignments_of(user_id: int) -> list[Assignment]:
    """A volunteer's assignments, newest shift first, with role, shift and place loaded."""
    return list(
        db.session.scalars(
            select(Assignment)
            .options(
                selectinload(Assignment.role)
                .selectinload(ShiftRole.shift)
                .selectinload(Shift.org_unit)
            )
            .join(ShiftRole, ShiftRole.id == Assignment.role_id)
            .join(Shift, Shift.id == ShiftRole.shift_id)
            .where(Assignment.user_id == user_id)
            .order_by(Shift.starts_at.desc(), Assignment.id)
        )
    )


def served(assignments: list[Assignment]) -> tuple[list[Assignment], float]:
    """The assignments with confirmed hours, and their total."""
    rows = [a for a in assignments if a.hours_confirmed_at is not None]
    return rows, round(sum(a.hours or 0 for a in rows), 1)
