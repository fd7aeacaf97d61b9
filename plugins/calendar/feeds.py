"""Building feed bodies (public, by category/village, private per person) with caching."""

from __future__ import annotations

import hashlib
import itertools
import secrets
from collections.abc import Iterator
from datetime import datetime

from flask import current_app, url_for
from sqlalchemy import func, select

from core.extensions import db
from core.models import OrgUnit, User
from core.timeutil import utcnow
from plugins.calendar import ical, recurrence, services, store, tracking
from plugins.calendar.cache import feed_cache
from plugins.calendar.entries import entry_callers, raw_entries, undeclared_sources
from plugins.calendar.models import (
    CalendarCategory,
    CalendarEvent,
    CalendarFeedToken,
    CalendarRegistration,
)


class Feed:
    """A feed: its body bytes, or for a feed too big to keep (``chunks``) an iterator of them
    read from the stored rows as it is sent, with the feed's ETag and Last-Modified."""

    __slots__ = ("body", "chunks", "etag", "last_modified")

    def __init__(
        self,
        body: bytes,
        last_modified: datetime,
        etag: str | None = None,
        chunks: Iterator[bytes] | None = None,
    ) -> None:
        self.body = body
        self.chunks = chunks
        self.etag = etag or ical.etag_of(body)
        self.last_modified = last_modified


def _site() -> str:
    return current_app.config["SITE_URL"].rstrip("/")


def _entries_signature(entries) -> str:
    return repr(
        sorted((e.uid, e.sequence, str(e.last_modified), e.start, e.cancelled) for e in entries)
    )


def _entry_vevents(entries) -> list[bytes]:
    return [ical.entry_vevent(e, _site()) for e in sorted(entries, key=lambda e: e.uid)]


def public_etag(category_id: int | None, village_id: int | None) -> str:
    """The public feed's ETag, from the versions alone (no feed work): the 304 answer.

    Only sources that declare their tables are in the versions; while a plugin declares
    nothing, its entries' signature is part of the tag (its query runs, as before).
    """
    start, end = ical.feed_window(utcnow())
    undeclared = ""
    if undeclared_sources():
        undeclared = _entries_signature(raw_entries(start, end, None, False, undeclared_only=True))
    versions = tracking.versions()
    key = repr(("public", category_id, village_id, start, versions, store.render_key(), undeclared))
    return '"' + hashlib.sha256(key.encode()).hexdigest()[:32] + '"'


def private_etag(user: User) -> str | None:
    """The private feed's ETag from versions alone (no plugin query), or None while a plugin
    with calendar entries has not declared its personal tables (``calendar_personal_tables``).

    The person's version rises with their registrations, assignments and attempts; the
    sources' versions with everything public the feed shows.
    """
    if not _personal_declared():
        return None
    start, _end = ical.feed_window(utcnow())
    key = repr(
        (
            "private",
            user.id,
            user.display_name,
            start,
            tracking.versions(),
            tracking.person_version(user.id),
            store.render_key(),
        )
    )
    return '"' + hashlib.sha256(key.encode()).hexdigest()[:32] + '"'


def _personal_declared() -> bool:
    declared = tracking.personal_declared()
    return "calendar" in declared and all(name in declared for name in entry_callers())


def public_feed(category_id: int | None, village_id: int | None) -> Feed | None:
    """All public events in the window, optionally of one category and/or one village.

    Events' VEVENTs come stored (``store.py``); the feed is their concatenation with the
    other plugins' entries, kept in the shared cache under its ETag.
    """
    category = db.session.get(CalendarCategory, category_id) if category_id else None
    village = db.session.get(OrgUnit, village_id) if village_id else None
    if (category_id and category is None) or (village_id and village is None):
        return None
    etag = public_etag(category_id, village_id)
    # One body per filter, replaced when the data changes: a worker keeps no old feeds (at
    # 50,000 events each is 23 MiB).
    key = f"calendar:feed:public:{category_id}:{village_id}"
    cached = feed_cache().get(key)
    if cached is not None and cached.etag == etag:
        return cached
    start, end = ical.feed_window(utcnow())
    unit_ids = services.unit_prefix_ids(village_id) if village else None
    found = [
        e
        for e in services.raw_entries(start, end, None, personal=False)
        if (unit_ids is None or e.org_unit_id in unit_ids)
        and (category is None or e.category == category.name)
    ]
    conditions = services.window_conditions(
        start, end, [category_id] if category else None, unit_ids, members_only=False
    )
    selection = store.select_events(conditions, start, end)
    name = "乡学通活动日历"
    if village:
        name += f" · {village.name}"
    if category:
        name += f" · {category.name}"
    header = ical.calendar_header(name)
    tail = b"".join(_entry_vevents(found)) + b"END:VCALENDAR\r\n"
    stamps = [selection.latest] + [x.last_modified for x in found if x.last_modified]
    if len(selection.ids) > current_app.config["CALENDAR_FEED_CACHE_EVENTS"]:
        # Too big to keep in every worker: sent in batches straight from the stored rows, so
        # a worker's memory stays flat however many events there are.
        feed_cache().delete(key)
        chunks = itertools.chain((header,), store.iter_bodies(selection), (tail,))
        return Feed(b"", max(stamps), etag, chunks=chunks)
    feed = Feed(header + b"".join(store.iter_bodies(selection)) + tail, max(stamps), etag)
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
    etag = private_etag(user)
    key = f"calendar:feed:private:{user.id}"
    cached = feed_cache().get(key)
    if etag is not None and cached is not None and cached.etag == etag:
        return cached
    entries = services.raw_entries(start, end, user, personal=True)
    reg_version = db.session.execute(
        select(
            func.max(CalendarRegistration.updated_at), func.count(CalendarRegistration.id)
        ).where(CalendarRegistration.user_id == user.id)
    ).one()
    if etag is None:  # an undeclared plugin: the entries themselves are the key
        key += ":" + repr(
            (start, tracking.versions(), tuple(reg_version), _entries_signature(entries))
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
    singles, latest = store.bodies(
        [CalendarEvent.id.in_(list(wanted)), CalendarEvent.freq == "none"], start, end
    )
    stamps = [latest, reg_version[0] or ical.EPOCH]
    stamps += [x.last_modified for x in entries if x.last_modified]
    name = f"乡学通 · {user.display_name}的活动"
    feed = Feed(ical.wrap(name, singles + _entry_vevents(entries)), max(stamps), etag)
    series = db.session.scalars(
        select(CalendarEvent).where(
            CalendarEvent.id.in_(list(wanted)), CalendarEvent.freq != "none"
        )
    )
    dated = []
    for event in sorted(series, key=lambda e: e.id):
        for original in sorted(wanted[event.id]):
            occurrence = recurrence.find_occurrence(event, original)
            if occurrence and occurrence.start < end and occurrence.end > start:
                dated.append(_occurrence_vevent(event, occurrence))
    if dated:
        body = feed.body[: feed.body.rindex(b"END:VCALENDAR")] + b"".join(dated)
        feed = Feed(body + b"END:VCALENDAR\r\n", feed.last_modified, etag)
    feed_cache().set(key, feed)
    return feed


def _occurrence_vevent(event: CalendarEvent, occurrence) -> bytes:
    url = _site() + url_for("calendar.occurrence", event_id=event.id, key=occurrence.key)
    return ical.occurrence_vevent(event, occurrence, url)


def single_event(event: CalendarEvent) -> Feed:
    """One event (with its series and overrides) for "add the whole series"."""
    return Feed(ical.wrap(event.title, [store.body_of(event)]), event.updated_at)


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
