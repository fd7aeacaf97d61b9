"""A person's free time: weekly slots and blackout days, one set per person.

Lecturer suggestions and volunteer matching both read it, for many people at once: every
reader here takes a collection of user ids and runs one query, never one per person. Times
are local (the site's time zone); ``is_free`` takes aware instants and converts them.

A person with no weekly slot is free at no time (``is_free`` is False); readers that treat an
empty week as "not stated" check ``weekly`` themselves.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime, time
from typing import NamedTuple

from sqlalchemy import delete, select

from core.extensions import db
from core.models import Availability, Blackout
from core.timeutil import local_today, to_local


class Slot(NamedTuple):
    """A weekly window: weekday 0 (Monday) … 6, local start and end times."""

    weekday: int
    start: time
    end: time


def weekly(
    user_ids: Iterable[int] | None, weekdays: Iterable[int] | None = None
) -> dict[int, list[Slot]]:
    """user id → weekly slots, by weekday and start (``None``: everyone; ``weekdays`` filters)."""
    query = select(
        Availability.user_id, Availability.weekday, Availability.start_time, Availability.end_time
    ).order_by(Availability.user_id, Availability.weekday, Availability.start_time)
    if user_ids is not None:
        ids = set(user_ids)
        if not ids:
            return {}
        query = query.where(Availability.user_id.in_(ids))
    if weekdays is not None:
        query = query.where(Availability.weekday.in_(set(weekdays)))
    found: dict[int, list[Slot]] = defaultdict(list)
    for user_id, weekday, start, end in db.session.execute(query):
        found[user_id].append(Slot(weekday, start, end))
    return dict(found)


def blackout_days(
    user_ids: Iterable[int] | None, start: date | None = None, end: date | None = None
) -> dict[int, set[date]]:
    """user id → blackout days in [start, end] (both inclusive, either open; ``None``: everyone)."""
    query = select(Blackout.user_id, Blackout.day)
    if user_ids is not None:
        ids = set(user_ids)
        if not ids:
            return {}
        query = query.where(Blackout.user_id.in_(ids))
    if start is not None:
        query = query.where(Blackout.day >= start)
    if end is not None:
        query = query.where(Blackout.day <= end)
    found: dict[int, set[date]] = defaultdict(set)
    for user_id, day in db.session.execute(query):
        found[user_id].add(day)
    return dict(found)


def fits(slots: Iterable[Slot], days_off: Iterable[date], start: datetime, end: datetime) -> bool:
    """Is the local span [start, end) inside one weekly slot and not on a blackout day?

    A span may end at midnight of the next day; longer spans fit no weekly slot.
    """
    if start.date() != end.date() and not (end.time() == time(0) and (end - start).days < 1):
        return False
    if start.date() in set(days_off):
        return False
    first, last = start.time(), end.time()
    return any(
        slot.weekday == start.weekday()
        and slot.start <= first
        and (last <= slot.end if last != time(0) else slot.end == time(0))
        for slot in slots
    )


def is_free(user_id: int, starts_at: datetime, ends_at: datetime) -> bool:
    """Is the person free from ``starts_at`` to ``ends_at`` (aware instants)? Two queries."""
    start, end = to_local(starts_at), to_local(ends_at)
    slots = weekly([user_id], [start.weekday()]).get(user_id, [])
    days_off = blackout_days([user_id], start.date(), start.date()).get(user_id, set())
    return fits(slots, days_off, start.replace(tzinfo=None), end.replace(tzinfo=None))


def overlapping(slots: Iterable[Slot], weekday: int, start: time, end: time) -> Slot | None:
    """The first of ``slots`` sharing time with (weekday, start, end), or None."""
    for slot in slots:
        if slot.weekday == weekday and slot.start < end and start < slot.end:
            return slot
    return None


class Summary(NamedTuple):
    """What a profile page shows of a person's free time (``availability/_summary.html``)."""

    slots: list[Slot]
    days: list[date]  # blackout days from today on


def summary(user_id: int) -> Summary:
    """The person's weekly slots and coming blackout days, for a profile page."""
    days = blackout_days([user_id], local_today()).get(user_id, set())
    return Summary(weekly([user_id]).get(user_id, []), sorted(days))


def slot_rows(user_id: int) -> list[Availability]:
    """The person's weekly slots as rows (with ids, for the page's delete buttons)."""
    return list(
        db.session.scalars(
            select(Availability)
            .where(Availability.user_id == user_id)
            .order_by(Availability.weekday, Availability.start_time)
        )
    )


def blackout_rows(user_id: int, since: date | None = None) -> list[Blackout]:
    """The person's blackout days as rows, oldest first (from ``since`` when given)."""
    query = select(Blackout).where(Blackout.user_id == user_id).order_by(Blackout.day)
    if since is not None:
        query = query.where(Blackout.day >= since)
    return list(db.session.scalars(query))


def add_slot(user_id: int, weekday: int, start: time, end: time) -> Availability:
    """Add one weekly slot, or return the identical one already there (caller commits).

    Order and overlaps are the form's to check (``SlotForm``).
    """
    row = db.session.scalar(
        select(Availability).where(
            Availability.user_id == user_id,
            Availability.weekday == weekday,
            Availability.start_time == start,
            Availability.end_time == end,
        )
    )
    if row is None:
        row = Availability(user_id=user_id, weekday=weekday, start_time=start, end_time=end)
        db.session.add(row)
    return row


def set_weekly(user_id: int, slots: Iterable[tuple[int, time, time]]) -> None:
    """Replace the person's weekly slots with ``slots`` (duplicates dropped; caller commits)."""
    db.session.execute(delete(Availability).where(Availability.user_id == user_id))
    for weekday, start, end in sorted(set(slots)):
        db.session.add(
            Availability(user_id=user_id, weekday=weekday, start_time=start, end_time=end)
        )


def remove_slot(user_id: int, slot_id: int) -> bool:
    """Delete the person's slot ``slot_id``; False when it is not theirs (or gone)."""
    row = db.session.get(Availability, slot_id)
    if row is None or row.user_id != user_id:
        return False
    db.session.delete(row)
    return True


def add_blackout(user_id: int, day: date, note: str = "") -> Blackout | None:
    """Mark ``day`` as a blackout; None when it already was (caller commits)."""
    exists = db.session.scalar(
        select(Blackout.id).where(Blackout.user_id == user_id, Blackout.day == day)
    )
    if exists is not None:
        return None
    row = Blackout(user_id=user_id, day=day, note=note or "")
    db.session.add(row)
    return row


def remove_blackout(user_id: int, blackout_id: int) -> bool:
    """Delete the person's blackout ``blackout_id``; False when it is not theirs (or gone)."""
    row = db.session.get(Blackout, blackout_id)
    if row is None or row.user_id != user_id:
        return False
    db.session.delete(row)
    return True
