"""Time helpers: store UTC, show Asia/Shanghai (or the configured TIMEZONE)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, tzinfo
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context
from sqlalchemy.types import DateTime, TypeDecorator


def utcnow() -> datetime:
    """The current moment, timezone-aware in UTC."""
    return datetime.now(UTC)


def local_today() -> date:
    """Today's date in the programme's timezone (read through ``utcnow`` so a test that fixes
    the clock fixes today too)."""
    return utcnow().astimezone(local_zone()).date()


def local_zone() -> tzinfo:
    """The programme's timezone (``TIMEZONE`` setting)."""
    name = current_app.config["TIMEZONE"] if has_app_context() else "Asia/Shanghai"
    return ZoneInfo(name)


def to_local(moment: datetime | None) -> datetime | None:
    """Convert an aware datetime to the programme's timezone."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(local_zone())


def from_local(naive: datetime) -> datetime:
    """Read a naive datetime typed into a form as local time; return it in UTC."""
    return naive.replace(tzinfo=local_zone()).astimezone(UTC)


def as_moment(value: date | datetime) -> datetime:
    """An aware instant from a period bound: an aware datetime, a naive local one, or a local
    date (its midnight). Hooks are called with local dates by reports, datetimes by the calendar."""
    if isinstance(value, datetime):
        return value if value.tzinfo else from_local(value)
    return from_local(datetime.combine(value, time.min))


def period_bounds(start: date | datetime, end: date | datetime) -> tuple[datetime, datetime]:
    """[start, end) as aware UTC datetimes (dates are local days; ``end`` is exclusive)."""
    return as_moment(start).astimezone(UTC), as_moment(end).astimezone(UTC)


class UTCDateTime(TypeDecorator):
    """A DateTime column that only accepts aware values, stores UTC and returns aware UTC.

    SQLite has no timezone support, so the conversion is done here for every backend alike.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("UTCDateTime needs a timezone-aware datetime")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)
