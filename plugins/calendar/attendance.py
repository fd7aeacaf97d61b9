"""Attendance (check-in) for occurrences: recording it inside the check-in window, and revoking it.

Attendance is recorded only inside the occurrence's check-in window (``checkin.window``), or
after it by staff with a reason; undoing marks the record revoked, it is never deleted, and
every count uses ``models.live_attendance()``.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from core import signals
from core.extensions import db
from core.timeutil import utcnow
from plugins.calendar import checkin
from plugins.calendar.models import (
    CalendarAttendance,
    CalendarEvent,
    CalendarRegistration,
    live_attendance,
)
from plugins.calendar.recurrence import Occurrence
from plugins.calendar.registration import RegistrationError, user_registration


def ensure_window(
    event: CalendarEvent,
    occurrence: Occurrence,
    now: datetime,
    late_reason: str | None = None,
) -> bool:
    """Raise RegistrationError unless attendance may be recorded at ``now``; True when it is a
    late entry (after the window, allowed only with a reason; never before the window)."""
    if occurrence.cancelled:
        raise RegistrationError(_("这次活动已取消，不能签到。"))
    span = checkin.window(event, occurrence)
    state = span.state(now)
    if state == "early":
        raise RegistrationError(
            _("签到还没有开始：这次活动的签到时间是 %(window)s。", window=span.label())
        )
    if state == "closed":
        if not late_reason:
            raise RegistrationError(
                _(
                    "签到已经结束：这次活动的签到时间是 %(window)s。"
                    "纸质签到册上的签到，请活动管理人员补录并填写原因。",
                    window=span.label(),
                )
            )
        return True
    return False


def check_in(
    event: CalendarEvent,
    occurrence: Occurrence,
    *,
    user_id: int | None = None,
    registration: CalendarRegistration | None = None,
    walk_in_name: str | None = None,
    walk_in_phone: str | None = None,
    method: str = "qr",
    recorded_by_id: int | None = None,
    late_reason: str | None = None,
    now: datetime | None = None,
) -> tuple[CalendarAttendance, bool]:
    """Record attendance once; returns (row, created).

    Only inside the occurrence's check-in window, or after it with ``late_reason`` (a staff
    entry from a paper sheet: the caller checks the person may make one). ``now`` is the real
    time of the record, kept as ``created_at`` (tests and the demo pass it). A revoked record
    of the same person is made live again. Sends ``attendance_recorded`` only when a record
    becomes live, so a second scan or a retried request changes nothing. Caller commits.
    """
    now = now or utcnow()
    late_reason = (late_reason or "").strip()[:200] or None
    if not ensure_window(event, occurrence, now, late_reason):
        late_reason = None  # inside the window nothing is late
    if registration is not None and registration.user_id:
        user_id, registration = registration.user_id, None
    existing = _existing_attendance(event.id, occurrence.original_start, user_id, registration)
    if existing is not None and not existing.revoked:
        return existing, False
    if existing is not None:
        attendance = db.session.scalar(
            select(CalendarAttendance)
            .where(CalendarAttendance.id == existing.id)
            .with_for_update(of=CalendarAttendance)
            .execution_options(populate_existing=True)
        )
        if not attendance.revoked:  # made live again by a concurrent request
            return attendance, False
        attendance.revoked_at = attendance.revoked_by_id = attendance.revoke_reason = None
        attendance.method, attendance.recorded_by_id = method, recorded_by_id
        attendance.late_reason, attendance.created_at = late_reason, now
        db.session.flush()
    else:
        attendance = CalendarAttendance(
            event_id=event.id,
            original_start=occurrence.original_start,
            user_id=user_id,
            registration_id=registration.id if registration else None,
            walk_in_name=(registration.proxy_name if registration else walk_in_name),
            walk_in_phone=(registration.proxy_phone if registration else walk_in_phone),
            method=method,
            recorded_by_id=recorded_by_id,
            late_reason=late_reason,
            created_at=now,
        )
        try:
            with db.session.begin_nested():
                db.session.add(attendance)
        except IntegrityError:  # the same person checked in from two tabs at once
            found = _existing_attendance(event.id, occurrence.original_start, user_id, registration)
            return found, False
    signals.send(
        signals.attendance_recorded,
        signals.AttendanceRecorded(
            attendance_id=attendance.id,
            event_id=event.id,
            occurrence_start=occurrence.start,
            user_id=user_id,
            org_unit_id=event.org_unit_id,
            category=event.category.name if event.category else "",
            recorded_at=attendance.created_at,
        ),
    )
    return attendance, True


def self_check_in_refusal(
    event: CalendarEvent, occurrence: Occurrence, user_id: int, now: datetime
) -> str | None:
    """Why the person may not check themself in now (None: they may). Only inside the
    window, and only when registered with a seat or where the event admits walk-ins."""
    try:
        ensure_window(event, occurrence, now)
    except RegistrationError as error:
        return str(error)
    if event.admits_walk_ins:
        return None
    mine = user_registration(event.id, occurrence.original_start, user_id)
    if mine is None:
        return _(
            "您没有报名这次活动，不能自己扫码签到：这个活动只接受已报名的人签到。"
            "如果您已经到场，请找工作人员登记。"
        )
    if mine.status != "confirmed":
        return _("您还在候补名单上，没有获得名额，不能自己扫码签到；请找工作人员。")
    return None


def self_check_in(
    event: CalendarEvent, occurrence: Occurrence, user_id: int, now: datetime | None = None
) -> tuple[CalendarAttendance, bool]:
    """A person checks themself in (the QR code). Raises RegistrationError with the reason
    of ``self_check_in_refusal``. Caller commits."""
    now = now or utcnow()
    refusal = self_check_in_refusal(event, occurrence, user_id, now)
    if refusal:
        raise RegistrationError(refusal)
    return check_in(event, occurrence, user_id=user_id, method="qr", now=now)


def _existing_attendance(event_id, original_start, user_id, registration):
    query = select(CalendarAttendance).where(
        CalendarAttendance.event_id == event_id,
        CalendarAttendance.original_start == original_start,
    )
    if user_id is not None:
        return db.session.scalar(query.where(CalendarAttendance.user_id == user_id))
    if registration is not None:
        return db.session.scalar(query.where(CalendarAttendance.registration_id == registration.id))
    return None


def revoke(
    attendance: CalendarAttendance,
    reason: str,
    revoked_by_id: int | None = None,
    now: datetime | None = None,
) -> bool:
    """Mark a check-in revoked (the row stays, as a fact that was undone) and tell listeners
    (credits) to reverse it. False when it was revoked already. Caller commits."""
    if attendance.revoked:
        return False
    now = now or utcnow()
    attendance.revoked_at, attendance.revoked_by_id = now, revoked_by_id
    attendance.revoke_reason = reason[:200]
    db.session.flush()
    signals.send(
        signals.attendance_revoked,
        signals.AttendanceRevoked(
            attendance_id=attendance.id, user_id=attendance.user_id, revoked_at=now
        ),
    )
    return True


def revoke_all(
    event_id: int,
    original_start: datetime | None,
    reason: str,
    revoked_by_id: int | None = None,
) -> int:
    """Revoke every live check-in of one occurrence (of the whole event when
    ``original_start`` is None); returns how many. Caller commits."""
    query = select(CalendarAttendance).where(
        CalendarAttendance.event_id == event_id, live_attendance()
    )
    if original_start is not None:
        query = query.where(CalendarAttendance.original_start == original_start)
    rows = db.session.scalars(
        query.order_by(CalendarAttendance.id).with_for_update(of=CalendarAttendance)
    ).all()
    return sum(revoke(row, reason, revoked_by_id) for row in rows)


def occurrence_attendance(event_id: int, original_start: datetime) -> list[CalendarAttendance]:
    """Every attendance record of one occurrence, revoked ones included, in time order."""
    return list(
        db.session.scalars(
            select(CalendarAttendance)
            .where(
                CalendarAttendance.event_id == event_id,
                CalendarAttendance.original_start == original_start,
            )
            .order_by(CalendarAttendance.created_at, CalendarAttendance.id)
        )
    )


def attendance_count(event_id: int, original_start: datetime | None = None) -> int:
    """Live check-ins of one occurrence (of every occurrence when ``original_start`` is None)."""
    query = select(func.count(CalendarAttendance.id)).where(
        CalendarAttendance.event_id == event_id, live_attendance()
    )
    if original_start is not None:
        query = query.where(CalendarAttendance.original_start == original_start)
    return db.session.scalar(query)
