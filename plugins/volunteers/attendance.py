"""On the day: check-in and check-out, hours confirmed by the organiser, no-shows.

Confirming hours sends ``core.signals.volunteer_hours_confirmed`` exactly once per assignment:
the assignment row is locked and ``hours_confirmed_at`` is the guard.

Confirmed hours stay within what happened: at most the check-in to check-out span (or, without
both times, the shift's length), never more than the shift's length, plus ``TOLERANCE``. More
needs a written reason, is audited as ``volunteers.hours_over_bound`` and may not pass the cap,
the shift's length plus ``OVER_BOUND_ALLOWANCE``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from core import audit, signals
from core.extensions import db
from core.i18n import translate as _
from core.timeutil import utcnow
from plugins.volunteers.models import Assignment
from plugins.volunteers.services import CHECK_IN_EARLY, BookingError

MAX_HOURS = 24.0
#: Added to the span (or shift length) before a confirmation needs a reason.
TOLERANCE = timedelta(minutes=15)
#: With a reason, at most this much beyond the shift's length.
OVER_BOUND_ALLOWANCE = timedelta(hours=2)


class HoursError(BookingError):
    """Hours the rules refuse; ``field`` names the form field the message belongs beside."""

    def __init__(self, message: str, field: str = "hours") -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class HoursLimits:
    """What may be confirmed for one assignment, in hours (two decimals)."""

    bound: float  # the most without a reason
    cap: float  # the most at all, with a reason
    from_attendance: bool  # the bound comes from check-in/check-out, not the shift's length


def _in_hours(span: timedelta) -> float:
    return round(span.total_seconds() / 3600, 2)


def lock_assignment(assignment_id: int) -> Assignment | None:
    return db.session.scalar(
        select(Assignment)
        .where(Assignment.id == assignment_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


def check_in(assignment: Assignment, now: datetime | None = None) -> None:
    """Arrived: allowed from an hour before the start until the end of the shift."""
    now = now or utcnow()
    shift = assignment.shift
    if assignment.status != "confirmed":
        raise BookingError(_("只有已确认的志愿者才能签到。"))
    if not (shift.starts_at - CHECK_IN_EARLY <= now <= shift.ends_at):
        raise BookingError(_("签到时间为班次开始前 1 小时至班次结束。"))
    if assignment.checked_in_at:
        raise BookingError(_("已经签到过了。"))
    assignment.checked_in_at = now
    assignment.no_show = False


def check_out(assignment: Assignment, now: datetime | None = None) -> None:
    """Left: refused before the check-in time (a clock or a record that cannot be right)."""
    now = now or utcnow()
    if not assignment.checked_in_at:
        raise BookingError(_("请先签到。"))
    if assignment.checked_out_at:
        raise BookingError(_("已经签退过了。"))
    if now < assignment.checked_in_at:
        raise BookingError(_("签退时间不能早于签到时间。"))
    assignment.checked_out_at = now


def hours_limits(assignment: Assignment) -> HoursLimits:
    """The bound (no reason needed) and the cap (with a reason) for confirming hours."""
    shift = assignment.shift
    length = shift.ends_at - shift.starts_at
    basis, from_attendance = length, False
    if assignment.checked_in_at and assignment.checked_out_at:
        basis = min(max(assignment.checked_out_at - assignment.checked_in_at, timedelta(0)), length)
        from_attendance = True
    cap = min(_in_hours(length + OVER_BOUND_ALLOWANCE), MAX_HOURS)
    return HoursLimits(min(_in_hours(basis + TOLERANCE), cap), cap, from_attendance)


def suggested_hours(assignment: Assignment) -> float | None:
    """Hours between check-in and check-out (at most the shift), else the shift's length.

    None when that rounds to nothing (checked in and out at once): the organiser types it.
    """
    shift = assignment.shift
    basis = shift.ends_at - shift.starts_at
    if assignment.checked_in_at and assignment.checked_out_at:
        basis = min(assignment.checked_out_at - assignment.checked_in_at, basis)
    hours = round(basis.total_seconds() / 3600, 1)
    return hours if hours >= 0.1 else None


def check_hours(assignment: Assignment, hours: float, reason: str = "") -> tuple[float, bool]:
    """The hours to store and whether they pass the bound; raise HoursError when refused."""
    if hours is None or not math.isfinite(hours) or hours <= 0:
        raise HoursError(_("服务时长必须大于 0 小时。"))
    hours = round(hours, 2)
    if hours > MAX_HOURS:
        raise HoursError(_("服务时长不能超过 24 小时。"))
    if (
        assignment.checked_in_at
        and assignment.checked_out_at
        and assignment.checked_out_at < assignment.checked_in_at
    ):
        raise HoursError(_("签退时间早于签到时间，记录有误，不能确认时长。"))
    limits = hours_limits(assignment)
    if hours > limits.cap:
        raise HoursError(
            _("最多只能确认 %(cap)s 小时（班次时长再加 2 小时）。") % {"cap": f"{limits.cap:g}"}
        )
    over = hours > limits.bound
    if over and not (reason or "").strip():
        if limits.from_attendance:
            message = _("签到至签退只有 %(bound)s 小时（已含 15 分钟余量），超出请填写原因。") % {
                "bound": f"{limits.bound:g}"
            }
        else:
            message = _("班次时长只有 %(bound)s 小时（已含 15 分钟余量），超出请填写原因。") % {
                "bound": f"{limits.bound:g}"
            }
        raise HoursError(message, field="reason")
    return hours, over


def confirm_hours(
    assignment_id: int,
    hours: float,
    confirmer_id: int,
    now: datetime | None = None,
    reason: str = "",
) -> Assignment:
    """The organiser confirms the hours served; sends the signal the first time only.

    The stored, audited and signalled value is the same number, checked by ``check_hours``.
    """
    now = now or utcnow()
    assignment = lock_assignment(assignment_id)
    if assignment is None:
        raise LookupError(assignment_id)
    if assignment.status != "confirmed" or assignment.no_show:
        raise BookingError(_("只能为已确认且到场的志愿者确认时长。"))
    if now < assignment.shift.starts_at:
        raise BookingError(_("班次开始后才能确认服务时长。"))
    if assignment.hours_confirmed_at is not None:
        raise BookingError(_("这条服务时长已经确认过了。"))
    hours, over = check_hours(assignment, hours, reason)
    reason = (reason or "").strip() if over else ""
    assignment.hours = hours
    assignment.hours_reason = reason
    assignment.hours_confirmed_at = now
    assignment.hours_confirmed_by_id = confirmer_id
    db.session.flush()
    summary = f"确认 {assignment.user.display_name} 在“{assignment.shift.title}”服务 {hours:g} 小时"
    if over:
        bound = hours_limits(assignment).bound
        summary += f"，超出上限 {bound:g} 小时，原因：{reason}"
    audit.record(
        "volunteers.hours_over_bound" if over else "volunteers.hours_confirmed",
        assignment,
        summary,
        actor_id=confirmer_id,
    )
    signals.send(
        signals.volunteer_hours_confirmed,
        signals.VolunteerHoursConfirmed(
            record_id=assignment.id,
            user_id=assignment.user_id,
            org_unit_id=assignment.shift.org_unit_id,
            hours=float(assignment.hours),
            confirmed_at=now,
        ),
    )
    return assignment


def mark_no_show(assignment: Assignment, now: datetime | None = None) -> None:
    """Recorded after the shift began for a confirmed volunteer who never checked in."""
    now = now or utcnow()
    if assignment.status != "confirmed":
        raise BookingError(_("只有已确认的志愿者才能记为缺席。"))
    if now < assignment.shift.starts_at:
        raise BookingError(_("班次开始后才能记录缺席。"))
    if assignment.checked_in_at or assignment.hours_confirmed_at:
        raise BookingError(_("此人已签到或已确认时长，不能记为缺席。"))
    assignment.no_show = True
    audit.record("volunteers.no_show", assignment, f"{assignment.user.display_name} 缺席")
