"""Booking rules: sign-up, waiting list, withdrawal, invitations, attendance and hours.

Every change to a role's places first locks the role row (SELECT ... FOR UPDATE), then the
volunteers' profile rows, always in that order and several profiles in ascending id order, so
capacity and "never two overlapping shifts" hold under concurrent requests on PostgreSQL and two
withdrawals promoting overlapping waiting lists cannot deadlock (each holds one role and takes
profiles in the same global order). Functions add to the session; callers commit.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select

from core.extensions import db
from core.i18n import translate as _
from core.models import User
from core.statemachine import TransitionRefused
from core.timeutil import to_local, utcnow
from plugins.volunteers.models import Assignment, Profile, Shift, ShiftRole
from plugins.volunteers.workflow import ASSIGNMENTS

CHECK_IN_EARLY = timedelta(hours=1)

#: A booking the rules refuse, its message shown to the person as it is: the one refusal of
#: ``core.statemachine``, so a step the table refuses reads the same (409 unless said).
BookingError = TransitionRefused


def lock_role(role_id: int) -> ShiftRole | None:
    """The role row, locked until commit (serialises every change to its places)."""
    return db.session.scalar(
        select(ShiftRole)
        .where(ShiftRole.id == role_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


def lock_profile(user_id: int) -> Profile | None:
    """The volunteer's profile row, locked: serialises their bookings (overlap, monthly max)."""
    return db.session.scalar(
        select(Profile)
        .where(Profile.user_id == user_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


def lock_profiles(user_ids: list[int]) -> dict[int, Profile]:
    """Several profiles locked in ascending id order (one statement), keyed by user id.

    The fixed order is what keeps concurrent promotions from deadlocking each other.
    """
    if not user_ids:
        return {}
    rows = db.session.scalars(
        select(Profile)
        .where(Profile.user_id.in_(set(user_ids)))
        .order_by(Profile.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).all()
    return {profile.user_id: profile for profile in rows}


def confirmed_count(role_id: int) -> int:
    return db.session.scalar(
        select(func.count(Assignment.id)).where(
            Assignment.role_id == role_id, Assignment.status == "confirmed"
        )
    )


def confirmed_shifts_query(user_id: int):
    return (
        select(Shift)
        .join(ShiftRole, ShiftRole.shift_id == Shift.id)
        .join(Assignment, Assignment.role_id == ShiftRole.id)
        .where(
            Assignment.user_id == user_id,
            Assignment.status == "confirmed",
            Shift.cancelled.is_(False),
        )
    )


def clashing_shift(user_id: int, shift: Shift) -> Shift | None:
    """A confirmed shift of ``user_id`` that overlaps ``shift`` in time, if any."""
    return db.session.scalar(
        confirmed_shifts_query(user_id)
        .where(Shift.starts_at < shift.ends_at, Shift.ends_at > shift.starts_at)
        .limit(1)
    )


def local_month_bounds(moment: datetime) -> tuple[datetime, datetime]:
    """The local calendar month around ``moment``, as aware datetimes."""
    local = to_local(moment)
    first = local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    following = (first + timedelta(days=32)).replace(day=1)
    return first, following


def shifts_in_month(user_id: int, moment: datetime) -> int:
    """Confirmed shifts of ``user_id`` in the local month of ``moment``."""
    first, following = local_month_bounds(moment)
    query = confirmed_shifts_query(user_id).where(
        Shift.starts_at >= first, Shift.starts_at < following
    )
    return db.session.scalar(select(func.count()).select_from(query.subquery()))


def _existing(role_id: int, user_id: int) -> Assignment | None:
    return db.session.scalar(
        select(Assignment).where(Assignment.role_id == role_id, Assignment.user_id == user_id)
    )


def _check_person(profile: Profile | None, role: ShiftRole, check_skills: bool) -> None:
    if profile is None or profile.status != "approved":
        raise BookingError(_("您还不是已审核通过的志愿者，请先完善并提交志愿者资料。"))
    shift = role.shift
    missing = [s.name for s in role.skills if s not in profile.skills]
    if check_skills and missing:
        raise BookingError(_("这个岗位需要以下技能：%(skills)s。") % {"skills": "、".join(missing)})
    other = clashing_shift(profile.user_id, shift)
    if other is not None:
        raise BookingError(_("与您已确认的班次“%(title)s”时间重叠。") % {"title": other.title})
    if shifts_in_month(profile.user_id, shift.starts_at) >= profile.monthly_max_shifts:
        raise BookingError(
            _("您本月已达到每月最多 %(n)s 个班次的上限。") % {"n": profile.monthly_max_shifts}
        )


def sign_up(
    role_id: int, user_id: int, *, waitlist: bool = False, now: datetime | None = None
) -> Assignment:
    """A volunteer takes a place (or a waiting-list place when ``waitlist`` and full)."""
    now = now or utcnow()
    role = lock_role(role_id)
    if role is None:
        raise LookupError(role_id)
    shift = role.shift
    if shift.cancelled:
        raise BookingError(_("这个班次已取消。"))
    if not shift.signup_open(now):
        raise BookingError(_("这个班次的报名尚未开始或已经截止。"))
    profile = lock_profile(user_id)
    existing = _existing(role_id, user_id)
    if existing and existing.status in ("confirmed", "waitlisted"):
        raise BookingError(_("您已经报名了这个岗位。"))
    _check_person(profile, role, check_skills=True)
    if confirmed_count(role_id) < role.needed:
        status = "confirmed"
    elif waitlist:
        status = "waitlisted"
    else:
        raise BookingError(_("这个岗位已经满员，可以选择加入候补名单。"))
    assignment = existing or Assignment(role_id=role_id, user_id=user_id, status=None)
    action = "sign_up" if status == "confirmed" else "join_waitlist"
    ASSIGNMENTS.apply(assignment, action, profile.user, now=now)
    return assignment


def withdraw(assignment: Assignment, now: datetime | None = None) -> list[Assignment]:
    """Leave a place or the waiting list before the deadline; returns those promoted."""
    now = now or utcnow()
    role = lock_role(assignment.role_id)
    db.session.refresh(assignment)
    if assignment.status not in ("confirmed", "waitlisted"):
        raise BookingError(_("您没有报名这个岗位，无需退出。"))
    if not role.shift.can_withdraw(now):
        raise BookingError(_("已过退出截止时间，请直接联系组织者。"))
    was_confirmed = assignment.status == "confirmed"
    ASSIGNMENTS.apply(assignment, "withdraw", assignment.user, now=now)
    return promote_waiting(role, now) if was_confirmed else []


def promote_waiting(role: ShiftRole, now: datetime | None = None) -> list[Assignment]:
    """Fill free places from the waiting list in order (role row already locked); notify.

    The waiting people's profiles are locked together up front in ascending id order, not one
    by one in waiting-list order, so two promotions sharing people take locks in one order.
    """
    now = now or utcnow()
    promoted = []
    waiting = db.session.scalars(
        select(Assignment)
        .where(Assignment.role_id == role.id, Assignment.status == "waitlisted")
        .order_by(Assignment.status_changed_at, Assignment.id)
    ).all()
    if not waiting or confirmed_count(role.id) >= role.needed:
        return promoted
    profiles = lock_profiles([candidate.user_id for candidate in waiting])
    for candidate in waiting:
        if confirmed_count(role.id) >= role.needed:
            break
        profile = profiles.get(candidate.user_id)
        try:
            _check_person(profile, role, check_skills=False)
        except BookingError:
            continue  # they now clash or hit their maximum: they stay on the list
        ASSIGNMENTS.apply(candidate, "promote", None, now=now)  # the site, for those waiting
        promoted.append(candidate)
    return promoted


def invite(role_id: int, user_id: int, inviter_id: int) -> Assignment:
    """A manager asks a volunteer to take a role; they accept or decline."""
    role = lock_role(role_id)
    if role is None:
        raise LookupError(role_id)
    if role.shift.cancelled or role.shift.starts_at <= utcnow():
        raise BookingError(_("这个班次已取消或已开始，不能再邀请。"))
    profile = db.session.scalar(select(Profile).where(Profile.user_id == user_id))
    if profile is None or profile.status != "approved":
        raise BookingError(_("此人不是已审核通过的志愿者。"))
    existing = _existing(role_id, user_id)
    if existing and existing.status in ("confirmed", "waitlisted", "invited"):
        raise BookingError(_("此人已在这个岗位上（已确认、候补或已邀请）。"))
    assignment = existing or Assignment(role_id=role_id, user_id=user_id, status=None)
    ASSIGNMENTS.apply(assignment, "invite", db.session.get(User, inviter_id))
    return assignment


def respond(assignment: Assignment, accept: bool, now: datetime | None = None) -> Assignment:
    """The invited volunteer accepts (a place, or the waiting list when full) or declines."""
    now = now or utcnow()
    role = lock_role(assignment.role_id)
    db.session.refresh(assignment)
    if assignment.status != "invited":
        raise BookingError(_("这个邀请已经处理过了。"))
    if not accept:
        ASSIGNMENTS.apply(assignment, "decline", assignment.user, now=now)
        return assignment
    if role.shift.cancelled or role.shift.starts_at <= now:
        raise BookingError(_("这个班次已取消或已开始。"))
    _check_person(lock_profile(assignment.user_id), role, check_skills=False)
    action = "accept" if confirmed_count(role.id) < role.needed else "accept_waitlisted"
    ASSIGNMENTS.apply(assignment, action, assignment.user, now=now)
    return assignment


def place_by_manager(
    role_id: int, user_id: int, manager: User, now: datetime | None = None
) -> Assignment:
    """Book a volunteer from a confirmed auto-fill proposal: same locks and limits, no window."""
    now = now or utcnow()
    role = lock_role(role_id)
    if role is None or role.shift.cancelled or role.shift.starts_at <= now:
        raise BookingError(_("班次不存在、已取消或已开始。"))
    profile = lock_profile(user_id)
    existing = _existing(role_id, user_id)
    if existing and existing.status == "confirmed":
        raise BookingError(_("已在岗。"))
    _check_person(profile, role, check_skills=True)
    if confirmed_count(role_id) >= role.needed:
        raise BookingError(_("岗位已满。"))
    assignment = existing or Assignment(role_id=role_id, user_id=user_id, status=None)
    ASSIGNMENTS.apply(assignment, "autofill", manager, now=now)
    return assignment
