"""Changes to one occurrence or to the rest of a series: cancel, restore, move or edit,
"this and following" (split), pauses. Every change raises the data version through ``touch``."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from core.extensions import db
from core.permissions import can
from core.statemachine import SYSTEM, Table, step
from core.timeutil import utcnow
from plugins.calendar import recurrence
from plugins.calendar.models import (
    CalendarAttendance,
    CalendarEvent,
    CalendarMaterial,
    CalendarOccurrenceLock,
    CalendarOccurrenceOverride,
    CalendarPause,
    CalendarRegistration,
)
from plugins.calendar.recurrence import RecurrenceError


def _services():
    from plugins.calendar import services

    return services


def touch(event: CalendarEvent, *, bump: bool = True) -> None:
    _services().touch(event, bump=bump)


def refresh_last_end(event: CalendarEvent) -> None:
    _services().refresh_last_end(event)


def save_event(event, data: dict, user_id):
    return _services().save_event(event, data, user_id)


#: Who may cancel or restore a whole event: its managers, or the site itself (no user).
MANAGER = "manager"


def _event_kinds(user, obj) -> set[str]:
    event = obj if isinstance(obj, CalendarEvent) else obj.event  # an override: its event
    return {MANAGER} if can(user, "calendar.manage_events", event) else set()


def _cancelled(event: CalendarEvent, user, *, reason: str) -> None:
    event.cancel_reason = reason


def _restored(event: CalendarEvent, user) -> None:
    event.cancel_reason = ""


#: A whole event (single or series) is scheduled or cancelled. Audited by ``cancellation``,
#: whose action name says what the person cancelled (the event, or a single event's date).
EVENT_TABLE = Table(
    audit_prefix="calendar",
    noun="活动",
    states={"scheduled": "按计划举行", "cancelled": "已取消"},
    actions={"cancel": "取消整个活动", "restore": "恢复活动"},
    transitions={
        ("scheduled", "cancel"): step("cancelled", {MANAGER, SYSTEM}, audit=False),
        ("cancelled", "restore"): step("scheduled", {MANAGER, SYSTEM}, audit=False),
    },
    actor_kinds=_event_kinds,
    subject=lambda event: f"活动「{event.title}」",
    effects={"cancel": _cancelled, "restore": _restored},
    on_applied=lambda applied: touch(applied.obj),
    state_attr="status",
)


def cancel_event(event: CalendarEvent, reason: str, user=None) -> None:
    """Cancel a whole event (``user`` None: the site itself). Raises TransitionRefused."""
    EVENT_TABLE.apply(event, "cancel", user, reason=reason)


def restore_event(event: CalendarEvent, user=None) -> None:
    """Undo the cancellation of a whole event (single or series)."""
    EVENT_TABLE.apply(event, "restore", user)


def override_for(event: CalendarEvent, original_start: datetime) -> CalendarOccurrenceOverride:
    existing = next((o for o in event.overrides if o.original_start == original_start), None)
    if existing is None:
        existing = CalendarOccurrenceOverride(
            original_start=original_start, sequence=event.sequence
        )
        event.overrides.append(existing)
    return existing


def _changed(override: CalendarOccurrenceOverride) -> None:
    override.sequence = max(override.sequence, override.event.sequence) + 1
    override.updated_at = utcnow()


def _date_cancelled(override: CalendarOccurrenceOverride, user, *, reason: str) -> None:
    override.cancel_reason = reason
    _changed(override)


def _date_restored(override: CalendarOccurrenceOverride, user) -> None:
    override.cancel_reason = ""
    _changed(override)


#: One date of a series (its override row's ``state``): scheduled or cancelled. Audited by
#: ``cancellation`` like the whole event.
OCCURRENCE_TABLE = Table(
    audit_prefix="calendar",
    noun="这一次活动",
    states={"scheduled": "按计划举行", "cancelled": "已取消"},
    actions={"cancel": "取消这一次活动", "restore": "恢复这一次活动"},
    transitions={
        ("scheduled", "cancel"): step("cancelled", {MANAGER, SYSTEM}, audit=False),
        ("cancelled", "restore"): step("scheduled", {MANAGER, SYSTEM}, audit=False),
    },
    actor_kinds=_event_kinds,
    subject=lambda override: (
        f"活动「{override.event.title}」{recurrence.key_of(override.original_start)}"
    ),
    effects={"cancel": _date_cancelled, "restore": _date_restored},
    on_applied=lambda applied: touch(applied.obj.event, bump=False),
)


def cancel_occurrence(
    event: CalendarEvent, original_start: datetime, reason: str, user=None
) -> None:
    """Cancel one date of a series. Raises TransitionRefused."""
    OCCURRENCE_TABLE.apply(override_for(event, original_start), "cancel", user, reason=reason)


def restore_occurrence(event: CalendarEvent, original_start: datetime, user=None) -> None:
    """Undo the cancellation of one date of a series."""
    OCCURRENCE_TABLE.apply(override_for(event, original_start), "restore", user)


def edit_occurrence(
    event: CalendarEvent,
    original_start: datetime,
    start: datetime,
    end: datetime,
    title: str | None,
    venue: str | None,
) -> None:
    """Move or edit one occurrence of a series. Raises RecurrenceError."""
    start, end = start.replace(second=0, microsecond=0), end.replace(second=0, microsecond=0)
    recurrence.check_series(start, end, "none", 1, "", None, None)
    override = override_for(event, original_start)
    override.start_at = None if start == original_start else start
    override.end_at = (
        None if start == original_start and end - start == event.end_at - event.start_at else end
    )
    override.title = title if title and title != event.title else None
    override.venue = venue if venue and venue != event.venue else None
    override.sequence = max(override.sequence, event.sequence) + 1
    override.updated_at = utcnow()
    touch(event, bump=False)
    refresh_last_end(event)


DEPENDENT_MODELS = (
    CalendarRegistration,
    CalendarAttendance,
    CalendarMaterial,
    CalendarOccurrenceLock,
)


def split_series(
    event: CalendarEvent, original_start: datetime, data: dict, user_id
) -> CalendarEvent:
    """ "This and following": end the old series before ``original_start`` (UNTIL) and start a
    new series from there with ``data``. People and files of later occurrences move along."""
    starts = recurrence.all_original_starts(event)
    if original_start not in starts:
        raise RecurrenceError("找不到这一次活动。")
    index = starts.index(original_start)
    if index == 0:
        return save_event(event, data, user_id)
    remaining = dict(data)
    if event.count:
        remaining["count"] = min(data.get("count") or event.count - index, event.count - index)
        remaining["until"] = None
    new = save_event(None, remaining, user_id)
    delta = new.start_at - original_start
    last_kept = recurrence.local_naive(starts[index - 1]).date()
    event.count, event.until = None, last_kept
    for override in list(event.overrides):
        if override.original_start >= original_start:
            event.overrides.remove(override)
            db.session.delete(override)
    touch(event)
    refresh_last_end(event)
    for model in DEPENDENT_MODELS:
        for row in db.session.scalars(
            select(model).where(model.event_id == event.id, model.original_start >= original_start)
        ):
            row.event_id, row.original_start = new.id, row.original_start + delta
    return new


def add_pause(event: CalendarEvent, first_day, last_day, reason: str) -> CalendarPause:
    if last_day < first_day:
        raise RecurrenceError("暂停的结束日期不能早于开始日期。")
    pause = CalendarPause(first_day=first_day, last_day=last_day, reason=reason)
    event.pauses.append(pause)
    touch(event)
    return pause


def remove_pause(event: CalendarEvent, pause: CalendarPause) -> None:
    event.pauses.remove(pause)
    db.session.delete(pause)
    touch(event)
