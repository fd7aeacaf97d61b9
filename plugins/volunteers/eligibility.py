"""Which shifts a person may take: the list on the volunteers page and in the API.

A volunteer whose profile is approved sees the shifts open for sign-up that fit their place,
each with the roles whose skills they hold and why a sign-up would be refused (overlap,
monthly maximum); anyone else sees every public upcoming shift, without roles to take.
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from core.extensions import db
from core.permissions import can
from core.timeutil import utcnow
from plugins.volunteers import matching, profiles, services
from plugins.volunteers.models import Shift, ShiftRole


def upcoming_shifts(limit: int = 60) -> list[Shift]:
    now = utcnow()
    return list(
        db.session.scalars(
            select(Shift)
            .where(Shift.cancelled.is_(False), Shift.starts_at > now)
            .options(
                selectinload(Shift.roles).selectinload(ShiftRole.skills),
                selectinload(Shift.roles).selectinload(ShiftRole.assignments),
                selectinload(Shift.org_unit),
            )
            .order_by(Shift.starts_at, Shift.id)
            .limit(limit)
        )
    )


def booked_shifts(user_id: int) -> list[Shift]:
    """The volunteer's confirmed shifts from last month on (for clash and monthly hints)."""
    since = services.local_month_bounds(utcnow())[0]
    return list(
        db.session.scalars(services.confirmed_shifts_query(user_id).where(Shift.starts_at >= since))
    )


def why_blocked(profile, shift: Shift, booked: list[Shift]) -> str | None:
    """Why signing up would be refused (overlap or monthly maximum), to show before a click."""
    for other in booked:
        if (
            other.id != shift.id
            and other.starts_at < shift.ends_at
            and other.ends_at > shift.starts_at
        ):
            return _("与“%(title)s”时间重叠", title=other.title)
    first, following = services.local_month_bounds(shift.starts_at)
    in_month = sum(1 for other in booked if first <= other.starts_at < following)
    if in_month >= profile.monthly_max_shifts:
        return _("本月班次已达上限")
    return None


def role_options(profile, shift: Shift, booked: list[Shift], user_id: int) -> list[dict]:
    """Roles of ``shift`` this volunteer may take, with what the button should offer."""
    options = []
    skills = {s.id for s in profile.skills} if profile else set()
    blocked = why_blocked(profile, shift, booked) if profile else None
    for role in shift.roles:
        if not {s.id for s in role.skills} <= skills:
            continue
        mine = next((a for a in role.assignments if a.user_id == user_id), None)
        options.append(
            {
                "role": role,
                "mine": mine if mine and mine.status not in ("withdrawn", "declined") else None,
                "full": role.confirmed_count >= role.needed,
                "blocked": blocked,
            }
        )
    return options


def open_shifts(user) -> tuple[object | None, list[tuple[Shift, list[dict]]]]:
    """(the person's volunteer profile or None, [(shift, role options)]) nearest first."""
    now = utcnow()
    profile = profiles.profile_of(user.id) if user is not None else None
    rows = []
    booked = booked_shifts(user.id) if profile else []
    for shift in upcoming_shifts():
        if not shift.public and not can(user, "volunteers.manage_shifts", shift):
            continue
        if profile and profile.status == "approved":
            if not shift.signup_open(now) or not matching.fits_place(profile, shift):
                continue
            options = role_options(profile, shift, booked, user.id)
            if not options:
                continue
            rows.append((shift, options))
        else:
            rows.append((shift, []))
    return profile, rows


def visible_shift(shift: Shift | None, user) -> bool:
    """Public shifts for all; others for their organisers and the people booked on them."""
    if shift is None:
        return False
    mine = user is not None and any(
        a.user_id == user.id for r in shift.roles for a in r.assignments
    )
    return shift.public or mine or can(user, "volunteers.manage_shifts", shift)
