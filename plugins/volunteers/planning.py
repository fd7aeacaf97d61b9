"""Auto-fill against the database: build the plain problem, run it, apply what a manager confirms.

The proposal is carried in the confirmation form as (role, volunteer) pairs, so what the manager
confirms is exactly what they saw; each pair is booked again under the usual row locks.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from core.accounts import person_label
from core.extensions import db
from core.models import User
from core.timeutil import utcnow
from plugins.volunteers import matching
from plugins.volunteers.autofill import Proposal, Slot, autofill
from plugins.volunteers.models import Assignment, Shift, ShiftRole
from plugins.volunteers.services import BookingError, local_month_bounds, place_by_manager


@dataclass
class Plan:
    shifts: list[Shift]
    proposal: Proposal
    roles: dict[int, ShiftRole]
    names: dict[int, str]

    @property
    def open_places(self) -> int:
        return self.proposal.filled + sum(self.proposal.unfilled.values())


def shifts_between(unit_ids: set[int], start: datetime, end: datetime) -> list[Shift]:
    """Shifts not yet begun in [start, end) at the given org units."""
    now = utcnow()
    return list(
        db.session.scalars(
            select(Shift)
            .where(
                Shift.org_unit_id.in_(unit_ids),
                Shift.cancelled.is_(False),
                Shift.starts_at >= max(start, now),
                Shift.starts_at < end,
            )
            .options(
                selectinload(Shift.roles).selectinload(ShiftRole.skills),
                selectinload(Shift.roles).selectinload(ShiftRole.assignments),
                selectinload(Shift.org_unit),
            )
            .order_by(Shift.starts_at, Shift.id)
        )
    )


def build_plan(shifts: list[Shift]) -> Plan:
    """Run the auto-fill over ``shifts`` for every approved volunteer."""
    slots, roles = [], {}
    months = set()
    for shift in shifts:
        months.add(local_month_bounds(shift.starts_at)[0])
        for role in shift.roles:
            open_places = role.needed - role.confirmed_count
            if open_places <= 0:
                continue
            roles[role.id] = role
            slots.append(
                Slot(
                    role_id=role.id,
                    shift_id=shift.id,
                    start=matching.local_naive(shift.starts_at),
                    end=matching.local_naive(shift.ends_at),
                    needed=open_places,
                    skills=frozenset(s.id for s in role.skills),
                    village_id=matching.shift_village_id(shift),
                )
            )
    profiles = matching.approved_profiles()
    ids = [p.user_id for p in profiles]
    used = _shifts_per_month(ids, months)
    busy = _busy(ids, shifts)
    on_roles = _on_roles(ids, roles)
    first = shifts[0].starts_at if shifts else utcnow()
    this_month = matching.month_stats(ids, first)
    free = matching.free_time(ids)
    people = []
    for profile in profiles:
        month_left = {
            (m.year, m.month): profile.monthly_max_shifts - used[profile.user_id].get(m, 0)
            for m in months
        }
        people.append(
            matching.to_person(
                profile,
                free,
                busy=tuple(busy[profile.user_id]),
                month_left=month_left,
                load=this_month.get(profile.user_id, (0, 0.0))[0],
                on_roles=frozenset(on_roles[profile.user_id]),
            )
        )
    proposal = autofill(people, slots)
    names = {p.user_id: person_label(p.user) for p in profiles}
    return Plan(shifts=shifts, proposal=proposal, roles=roles, names=names)


def _confirmed_rows(user_ids):
    return (
        select(Assignment.user_id, Shift.starts_at, Shift.ends_at, ShiftRole.id)
        .join(ShiftRole, ShiftRole.id == Assignment.role_id)
        .join(Shift, Shift.id == ShiftRole.shift_id)
        .where(
            Assignment.status == "confirmed",
            Shift.cancelled.is_(False),
            Assignment.user_id.in_(list(user_ids)),
        )
    )


def _shifts_per_month(user_ids, months) -> dict[int, dict]:
    used: dict[int, dict] = defaultdict(lambda: defaultdict(int))
    if not months:
        return used
    low, high = min(months), local_month_bounds(max(months))[1]
    for uid, starts_at, _ends, _rid in db.session.execute(
        _confirmed_rows(user_ids).where(Shift.starts_at >= low, Shift.starts_at < high)
    ):
        used[uid][local_month_bounds(starts_at)[0]] += 1
    return used


def _busy(user_ids, shifts: list[Shift]) -> dict[int, list]:
    busy: dict[int, list] = defaultdict(list)
    if not shifts:
        return busy
    low = min(s.starts_at for s in shifts) - timedelta(days=1)
    high = max(s.ends_at for s in shifts) + timedelta(days=1)
    for uid, starts_at, ends_at, _rid in db.session.execute(
        _confirmed_rows(user_ids).where(Shift.ends_at > low, Shift.starts_at < high)
    ):
        busy[uid].append((matching.local_naive(starts_at), matching.local_naive(ends_at)))
    return busy


def _on_roles(user_ids, roles: dict[int, ShiftRole]) -> dict[int, set[int]]:
    found: dict[int, set[int]] = defaultdict(set)
    if not roles:
        return found
    for uid, rid in db.session.execute(
        select(Assignment.user_id, Assignment.role_id).where(
            Assignment.role_id.in_(list(roles)),
            Assignment.status.in_(("confirmed", "waitlisted", "invited")),
        )
    ):
        found[uid].add(rid)
    return found


def apply(
    pairs: list[tuple[int, int]], allowed_unit_ids: set[int], manager: User
) -> tuple[int, list[str]]:
    """Book each confirmed pair for ``manager`` (audited and notified by the assignment table);
    returns (booked, problems). The caller commits."""
    booked, problems = 0, []
    for role_id, user_id in pairs:
        role = db.session.get(ShiftRole, role_id)
        if role is None or role.shift.org_unit_id not in allowed_unit_ids:
            problems.append(f"岗位 {role_id} 不存在或无权安排。")
            continue
        try:
            with db.session.begin_nested():
                place_by_manager(role_id, user_id, manager)
        except BookingError as error:
            problems.append(f"{role.shift.title}/{role.name}：{error}")
            continue
        booked += 1
    return booked, problems
