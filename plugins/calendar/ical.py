"""iCalendar (RFC 5545 / RFC 7986) output: feeds and single-event files.

Each event's VEVENTs (series master with RRULE/EXDATE plus RECURRENCE-ID overrides) are
serialised when the event changes and stored (``store.py``); feeds concatenate them.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, time, timedelta

from flask import current_app
from icalendar import Calendar, Event, Timezone, TimezoneStandard, vDuration, vRecur

from core.timeutil import from_local, local_zone, period_bounds
from plugins.calendar import recurrence
from plugins.calendar.recurrence import ICAL_FREQ, WEEKDAY_CODES

PRODID = "-//Xiangxuetong//Calendar 1.0//ZH"
CANCELLED_MARK = "【已取消】"
REFRESH = timedelta(hours=1)
EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


def vtimezone() -> Timezone:
    """Asia/Shanghai: UTC+8 without daylight saving since 1991."""
    tz = Timezone()
    tz.add("TZID", local_zone().key)
    standard = TimezoneStandard()
    standard.add("DTSTART", datetime(1970, 1, 1))
    standard.add("TZOFFSETFROM", timedelta(hours=8))
    standard.add("TZOFFSETTO", timedelta(hours=8))
    standard.add("TZNAME", "CST")
    tz.add_component(standard)
    return tz


def calendar_header(name: str) -> bytes:
    """BEGIN:VCALENDAR with the calendar's properties and VTIMEZONE, without the END line."""
    cal = Calendar()
    cal.add("PRODID", PRODID)
    cal.add("VERSION", "2.0")
    cal.add("CALSCALE", "GREGORIAN")
    cal.add("METHOD", "PUBLISH")
    cal.add("NAME", name)
    cal.add("X-WR-CALNAME", name)
    cal.add("X-WR-TIMEZONE", local_zone().key)
    cal.add("REFRESH-INTERVAL", REFRESH, parameters={"VALUE": "DURATION"})
    cal.add("X-PUBLISHED-TTL", vDuration(REFRESH))
    cal.add_component(vtimezone())
    body = cal.to_ical()
    return body[: body.rindex(b"END:VCALENDAR")]


def wrap(name: str, vevents: list[bytes]) -> bytes:
    return calendar_header(name) + b"".join(vevents) + b"END:VCALENDAR\r\n"


def _when(moment: datetime, all_day: bool):
    local = moment.astimezone(local_zone())
    return local.date() if all_day else local


def _summary(title: str, cancelled: bool) -> str:
    return f"{CANCELLED_MARK}{title}" if cancelled else title


def _common(vevent: Event, uid: str, stamp: datetime, sequence: int) -> None:
    vevent.add("UID", uid)
    vevent.add("DTSTAMP", stamp.astimezone(UTC))
    vevent.add("LAST-MODIFIED", stamp.astimezone(UTC))
    vevent.add("SEQUENCE", sequence)


def build_vevents(event, url: str) -> list[Event]:
    master = Event()
    _common(master, event.uid, event.updated_at, event.sequence)
    master.add("CREATED", event.created_at.astimezone(UTC))
    master.add("SUMMARY", _summary(event.title, event.cancelled))
    master.add("DTSTART", _when(event.start_at, event.all_day))
    master.add("DTEND", _when(event.end_at, event.all_day))
    description = event.description
    if event.cancelled and event.cancel_reason:
        description = f"取消原因：{event.cancel_reason}\n\n{description}"
    master.add("DESCRIPTION", f"{description}\n\n{url}".strip())
    if event.venue:
        master.add("LOCATION", event.venue)
    if event.category:
        master.add("CATEGORIES", [event.category.name])
    master.add("URL", url)
    master.add("STATUS", "CANCELLED" if event.cancelled else "CONFIRMED")
    master.add("TRANSP", "OPAQUE")
    components = [master]
    if event.is_series:
        rule = {"FREQ": ICAL_FREQ[event.freq]}
        if event.interval > 1:
            rule["INTERVAL"] = event.interval
        if event.freq == "weekly":
            days = recurrence.weekday_list(event.weekdays) or [
                recurrence.local_naive(event.start_at).weekday()
            ]
            rule["BYDAY"] = [WEEKDAY_CODES[d] for d in days]
        if event.count:
            rule["COUNT"] = event.count
        elif event.until:
            last = from_local(datetime.combine(event.until, time(23, 59, 59)))
            rule["UNTIL"] = event.until if event.all_day else last
        master.add("RRULE", vRecur(rule))
        exdates = paused_starts(event)
        if exdates:
            master.add("EXDATE", [_when(s, event.all_day) for s in exdates])
        valid = set(recurrence.all_original_starts(event))
        duration = event.end_at - event.start_at
        for override in sorted(event.overrides, key=lambda o: o.original_start):
            if override.original_start not in valid:
                continue
            start = override.start_at or override.original_start
            end = override.end_at or start + duration
            cancelled = event.cancelled or override.cancelled
            child = Event()
            _common(child, event.uid, max(override.updated_at, EPOCH), override.sequence)
            child.add("RECURRENCE-ID", _when(override.original_start, event.all_day))
            child.add("SUMMARY", _summary(override.title or event.title, cancelled))
            child.add("DTSTART", _when(start, event.all_day))
            child.add("DTEND", _when(end, event.all_day))
            note = (
                f"取消原因：{override.cancel_reason}\n\n"
                if override.cancelled and override.cancel_reason
                else ""
            )
            child.add("DESCRIPTION", f"{note}{event.description}\n\n{url}".strip())
            if override.venue or event.venue:
                child.add("LOCATION", override.venue or event.venue)
            child.add("URL", url)
            child.add("STATUS", "CANCELLED" if cancelled else "CONFIRMED")
            components.append(child)
    return components


