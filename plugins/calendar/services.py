"""Public functions on events and occurrences: listing for a window, saving, series edits.

Pages, registration and feeds all list occurrences through ``occurrences_between`` so they can
never disagree. Other plugins reach these through the ``calendar`` service.
"""

from __future__ import annotations

import secrets
from dataclasses import replace
from datetime import datetime, timedelta

from flask import url_for
from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError

from core.extensions import db
from core.models import OrgUnit, OrgUnitKind
from core.timeutil import utcnow
from plugins.calendar import recurrence
from plugins.calendar.category_names import DEFAULT_CATEGORIES
from plugins.calendar.entries import plugin_entries, raw_entries
from plugins.calendar.models import (
    CalendarCategory,
    CalendarEvent,
    CalendarOccurrenceLock,
    CalendarOccurrenceOverride,
    CalendarState,
)
from plugins.calendar.recurrence import Occurrence, RecurrenceError
from plugins.calendar.tracking import versions


def new_uid() -> str:
    return f"calendar-{secrets.token_hex(8)}@xiangxuetong"


def ensure_categories() -> list[CalendarCategory]:
    """The policy's categories, created when missing. Caller commits."""
    existing = {c.name: c for c in db.session.scalars(select(CalendarCategory))}
    for position, (name, colour) in enumerate(DEFAULT_CATEGORIES):
        if name not in existing:
            existing[name] = CalendarCategory(name=name, colour=colour, position=position * 10)
            db.session.add(existing[name])
    db.session.flush()
    return list(existing.values())


def categories(active_only: bool = True) -> list[CalendarCategory]:
    query = select(CalendarCategory).order_by(CalendarCategory.position, CalendarCategory.id)
    if active_only:
        query = query.where(CalendarCategory.active.is_(True))
    return list(db.session.scalars(query))


def unit_prefix_ids(unit_id: int) -> list[int]:
    """The unit and everything below it (a village filter also shows its sub-units)."""
    unit = db.session.get(OrgUnit, unit_id)
    if unit is None:
        return []
    return list(db.session.scalars(select(OrgUnit.id).where(OrgUnit.path.startswith(unit.path))))


def towns() -> list[OrgUnit]:
    """Active towns, for the town chooser shown when one installation serves several."""
    return list(
        db.session.scalars(
            select(OrgUnit)
            .where(OrgUnit.kind == OrgUnitKind.town, OrgUnit.active.is_(True))
            .order_by(OrgUnit.name)
        )
    )


def occurrence_url(occurrence: Occurrence) -> str:
    return url_for("calendar.occurrence", event_id=occurrence.event_id, key=occurrence.key)


def visible_to(viewer, event: CalendarEvent) -> bool:
    """Public events for everyone; members-only events for people of that unit (or staff)."""
    if not event.members_only:
        return True
    if viewer is None or not getattr(viewer, "is_authenticated", False):
        return False
    from core.permissions import can

    if can(viewer, "calendar.manage_events", event):
        return True
    home = db.session.get(OrgUnit, viewer.home_unit_id) if viewer.home_unit_id else None
    unit = db.session.get(OrgUnit, event.org_unit_id)
    return bool(home and unit and home.path.startswith(unit.path))


def members_scope(viewer) -> tuple | None:
    """What decides the members-only events ``viewer`` sees (``visible_to``): the home unit's
    path and the paths where they manage events. Part of the API agenda's ETag."""
    if viewer is None or not getattr(viewer, "is_authenticated", False):
        return None
    from core.permissions import held_paths, unit_path

    managed = tuple(sorted(held_paths(viewer, "calendar.manage_events")))
    return (unit_path(viewer.home_unit_id), managed)


def events_between(
    start: datetime,
    end: datetime,
    category_ids=None,
    unit_ids=None,
    event_ids=None,
    members_only: bool | None = None,
) -> list[CalendarEvent]:
    """Events with an occurrence that may fall in [start, end) (series by their span)."""
    conditions = window_conditions(start, end, category_ids, unit_ids, members_only)
    if event_ids is not None:
        conditions.append(CalendarEvent.id.in_(event_ids))
    query = select(CalendarEvent).where(*conditions).order_by(CalendarEvent.start_at)
    return list(db.session.scalars(query).unique())


