"""Each event's rendered VEVENTs, kept in ``calendar_vevent`` so feeds are concatenations.

Rendering with icalendar costs about a millisecond per event; doing it for every event on the
first feed request after a start or a worker recycle made that request as slow as building the
feed from nothing. The bytes are written in the transaction that changes the event
(``tracking.py``); a row whose stamp or render key does not match (bulk inserts, a new site URL,
a new renderer) is rendered again when a feed meets it and stored for the next one.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime

from flask import current_app, has_request_context, request
from sqlalchemy import and_, case, exists, func, or_, select
from sqlalchemy.exc import IntegrityError

from core.extensions import db
from plugins.calendar import ical, recurrence
from plugins.calendar.models import (
    CalendarEvent,
    CalendarOccurrenceOverride,
    CalendarPause,
    CalendarVevent,
)

#: Raise when ``ical.build_vevents`` changes its output: every stored row is rendered again.
RENDERER = "1"
#: Rows read per query when a feed is assembled, and rendered per commit when repairing.
READ_BATCH = 1000
REPAIR_BATCH = 500


def site_url() -> str:
    return current_app.config["SITE_URL"].rstrip("/")


def render_key() -> str:
    return f"{RENDERER}|{site_url()}"


def event_url(event_id: int) -> str:
    """The event page's absolute URL, also outside a request (commits from the CLI)."""
    script = request.script_root if has_request_context() else ""
    adapter = current_app.url_map.bind("localhost", script_name=script or "/")
    return site_url() + adapter.build("calendar.event", {"event_id": event_id})


def render(event: CalendarEvent) -> bytes:
    return b"".join(c.to_ical() for c in ical.build_vevents(event, event_url(event.id)))


def save(events: list[CalendarEvent], rendered: dict[int, bytes] | None = None) -> None:
    """Render (unless ``rendered`` has them) and upsert the rows of ``events`` (in the caller's
    transaction)."""
    if not events:
        return
    key = render_key()
    rendered = rendered or {}
    rows = [
        {
            "event_id": e.id,
            "stamp": e.updated_at,
            "render_key": key,
            "body": rendered.get(e.id) or render(e),
        }
        for e in events
    ]
    dialect = db.engine.dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    statement = insert(CalendarVevent)
    statement = statement.on_conflict_do_update(
        index_elements=["event_id"],
        set_={
            "stamp": statement.excluded.stamp,
            "render_key": statement.excluded.render_key,
            "body": statement.excluded.body,
        },
    )
    db.session.execute(statement, rows)


def body_of(event: CalendarEvent) -> bytes:
    """One event's stored VEVENTs, or freshly rendered when the row is missing or stale."""
    row = db.session.get(CalendarVevent, event.id)
    if row and row.stamp == event.updated_at and row.render_key == render_key():
        return row.body
    return render(event)


#: The longest time between two dates of a series, per unit of its interval (a monthly series
#: on the 31st skips short months).
_GAP_DAYS = {"daily": 1, "weekly": 7, "monthly": 62}


@dataclass
class Selection:
    """The events of a feed, by id, without their bytes: a feed of 50,000 events is read in
    batches (``iter_bodies``) instead of held whole in a worker's memory."""

    ids: list[int]
    latest: datetime
    #: bytes rendered for rows that could not be stored (an event deleted meanwhile)
    rendered: dict[int, bytes] = field(default_factory=dict)