def occurrence_uid(event, original_start: datetime) -> str:
    """The UID of one date of an event downloaded or fed on its own.

    It differs from the series UID on purpose: a standalone VEVENT carrying the series UID
    would, on a phone that never subscribed to the series, either replace the whole series
    entry or be merged into one it does not hold (RFC 5545 treats one UID as one calendar
    component). Keyed by the event id and the occurrence's *original* start, so it stays
    stable when that date is moved or edited and SEQUENCE carries the change.
    """
    moment = original_start.astimezone(UTC).strftime("%Y%m%dT%H%MZ")
    return f"calendar-{event.id}-{moment}@xiangxuetong"


def occurrence_vevent(event, occurrence, url: str) -> bytes:
    """One occurrence of a series as a standalone VEVENT (no RRULE, no RECURRENCE-ID).

    SEQUENCE is the series' plus the override's: either rises on a change of time, place or
    status, so the sum rises too; the stamps are the later of the two modification times.
    """
    override = next(
        (o for o in event.overrides if o.original_start == occurrence.original_start), None
    )
    sequence = event.sequence + (override.sequence if override else 0)
    stamp = max(event.updated_at, override.updated_at if override else EPOCH, EPOCH)
    vevent = Event()
    _common(vevent, occurrence_uid(event, occurrence.original_start), stamp, sequence)
    vevent.add("SUMMARY", _summary(occurrence.title, occurrence.cancelled))
    vevent.add("DTSTART", _when(occurrence.start, event.all_day))
    vevent.add("DTEND", _when(occurrence.end, event.all_day))
    note = f"取消原因：{occurrence.cancel_reason}\n\n" if occurrence.cancel_reason else ""
    vevent.add("DESCRIPTION", f"{note}{event.description}\n\n{url}".strip())
    if occurrence.venue:
        vevent.add("LOCATION", occurrence.venue)
    if event.category:
        vevent.add("CATEGORIES", [event.category.name])
    vevent.add("URL", url)
    vevent.add("STATUS", "CANCELLED" if occurrence.cancelled else "CONFIRMED")
    vevent.add("TRANSP", "OPAQUE")
    return vevent.to_ical()


def paused_starts(event) -> list[datetime]:
    """Original starts that a pause removed: written as EXDATE."""
    if not event.pauses:
        return []
    rule = recurrence.build_rule(
        event.start_at, event.freq, event.interval, event.weekdays, event.count, event.until
    )
    return [from_local(naive) for naive in rule if recurrence.paused(naive.date(), event.pauses)]


def entry_vevent(entry, site_url: str) -> bytes:
    """A VEVENT for another plugin's ``CalendarEntry``."""
    vevent = Event()
    stamp = entry.last_modified or EPOCH
    _common(vevent, entry.uid, stamp, entry.sequence)
    vevent.add("SUMMARY", _summary(entry.title, entry.cancelled))
    vevent.add("DTSTART", _when(entry.start, entry.all_day))
    vevent.add("DTEND", _when(entry.end, entry.all_day))
    url = entry.url if entry.url.startswith("http") else site_url + entry.url if entry.url else ""
    if entry.description or url:
        vevent.add("DESCRIPTION", f"{entry.description}\n\n{url}".strip())
    if entry.location:
        vevent.add("LOCATION", entry.location)
    if entry.category_label or entry.category:
        # The label people read (志愿服务), never the plugin's key (volunteers).
        vevent.add("CATEGORIES", [entry.category_label or entry.category])
    if url:
        vevent.add("URL", url)
    vevent.add("STATUS", "CANCELLED" if entry.cancelled else "CONFIRMED")
    return vevent.to_ical()


def feed_window(now: datetime) -> tuple[datetime, datetime]:
    """The dates a feed covers: CALENDAR_FEED_DAYS_BACK before today to DAYS_AHEAD after."""
    config = current_app.config
    today = now.astimezone(local_zone()).date()
    return period_bounds(
        today - timedelta(days=config.get("CALENDAR_FEED_DAYS_BACK", 90)),
        today + timedelta(days=config.get("CALENDAR_FEED_DAYS_AHEAD", 365)),
    )


def etag_of(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