def window_conditions(
    start: datetime, end: datetime, category_ids=None, unit_ids=None, members_only=None
) -> list:
    """The WHERE of ``events_between`` (also used by feeds to read stored VEVENTs)."""
    conditions = [
        CalendarEvent.last_end_at >= start - timedelta(days=1),
        or_(
            CalendarEvent.start_at < end,
            CalendarEvent.id.in_(
                select(CalendarOccurrenceOverride.event_id).where(
                    CalendarOccurrenceOverride.start_at < end
                )
            ),
        ),
    ]
    if category_ids:
        conditions.append(CalendarEvent.category_id.in_(category_ids))
    if unit_ids is not None:
        conditions.append(CalendarEvent.org_unit_id.in_(unit_ids))
    if members_only is not None:
        conditions.append(CalendarEvent.members_only.is_(members_only))
    return conditions


def occurrences_between(
    start: datetime,
    end: datetime,
    viewer=None,
    category_ids=None,
    unit_id: int | None = None,
    include_entries: bool = True,
) -> list[Occurrence]:
    """Every occurrence (own events and other plugins' entries) in [start, end), sorted."""
    unit_ids = unit_prefix_ids(unit_id) if unit_id else None
    public = _public_occurrences(start, end, category_ids, unit_ids)
    found: list[Occurrence] = []
    if viewer is not None and getattr(viewer, "is_authenticated", False):
        for event in events_between(start, end, category_ids, unit_ids, members_only=True):
            if visible_to(viewer, event):
                found.extend(recurrence.expand(event, start, end, occurrence_url))
    if include_entries:
        names = {c.id: c.name for c in categories(active_only=False)} if category_ids else {}
        wanted = {names.get(i) for i in category_ids or []}
        for entry in plugin_entries(start, end, viewer, personal=False):
            if unit_ids is not None and entry.org_unit_id not in unit_ids:
                continue
            if category_ids and entry.category not in wanted:
                continue
            found.append(entry)
    if not found:
        return public  # already sorted; callers must not change it
    return sorted([*public, *found], key=_order)


def _public_occurrences(start, end, category_ids, unit_ids) -> list[Occurrence]:
    """Occurrences of public events, cached against the data version (pages are hot)."""
    from plugins.calendar.cache import feed_cache

    key = "calendar:occ:" + repr(
        (
            versions(),
            start,
            end,
            category_ids,
            sorted(unit_ids or []) if unit_ids else None,
        )
    )
    cached = feed_cache().get(key)
    if cached is not None:
        return cached
    found = []
    for event in events_between(start, end, category_ids, unit_ids, members_only=False):
        found.extend(recurrence.expand(event, start, end, occurrence_url))
    found.sort(key=_order)
    feed_cache().set(key, found)
    return found


def _order(occurrence: Occurrence) -> tuple:
    return (occurrence.start, occurrence.title)


def touch(event: CalendarEvent, *, bump: bool = True) -> None:
    """Mark a change: feeds rebuild; SEQUENCE rises for changes of time, place or status."""
    event.updated_at = utcnow()
    if bump:
        event.sequence += 1
    bump_version()


def bump_version() -> None:
    """Raise the calendar's data version (in the caller's transaction)."""
    changed = db.session.execute(
        update(CalendarState).where(CalendarState.id == 1).values(version=CalendarState.version + 1)
    ).rowcount
    if not changed:
        try:
            with db.session.begin_nested():
                db.session.add(CalendarState(id=1, version=1))
        except IntegrityError:  # made by a concurrent first change
            bump_version()


def apply_schedule(event: CalendarEvent, data: dict) -> None:
    """Set times and recurrence from validated ``data``; raises RecurrenceError."""
    # Occurrences are named by their start to the second in URLs: keep whole minutes.
    first, first_end, last_end = recurrence.check_series(
        data["start_at"].replace(second=0, microsecond=0),
        data["end_at"].replace(second=0, microsecond=0),
        data["freq"],
        data.get("interval") or 1,
        data.get("weekdays", ""),
        data.get("count"),
        data.get("until"),
    )
    event.start_at, event.end_at, event.last_end_at = first, first_end, last_end
    event.freq = data["freq"]
    event.interval = data.get("interval") or 1
    event.weekdays = data.get("weekdays", "") if data["freq"] == "weekly" else ""
    event.count = data.get("count") if data["freq"] != "none" else None
    event.until = data.get("until") if data["freq"] != "none" and not event.count else None


