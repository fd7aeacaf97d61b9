"""Who fits a shift role: eligibility for one volunteer, a ranked list with reasons for managers.

The same rules feed the auto-fill (see ``planning.py``), through ``to_person``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import NamedTuple

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from core import availability
from core.extensions import db
from core.models import OrgUnit
from core.timeutil import to_local, utcnow
from plugins.volunteers.autofill import Person, available
from plugins.volunteers.models import Assignment, Profile, Shift, ShiftRole
from plugins.volunteers.services import local_month_bounds


def shift_village_id(shift: Shift) -> int | None:
    """The village a shift is held in; None for town-level places (open to every volunteer)."""
    return shift.org_unit_id if shift.org_unit.kind.is_village else None


def served_villages(profile: Profile) -> frozenset[int]:
    return frozenset({profile.home_unit_id, *(v.id for v in profile.villages)} - {None})


def tree_distance(a: OrgUnit | None, b: OrgUnit | None) -> int:
    """Steps between two org units through their lowest common ancestor."""
    if a is None or b is None:
        return 9
    first, second = a.ancestor_ids, b.ancestor_ids
    common = 0
    for x, y in zip(first, second, strict=False):
        if x != y:
            break
        common += 1
    return len(first) + len(second) - 2 * common


class FreeTime(NamedTuple):
    """Everyone's weekly slots and blackout days, read once (``core.availability``)."""

    weekly: dict[int, list[availability.Slot]]
    blackouts: dict[int, set[date]]


def free_time(user_ids: Iterable[int]) -> FreeTime:
    """The stated free time of these users: two queries, however many they are."""
    ids = list(user_ids)
    return FreeTime(availability.weekly(ids), availability.blackout_days(ids))


def to_person(profile: Profile, free: FreeTime, **extra) -> Person:
    """The auto-fill's view of a volunteer (times local, minutes of the day)."""
    windows = tuple(
        (
            slot.weekday,
            slot.start.hour * 60 + slot.start.minute,
            slot.end.hour * 60 + slot.end.minute,
        )
        for slot in free.weekly.get(profile.user_id, ())
    )
    return Person(
        id=profile.user_id,
        skills=frozenset(s.id for s in profile.skills),
        villages=served_villages(profile),
        windows=windows,
        blackout=frozenset(free.blackouts.get(profile.user_id, ())),
        default_month_left=profile.monthly_max_shifts,
        **extra,
    )


def local_naive(moment: datetime) -> datetime:
    return to_local(moment).replace(tzinfo=None)


def fits_place(profile: Profile, shift: Shift) -> bool:
    village = shift_village_id(shift)
    return village is None or village in served_villages(profile)


def approved_profiles() -> list[Profile]:
    return list(
        db.session.scalars(
            select(Profile)
            .where(Profile.status == "approved")
            .options(
                selectinload(Profile.skills),
                selectinload(Profile.villages),
                selectinload(Profile.user),
                selectinload(Profile.home_unit),
            )
            .order_by(Profile.id)
        )
    )


def month_stats(user_ids, moment: datetime) -> dict[int, tuple[int, float]]:
    """user → (confirmed shifts, confirmed hours) in the local month of ``moment``."""
    first, following = local_month_bounds(moment)
    rows = db.session.execute(
        select(Assignment.user_id, func.count(Assignment.id), func.sum(Assignment.hours))
        .join(ShiftRole, ShiftRole.id == Assignment.role_id)
        .join(Shift, Shift.id == ShiftRole.shift_id)
        .where(
            Assignment.status == "confirmed",
            Shift.cancelled.is_(False),
            Shift.starts_at >= first,
            Shift.starts_at < following,
            Assignment.user_id.in_(list(user_ids)),
        )
        .group_by(Assignment.user_id)
    ).all()
    return {uid: (count, float(hours or 0)) for uid, count, hours in rows}


def reliability(user_ids, now: datetime) -> dict[int, tuple[int, int]]:
    """user → (past confirmed shifts, no-shows among them)."""
    rows = db.session.execute(
        select(
            Assignment.user_id,
            func.count(Assignment.id),
            func.sum(db.case((Assignment.no_show.is_(True), 1), else_=0)),
        )
        .join(ShiftRole, ShiftRole.id == Assignment.role_id)
        .join(Shift, Shift.id == ShiftRole.shift_id)
        .where(
            Assignment.status == "confirmed",
            Shift.ends_at < now,
            Assignment.user_id.in_(list(user_ids)),
        )
        .group_by(Assignment.user_id)
    ).all()
    return {uid: (int(total), int(missed or 0)) for uid, total, missed in rows}