def select_events(conditions: list, start: datetime, end: datetime) -> Selection:
    """The events matching ``conditions`` that have an occurrence in [start, end), and the
    latest modification among them; stale or missing rows are rendered and stored first.

    Two queries read ids and flags; one-off events are checked against the window in SQL, and a
    series by its span when it has no moved, cancelled or paused date and no gap between dates
    as long as the window. Only the remaining series are loaded and expanded.
    """
    key = render_key()
    exceptions = or_(
        exists().where(CalendarOccurrenceOverride.event_id == CalendarEvent.id),
        exists().where(CalendarPause.event_id == CalendarEvent.id),
    )
    single = CalendarEvent.freq == "none"
    in_window = or_(
        and_(CalendarEvent.start_at < end, CalendarEvent.end_at > start),
        and_(
            CalendarEvent.start_at == CalendarEvent.end_at,
            CalendarEvent.start_at >= start,
            CalendarEvent.start_at < end,
        ),
    )
    fresh = and_(CalendarVevent.stamp == CalendarEvent.updated_at, CalendarVevent.render_key == key)
    matching = (and_(*conditions), or_(~single, in_window))
    # The latest change in its own query: as a window column it cost a datetime per row.
    latest = db.session.scalar(select(func.max(CalendarEvent.updated_at)).where(*matching))
    fresh_flag = case((fresh, True), else_=False).label("fresh")
    stored = (CalendarVevent, CalendarVevent.event_id == CalendarEvent.id)
    # One-off events need only their id and whether their bytes are fresh: two columns, not
    # seven, for the bulk of a big calendar.
    singles = db.session.execute(
        select(CalendarEvent.id, fresh_flag).outerjoin(*stored).where(*matching, single)
    ).all()
    series = db.session.execute(
        select(
            CalendarEvent.id,
            CalendarEvent.freq,
            CalendarEvent.interval,
            exceptions.label("exceptions"),
            CalendarEvent.start_at.label("first_start"),
            CalendarEvent.last_end_at.label("last_end"),
            fresh_flag,
        )
        .outerjoin(*stored)
        .where(*matching, ~single)
    ).all()
    window_days = (end - start).days
    doubtful = [
        row.id
        for row in series
        if row.exceptions
        or _GAP_DAYS.get(row.freq, 62) * row.interval >= window_days
        or not (row.first_start < end and row.last_end > start)
    ]
    outside: set[int] = set()
    if doubtful:
        loaded = db.session.scalars(select(CalendarEvent).where(CalendarEvent.id.in_(doubtful)))
        outside = {e.id for e in loaded if not recurrence.expand(e, start, end)}
    rows = [*singles, *(row for row in series if row.id not in outside)]
    selection = Selection(sorted(row.id for row in rows), latest or ical.EPOCH)
    stale = [row.id for row in rows if not row.fresh]
    for first in range(0, len(stale), REPAIR_BATCH):
        selection.rendered.update(_repair(stale[first : first + REPAIR_BATCH]))
    return selection


def iter_bodies(selection: Selection, batch: int = READ_BATCH) -> Iterator[bytes]:
    """The stored VEVENT bytes of ``selection``, by event id, one batch of rows per chunk."""
    for first in range(0, len(selection.ids), batch):
        chunk = selection.ids[first : first + batch]
        stored = dict(
            db.session.execute(
                select(CalendarVevent.event_id, CalendarVevent.body).where(
                    CalendarVevent.event_id.in_(chunk)
                )
            ).all()
        )
        yield b"".join(
            stored.get(event_id) or selection.rendered.get(event_id, b"") for event_id in chunk
        )


def bodies(conditions: list, start: datetime, end: datetime) -> tuple[list[bytes], datetime]:
    """The stored VEVENT bytes of the matching events in the window, and the latest change
    (for small feeds: a person's own events)."""
    selection = select_events(conditions, start, end)
    return list(iter_bodies(selection)), selection.latest


def _repair(event_ids: list[int]) -> dict[int, bytes]:
    """Render rows that were missing or stale and store them; returns only what could not be
    stored (it is read back from the table with the rest)."""
    events = list(db.session.scalars(select(CalendarEvent).where(CalendarEvent.id.in_(event_ids))))
    rendered = {e.id: render(e) for e in events}
    try:
        with db.session.begin_nested():
            save(events, rendered)
        db.session.commit()
    except IntegrityError:  # an event deleted meanwhile: serve what was rendered
        db.session.rollback()
        current_app.logger.warning("calendar: stored VEVENTs not saved; served as rendered")
        return rendered
    return {}


def render_missing(batch: int = 500) -> int:
    """Render and store every event whose row is missing or stale (after the upgrade that
    added the table, a bulk import or a new ``SITE_URL``); commits per batch; returns how many."""
    key = render_key()
    stale = select(CalendarEvent.id).outerjoin(
        CalendarVevent, CalendarVevent.event_id == CalendarEvent.id
    )
    stale = stale.where(
        (CalendarVevent.event_id.is_(None))
        | (CalendarVevent.stamp != CalendarEvent.updated_at)
        | (CalendarVevent.render_key != key)
    )
    ids = list(db.session.scalars(stale.order_by(CalendarEvent.id)))
    for first in range(0, len(ids), batch):
        chunk = ids[first : first + batch]
        save(list(db.session.scalars(select(CalendarEvent).where(CalendarEvent.id.in_(chunk)))))
        db.session.commit()
        db.session.expunge_all()
    return len(ids)
