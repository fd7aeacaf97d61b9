"""Occurrences of events: the one expansion that pages, registration and feeds all use.

Series are expanded with dateutil's rrule in local wall-clock time (Asia/Shanghai), so a weekly
class stays at 19:30 local time; results are aware UTC datetimes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from dateutil import rrule

from core.timeutil import from_local, local_zone

MAX_OCCURRENCES = 500
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
LATEST = datetime(2100, 12, 31, tzinfo=UTC)
FREQ_CONSTANTS = {"daily": rrule.DAILY, "weekly": rrule.WEEKLY, "monthly": rrule.MONTHLY}
ICAL_FREQ = {"daily": "DAILY", "weekly": "WEEKLY", "monthly": "MONTHLY"}
WEEKDAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


class RecurrenceError(ValueError):
    """A series that cannot be saved; the message is Chinese and meant for the form."""


@dataclass(frozen=True)
class Occurrence:
    """One meeting of an event, or an entry contributed by another plugin."""

    uid: str
    title: str
    start: datetime
    end: datetime
    original_start: datetime
    event_id: int | None = None
    category: str = ""
    category_id: int | None = None
    colour: str = "#555555"
    venue: str = ""
    org_unit_id: int | None = None
    org_unit_name: str = ""
    all_day: bool = False
    cancelled: bool = False
    cancel_reason: str = ""
    url: str = ""
    source: str = "calendar"
    public: bool = True
    capacity: int | None = None
    registration_open: bool = False

    @property
    def css_key(self) -> str:
        """Suffix of its colour classes (``cat-…``, ``dot-…``): the category id, or
        ``c<rrggbb>`` for another plugin's entry in its own colour."""
        if self.category_id:
            return str(self.category_id)
        colour = self.colour or ""
        if re.fullmatch(r"#[0-9a-fA-F]{6}", colour) and colour != "#555555":
            return "c" + colour[1:].lower()
        return "x"

    @property
    def key(self) -> str:
        """The URL form of the occurrence id: original start as UTC compact time."""
        return key_of(self.original_start)


