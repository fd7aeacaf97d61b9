"""Building feed bodies (public, by category/village, private per person) with caching."""

from __future__ import annotations

import secrets
from datetime import datetime

from flask import current_app, url_for
from sqlalchemy import func, select

from core.extensions import db
from core.models import OrgUnit, User
from core.timeutil import utcnow
from plugins.calendar import ical, recurrence, services
from plugins.calendar.cache import feed_cache
from plugins.calendar.models import (
    CalendarCategory,
    CalendarEvent,
    CalendarFeedToken,
    CalendarRegistration,
)


class Feed:
    """A built feed: body bytes with their ETag and Last-Modified."""

    __slots__ = ("body", "etag", "last_modified")

    def __init__(self, body: bytes, last_modified: datetime) -> None:
        self.body = body
        self.etag = ical.etag_of(body)
        self.last_modified = last_modified


def _site() -> str:
    return current_app.config["SITE_URL"].rstrip("/")


def _event_link(event: CalendarEvent) -> str:
    return url_for("calendar.event", event_id=event.id)


def _entries_signature(entries) -> str:
    return repr(
        sorted((e.uid, e.sequence, str(e.last_modified), e.start, e.cancelled) for e in entries)
    )


def _in_window(event: CalendarEvent, start: datetime, end: datetime) -> bool:
    return bool(recurrence.expand(event, start, end))


def _build(name: str, events, entries, latest: datetime | None) -> Feed:
    site = _site()
    vevents = [
        ical.event_vevents(e, site, _event_link(e)) for e in sorted(events, key=lambda e: e.id)
    ]
    vevents += [ical.entry_vevent(entry, site) for entry in sorted(entries, key=lambda e: e.uid)]
    stamps = [e.updated_at for e in events] + [x.last_modified for x in entries if x.last_modified]
    if latest:
        stamps.append(latest)
    return Feed(ical.wrap(name, vevents), max(stamps) if stamps else ical.EPOCH)


def public_feed(category_id: int | None, village_id: int | None) -> Feed | None:
    """All public events in the window, optionally of one category and/or one village."""
    category = db.session.get(CalendarCategory, category_id) if category_id else None
    village = db.session.get(OrgUnit, village_id) if village_id else None
    if (category_id and category is None) or (village_id and village is None):
        return None
    start, end = ical.feed_window(utcnow())
    unit_ids = services.unit_prefix_ids(village_id) if village else None
    entries = [
        e
        for e in services.raw_entries(start, end, None, personal=False)
        if (unit_ids is None or e.org_unit_id in unit_ids)
        and (category is None or e.category == category.name)
    ]
    key = "calendar:feed:public:" + repr(
        (category_id, village_id, start, services.data_version(), _entries_signature(entries))
    )
    cached = feed_cache().get(key)
    if cached is not None:
        return cached
    events = [
        e
        for e in services.events_between(
            start, end, [category_id] if category else None, unit_ids, members_only=False
        )
        if _in_window(e, start, end)
    ]
    name = "乡学通活动日历"
    if village:
        name += f" · {village.name}"
    if category:
        name += f" · {category.name}"
    feed = _build(name, events, entries, None)
    feed_cache().set(key, feed)
    return feed


def private_feed(user: User) -> Feed:
    """What ``user`` registered for, plus other plugins' personal entries.

    A single event is written as in every feed (same UID). For a series only the dates the
    person registered for are written, each as a standalone VEVENT with its per-occurrence
    UID (``ical.occurrence_uid``): one date of a weekly class must not bring the whole
    series into their phone.
    """
    start, end = ical.feed_window(utcnow())
    entries = services.raw_entries(start, end, user, personal=True)
    reg_version = db.session.execute(
        select(
            func.max(CalendarRegistration.updated_at), func.count(CalendarRegistration.id)
        ).where(CalendarRegistration.user_id == user.id)
    ).one()
    key = "calendar:feed:private:" + repr(
        (user.id, start, services.data_version(), tuple(reg_version), _entries_signature(entries))
    )
    cached = feed_cache().get(key)
    if cached is not None:
        return cached
    rows = db.session.execute(
        select(CalendarRegistration.event_id, CalendarRegistration.original_start).where(
            CalendarRegistration.user_id == user.id, CalendarRegistration.status != "cancelled"
        )
    ).all()
    wanted: dict[int, set[datetime]] = {}
    for event_id, original in rows:
        wanted.setdefault(event_id, set()).add(original)
    events = db.session.scalars(select(CalendarEvent).where(CalendarEvent.id.in_(wanted))).all()
    singles = [e for e in events if not e.is_series and _in_window(e, start, end)]
    feed = _build(f"乡学通 · {user.display_name}的活动", singles, entries, reg_version[0])
    dated = []
    for event in sorted((e for e in events if e.is_series), key=lambda e: e.id):
        for original in sorted(wanted[event.id]):
            occurrence = recurrence.find_occurrence(event, original)
            if occurrence and occurrence.start < end and occurrence.end > start:
                dated.append(_occurrence_vevent(event, occurrence))
    if dated:
        body = feed.body[: feed.body.rindex(b"END:VCALENDAR")] + b"".join(dated)
        feed = Feed(body + b"END:VCALENDAR\r\n", feed.last_modified)
    feed_cache().set(key, feed)
    return feed


def _occurrence_vevent(event: CalendarEvent, occurrence) -> bytes:
    url = _site() + url_for("calendar.occurrence", event_id=event.id, key=occurrence.key)
    return ical.occurrence_vevent(event, occurrence, url)


def single_event(event: CalendarEvent) -> Feed:
    """One event (with its series and overrides) for "add the whole series"."""
    site = _site()
    body = ical.wrap(event.title, [ical.event_vevents(event, site, _event_link(event))])
    return Feed(body, event.updated_at)


def single_occurrence(event: CalendarEvent, occurrence) -> Feed:
    """One date of a series for "add this one to my phone calendar" (see ``occurrence_uid``).

    A one-off event has a single date already: it keeps the UID every feed uses.
    """
    if not event.is_series:
        return single_event(event)
    override = next(
        (o for o in event.overrides if o.original_start == occurrence.original_start), None
    )
    stamp = max(event.updated_at, override.updated_at if override else ical.EPOCH)
    body = ical.wrap(occurrence.title, [_occurrence_vevent(event, occurrence)])
    return Feed(body, stamp)


def token_for(user_id: int) -> CalendarFeedToken | None:
    """The person's private feed secret, if they made one."""
    return db.session.scalar(select(CalendarFeedToken).where(CalendarFeedToken.user_id == user_id))


def new_token(user_id: int) -> CalendarFeedToken:
    """A new private feed secret for the person; the old link stops working at once. Commits."""
    row = token_for(user_id)
    if row is None:
        row = CalendarFeedToken(user_id=user_id)
        db.session.add(row)
    row.token = secrets.token_urlsafe(24)
    db.session.commit()
    return row


def drop_token(user_id: int) -> None:
    """Stop the person's private feed link working (a lost phone). Commits."""
    row = token_for(user_id)
    if row is not None:
        db.session.delete(row)
        db.session.commit()