SCHEDULE_FIELDS = (
    "start_at",
    "end_at",
    "freq",
    "interval",
    "weekdays",
    "count",
    "until",
    "all_day",
)
PLACE_FIELDS = ("venue",)


def save_event(event: CalendarEvent | None, data: dict, user_id: int | None) -> CalendarEvent:
    """Create or update an event from form ``data``. Raises RecurrenceError. Caller commits."""
    creating = event is None
    if creating:
        event = CalendarEvent(uid=new_uid(), created_by_id=user_id, sequence=0)
    changed_time_or_place = not creating and any(
        getattr(event, name) != data.get(name) for name in SCHEDULE_FIELDS + PLACE_FIELDS
    )
    apply_schedule(event, data)
    for name in (
        "title",
        "description",
        "markdown",
        "category_id",
        "org_unit_id",
        "venue",
        "all_day",
        "capacity",
        "registration_open",
        "members_only",
    ):
        setattr(event, name, data.get(name))
    # Check-in settings: absent from older callers' data, which keep the event's values.
    for name in ("walk_ins", "checkin_opens_before", "checkin_closes_after"):
        if name in data:
            setattr(event, name, data[name])
    event.walk_ins = bool(event.walk_ins)
    if creating:
        event.updated_at = utcnow()
        db.session.add(event)
        db.session.flush()
        bump_version()
    else:
        touch(event, bump=changed_time_or_place)
    refresh_last_end(event)
    return event


def refresh_last_end(event: CalendarEvent) -> None:
    """Keep ``last_end_at`` after every occurrence, moved ones included."""
    last = event.end_at
    if event.is_series:
        starts = recurrence.all_original_starts(event)
        if starts:
            last = starts[-1] + (event.end_at - event.start_at)
    for override in event.overrides:
        if override.end_at and override.end_at > last:
            last = override.end_at
    event.last_end_at = last


def data_version() -> int:
    """Changes whenever any event (or its overrides and pauses) changes: the cache key."""
    return db.session.scalar(select(CalendarState.version).where(CalendarState.id == 1)) or 0


def with_registration_counts(occurrences: list[Occurrence]) -> dict[tuple, int]:
    """Confirmed registrations per (event id, original start), for the listed occurrences."""
    ids = {o.event_id for o in occurrences if o.event_id}
    if not ids:
        return {}
    rows = db.session.execute(
        select(
            CalendarOccurrenceLock.event_id,
            CalendarOccurrenceLock.original_start,
            CalendarOccurrenceLock.confirmed,
        ).where(CalendarOccurrenceLock.event_id.in_(ids))
    )
    return {(e, s): n for e, s, n in rows}


def upcoming_events(
    unit_id: int, start: datetime, end: datetime
) -> list[tuple[str, str, datetime]]:
    """Occurrences of the unit's events (and its sub-units') in [start, end), not cancelled.

    For other plugins linking their rows to a calendar date (a volunteer shift serving a night
    class) without importing the calendar: plain values ``(ref, title, start)`` where ``ref`` is
    ``"<event id>/<occurrence key>"``, the two parts of the ``calendar.occurrence`` URL, and
    ``title`` reads "<local date and time> <title>". Members-only events are included: the
    caller is staff choosing for a shift, not a resident browsing.
    """
    from plugins.calendar.recurrence import local_naive

    found = []
    for event in events_between(start, end, None, unit_prefix_ids(unit_id)):
        for occurrence in recurrence.expand(event, start, end):
            if occurrence.cancelled or occurrence.start < start:
                continue
            label = f"{local_naive(occurrence.start):%Y-%m-%d %H:%M} {occurrence.title}"
            found.append((f"{event.id}/{occurrence.key}", label, occurrence.start))
    return sorted(found, key=lambda row: (row[2], row[0]))


# Series operations live in their own module; re-exported for the calendar's own callers
# (other plugins reach the calendar only through ``hooks.CalendarService``).
from plugins.calendar.series import (  # noqa: E402
    add_pause,
    cancel_event,
    cancel_occurrence,
    edit_occurrence,
    remove_pause,
    restore_event,
    restore_occurrence,
    split_series,
)

__all__ = [
    "Occurrence",
    "RecurrenceError",
    "add_pause",
    "cancel_event",
    "cancel_occurrence",
    "edit_occurrence",
    "plugin_entries",
    "raw_entries",
    "remove_pause",
    "replace",
    "restore_event",
    "restore_occurrence",
    "split_series",
    "versions",
]
