"""On the day: check-in and check-out, hours confirmed by the organiser, no-shows.

Confirming hours sends ``core.signals.volunteer_hours_confirmed`` exactly once per assignment:
the assignment row is locked and ``hours_confirmed_at`` is the guard.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from core import audit, signals
from core.extensions import db
from core.timeutil import utcnow
from plugins.volunteers.models import Assignment
from plugins.volunteers.services import CHECK_IN_EARLY, BookingError, _

MAX_HOURS = 24.0


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
    now = now or utcnow()
    if not assignment.checked_in_at:
        raise BookingError(_("请先签到。"))
    if assignment.checked_out_at:
        raise BookingError(_("已经签退过了。"))
    assignment.checked_out_at = max(now, assignment.checked_in_at)


def suggested_hours(assignment: Assignment) -> float:
    """Hours between check-in and check-out, else the shift's length."""
    if assignment.checked_in_at and assignment.checked_out_at:
        seconds = (assignment.checked_out_at - assignment.checked_in_at).total_seconds()
        return round(min(seconds / 3600, MAX_HOURS), 1)
    return round(assignment.shift.hours, 1)


def confirm_hours(
    assignment_id: int, hours: float, confirmer_id: int, now: datetime | None = None
) -> Assignment:
    """The organiser confirms the hours served; sends the signal the first time only."""
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
    if not (0 < hours <= MAX_HOURS):
        raise BookingError(_("服务时长应在 0 到 24 小时之间。"))
    assignment.hours = round(hours, 2)
    assignment.hours_confirmed_at = now
    assignment.hours_confirmed_by_id = confirmer_id
    db.session.flush()
    audit.record(
        "volunteers.hours_confirmed",
        assignment,
        f"确认 {assignment.user.display_name} 在“{assignment.shift.title}”服务 {hours:g} 小时",
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
