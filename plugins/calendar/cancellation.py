"""Cancelling and restoring an occurrence or a whole event, and what follows from it.

Cancelling revokes the attendance recorded on what is cancelled (each record is marked revoked,
never deleted, and ``attendance_revoked`` is sent so credits are reversed) and tells the
registrants. Restoring tells them the activity takes place after all; revoked attendance stays
revoked (staff record again those who really come). Each change writes the audit log; the
views ask the person to confirm first, stating these numbers.
"""

from __future__ import annotations

from sqlalchemy import func, select

from core import audit
from core.extensions import db
from core.models import User
from plugins.calendar import attendance, recurrence, reminders, series, services
from plugins.calendar.models import CalendarAttendance, CalendarEvent, CalendarRegistration
from plugins.calendar.recurrence import Occurrence


def _user(user_id: int | None) -> User | None:
    return db.session.get(User, user_id) if user_id else None


def revoked_count(event_id: int, original_start) -> int:
    """Revoked attendance records of one occurrence (they stay revoked on restore)."""
    return db.session.scalar(
        select(func.count(CalendarAttendance.id)).where(
            CalendarAttendance.event_id == event_id,
            CalendarAttendance.original_start == original_start,
            CalendarAttendance.revoked_at.is_not(None),
        )
    )


def registrant_count(event_id: int, original_start) -> int:
    """Registrants with an account (those a notice reaches) of one occurrence."""
    return db.session.scalar(
        select(func.count(CalendarRegistration.id)).where(
            CalendarRegistration.event_id == event_id,
            CalendarRegistration.original_start == original_start,
            CalendarRegistration.status != "cancelled",
            CalendarRegistration.user_id.is_not(None),
        )
    )


def cancels_whole_event(event: CalendarEvent, occurrence: Occurrence | None) -> bool:
    """Cancelling a single event's only occurrence cancels the event itself."""
    return occurrence is None or not event.is_series


def attendance_at_stake(event: CalendarEvent, occurrence: Occurrence | None) -> int:
    """How many live attendance records cancelling would revoke (shown before confirming)."""
    if cancels_whole_event(event, occurrence):
        return attendance.attendance_count(event.id)
    return attendance.attendance_count(event.id, occurrence.original_start)


def cancel(
    event: CalendarEvent, occurrence: Occurrence | None, reason: str, actor_id: int | None
) -> int:
    """Cancel ``occurrence`` (of a single event: the event), or the whole event when None;
    revoke its attendance, tell its registrants, audit. Returns the records revoked.
    Caller commits."""
    if cancels_whole_event(event, occurrence):
        services.cancel_event(event, reason, _user(actor_id))
        original_start, version = None, event.sequence
        if occurrence is not None:  # a single event: its one date
            original_start = occurrence.original_start
        scope = None
    else:
        services.cancel_occurrence(event, occurrence.original_start, reason, _user(actor_id))
        original_start = scope = occurrence.original_start
        version = series.override_for(event, original_start).sequence
    revoked = attendance.revoke_all(event.id, scope, f"活动取消：{reason}", actor_id)
    reminders.tell_cancelled(event, original_start, reason, version)
    if occurrence is None:
        action, what = "calendar.event_cancelled", f"取消活动「{event.title}」"
    else:
        action, what = "calendar.occurrence_cancelled", f"取消「{event.title}」{occurrence.key}"
    audit.record(
        action,
        event,
        f"{what}：{reason}" + (f"；撤销签到 {revoked} 条" if revoked else ""),
        actor_id=actor_id,
    )
    return revoked


def can_restore(event: CalendarEvent, occurrence: Occurrence) -> bool:
    """One cancelled date of a running series, or a cancelled single event."""
    if not occurrence.cancelled:
        return False
    return not event.cancelled if event.is_series else True


def restore(event: CalendarEvent, occurrence: Occurrence, actor_id: int | None) -> int | None:
    """Undo the cancellation of ``occurrence``; tell its registrants; audit. Returns how many
    were told, None when there was nothing to restore. Caller commits."""
    if not can_restore(event, occurrence):
        return None
    if event.is_series:
        services.restore_occurrence(event, occurrence.original_start, _user(actor_id))
        version = series.override_for(event, occurrence.original_start).sequence
    else:
        services.restore_event(event, _user(actor_id))
        version = event.sequence
    restored = recurrence.find_occurrence(event, occurrence.original_start) or occurrence
    told = reminders.tell_restored(event, restored, version)
    kept = revoked_count(event.id, occurrence.original_start)
    audit.record(
        "calendar.occurrence_restored",
        event,
        f"恢复「{event.title}」{occurrence.key}；通知报名者 {told} 人"
        + (f"；已撤销的签到 {kept} 条仍为撤销" if kept else ""),
        actor_id=actor_id,
    )
    return told