def busy_users(user_ids, shift: Shift) -> set[int]:
    """Users with a confirmed shift overlapping ``shift``."""
    return set(
        db.session.scalars(
            select(Assignment.user_id)
            .join(ShiftRole, ShiftRole.id == Assignment.role_id)
            .join(Shift, Shift.id == ShiftRole.shift_id)
            .where(
                Assignment.status == "confirmed",
                Shift.cancelled.is_(False),
                Shift.starts_at < shift.ends_at,
                Shift.ends_at > shift.starts_at,
                Assignment.user_id.in_(list(user_ids)),
            )
        )
    )


@dataclass
class Match:
    profile: Profile
    score: float
    reasons: list[str] = field(default_factory=list)
    blockers: list[str] = field(default_factory=list)

    @property
    def bookable(self) -> bool:
        return not self.blockers


def rank(role: ShiftRole, now: datetime | None = None, limit: int = 50) -> list[Match]:
    """Volunteers with the role's skills, best first, each with the reasons for the score."""
    now = now or utcnow()
    shift = role.shift
    taken = set(
        db.session.scalars(
            select(Assignment.user_id).where(
                Assignment.role_id == role.id,
                Assignment.status.in_(("confirmed", "waitlisted", "invited")),
            )
        )
    )
    needed = {s.id for s in role.skills}
    profiles = [
        p
        for p in approved_profiles()
        if p.user_id not in taken and needed <= {s.id for s in p.skills}
    ]
    ids = [p.user_id for p in profiles]
    free = free_time(ids)
    stats, record, busy = (
        month_stats(ids, shift.starts_at),
        reliability(ids, now),
        busy_users(ids, shift),
    )
    start, end = local_naive(shift.starts_at), local_naive(shift.ends_at)
    matches = []
    for profile in profiles:
        match = Match(profile, 0.0)
        match.score += 30
        match.reasons.append(
            _("技能符合：%(skills)s", skills="、".join(s.name for s in role.skills))
            if role.skills
            else _("岗位不限技能")
        )
        person = to_person(profile, free)
        if not person.windows:
            match.score += 5
            match.reasons.append(_("未填写可服务时间"))
        elif available(person, start, end):
            match.score += 25
            match.reasons.append(_("在其可服务时间内"))
        else:
            match.reasons.append(_("不在其可服务时间内"))
        distance = tree_distance(profile.home_unit, shift.org_unit)
        home = profile.home_unit.name if profile.home_unit else _("未填写")
        if profile.home_unit_id == shift.org_unit_id:
            match.score += 15
            match.reasons.append(_("本村（社区）志愿者"))
        elif fits_place(profile, shift):
            match.score += 10
            match.reasons.append(_("愿意到此服务（家在%(home)s）", home=home))
        else:
            match.score += max(0, 6 - distance * 2)
            match.reasons.append(_("不在其愿意服务的村（家在%(home)s）", home=home))
        shifts_done, hours_done = stats.get(profile.user_id, (0, 0.0))
        match.score += 15 * (1 - min(hours_done, 20) / 20)
        match.reasons.append(
            _(
                "本月已服务 %(hours)s 小时、%(shifts)s 个班次",
                hours=f"{hours_done:g}",
                shifts=shifts_done,
            )
        )
        total, missed = record.get(profile.user_id, (0, 0))
        match.score += 15 * (1 - missed / total) if total else 10
        match.reasons.append(
            _("以往 %(total)s 次中缺席 %(missed)s 次", total=total, missed=missed)
            if total
            else _("尚无服务记录")
        )
        if profile.user_id in busy:
            match.blockers.append(_("同一时间已有班次"))
        if shifts_done >= profile.monthly_max_shifts:
            match.blockers.append(_("本月班次已达上限"))
        matches.append(match)
    matches.sort(key=lambda m: (not m.bookable, -m.score, m.profile.id))
    return matches[:limit]