def key_of(original_start: datetime) -> str:
    """``Occurrence.key`` of the occurrence that originally starts at ``original_start``."""
    return original_start.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def parse_key(key: str) -> datetime | None:
    """The original start encoded by ``Occurrence.key``; None when it is malformed."""
    try:
        return datetime.strptime(key, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    except (TypeError, ValueError):
        return None


def local_naive(moment: datetime) -> datetime:
    return moment.astimezone(local_zone()).replace(tzinfo=None)


def weekday_list(weekdays: str) -> list[int]:
    return sorted({int(d) for d in weekdays.split(",") if d.strip().isdigit() and int(d) < 7})


def build_rule(
    start: datetime, freq: str, interval: int, weekdays: str, count: int | None, until: date | None
) -> rrule.rrule:
    """The dateutil rule of a series starting at aware ``start`` (expanded in local time)."""
    kwargs = {"dtstart": local_naive(start), "interval": max(interval, 1)}
    if freq == "weekly":
        days = weekday_list(weekdays) or [local_naive(start).weekday()]
        kwargs["byweekday"] = days
    if count:
        kwargs["count"] = count
    elif until:
        kwargs["until"] = datetime.combine(until, time(23, 59, 59))
    return rrule.rrule(FREQ_CONSTANTS[freq], **kwargs)


def check_series(
    start: datetime,
    end: datetime,
    freq: str,
    interval: int,
    weekdays: str,
    count: int | None,
    until: date | None,
) -> tuple[datetime, datetime, datetime]:
    """Validate a series; return (first start, first end, end of the last occurrence).

    The start is moved to the first date the rule produces (a weekly class on Tuesdays that
    was given a Monday start begins on the Tuesday), as RFC 5545 counts DTSTART as an instance.
    """
    for moment in (start, end):
        if not EARLIEST <= moment <= LATEST:
            raise RecurrenceError("日期必须在 2000 年到 2100 年之间。")
    if end < start:
        raise RecurrenceError("结束时间不能早于开始时间。")
    if freq == "none":
        return start, end, end
    if not 1 <= interval <= 99:
        raise RecurrenceError("间隔必须在 1 到 99 之间。")
    if not count and not until:
        raise RecurrenceError("请填写重复次数或结束日期。")
    if count is not None and count > MAX_OCCURRENCES:
        raise RecurrenceError(f"重复次数太多：一个系列最多 {MAX_OCCURRENCES} 次。")
    if until and not date(2000, 1, 1) <= until <= date(2100, 12, 31):
        raise RecurrenceError("日期必须在 2000 年到 2100 年之间。")
    rule = build_rule(start, freq, interval, weekdays, count, until)
    starts = []
    for moment in rule:
        starts.append(moment)
        if len(starts) > MAX_OCCURRENCES:
            raise RecurrenceError(f"重复次数太多：一个系列最多 {MAX_OCCURRENCES} 次。")
    if not starts:
        raise RecurrenceError("这个重复设置没有产生任何一次活动，请检查日期。")
    duration = end - start
    first = from_local(starts[0])
    last = from_local(starts[-1])
    if last + duration > LATEST:
        raise RecurrenceError("日期必须在 2000 年到 2100 年之间。")
    return first, first + duration, last + duration


def paused(day: date, pauses: Iterable) -> bool:
    return any(p.first_day <= day <= p.last_day for p in pauses)


def original_starts(event, window_start: datetime, window_end: datetime) -> list[datetime]:
    """Original starts (aware UTC) of the event's occurrences starting within the window,
    pauses removed; the window is widened by the event's length so overlaps are kept."""
    duration = event.end_at - event.start_at
    lo, hi = window_start - duration - timedelta(days=1), window_end + timedelta(days=1)
    if event.freq == "none":
        return [event.start_at] if lo <= event.start_at <= hi else []
    rule = build_rule(
        event.start_at, event.freq, event.interval, event.weekdays, event.count, event.until
    )
    found = []
    for naive in rule.between(local_naive(lo), local_naive(hi), inc=True):
        if not paused(naive.date(), event.pauses):
            found.append(from_local(naive))
    return found


def all_original_starts(event) -> list[datetime]:
    """Every occurrence of the event (series are capped, so this stays small)."""
    return original_starts(event, EARLIEST, LATEST)


def expand(
    event, window_start: datetime, window_end: datetime, url_for_occ=None
) -> list[Occurrence]:
    """The event's occurrences overlapping [window_start, window_end), overrides applied."""
    overrides = {o.original_start: o for o in event.overrides}
    duration = event.end_at - event.start_at
    starts = set(original_starts(event, window_start, window_end))
    # A moved occurrence may have come into the window from outside it. Whether its original
    # start belongs to the series needs the whole series: expand it once, only when needed.
    valid: set[datetime] | None = None
    for original, override in overrides.items():
        moved_in = override.start_at and window_start - duration <= override.start_at < window_end
        if not moved_in:
            continue
        if event.freq != "none" and valid is None:
            valid = set(all_original_starts(event))
        if event.freq == "none" or original in valid:
            starts.add(original)
    result = []
    for original in sorted(starts):
        override = overrides.get(original)
        start = override.start_at if override and override.start_at else original
        end = override.end_at if override and override.end_at else start + duration
        if not (start < window_end and end > window_start) and not (
            start == end and window_start <= start < window_end
        ):
            continue
        cancelled = event.cancelled or bool(override and override.cancelled)
        reason = (
            event.cancel_reason if event.cancelled else (override.cancel_reason if override else "")
        )
        occurrence = Occurrence(
            uid=event.uid,
            title=(override.title if override and override.title else event.title),
            start=start,
            end=end,
            original_start=original,
            event_id=event.id,
            category=event.category.name if event.category else "",
            category_id=event.category_id,
            colour=event.category.colour if event.category else "#555555",
            venue=(override.venue if override and override.venue else event.venue),
            org_unit_id=event.org_unit_id,
            org_unit_name=event.org_unit.name if event.org_unit else "",
            all_day=event.all_day,
            cancelled=cancelled,
            cancel_reason=reason,
            public=not event.members_only,
            capacity=event.capacity,
            registration_open=event.registration_open,
        )
        if url_for_occ is not None:
            occurrence = _with_url(occurrence, url_for_occ(occurrence))
        result.append(occurrence)
    return result


def _with_url(occurrence: Occurrence, url: str) -> Occurrence:
    from dataclasses import replace

    return replace(occurrence, url=url)


def find_occurrence(event, original_start: datetime) -> Occurrence | None:
    """The occurrence of ``event`` with this original start, or None if it is not one."""
    for occurrence in expand(
        event, original_start - timedelta(days=1), original_start + timedelta(days=2)
    ):
        if occurrence.original_start == original_start:
            return occurrence
    override = next((o for o in event.overrides if o.original_start == original_start), None)
    if override and override.start_at:
        for occurrence in expand(event, override.start_at, override.start_at + timedelta(days=1)):
            if occurrence.original_start == original_start:
                return occurrence
    return None
