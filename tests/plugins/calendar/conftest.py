"""Helpers for the calendar tests: categories, events made through the service layer."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from icalendar import Calendar

from core.extensions import db as _db
from core.timeutil import local_zone, utcnow


def local(day, hour=19, minute=30) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=local_zone())


def next_weekday(weekday: int, weeks_ahead: int = 1):
    today = utcnow().astimezone(local_zone()).date()
    return today + timedelta(days=(weekday - today.weekday()) % 7 + 7 * weeks_ahead)


def parse(body: bytes) -> Calendar:
    """Parse a feed strictly: any component icalendar had to repair fails the test."""
    calendar = Calendar.from_ical(body)
    for component in calendar.walk():
        assert not component.errors, component.errors
    return calendar


def event_fields(category_id: int, org_unit_id: int, start_at: datetime, **fields) -> dict:
    """Everything ``services.save_event`` reads, for a single two-hour event; override any."""
    data = {
        "title": "干部夜校",
        "description": "",
        "markdown": False,
        "category_id": category_id,
        "org_unit_id": org_unit_id,
        "venue": "学习中心",
        "all_day": False,
        "start_at": start_at,
        "end_at": start_at + timedelta(hours=2),
        "freq": "none",
        "interval": 1,
        "weekdays": "",
        "count": None,
        "until": None,
        "capacity": None,
        "registration_open": True,
        "members_only": False,
    }
    data.update(fields)
    return data


def running_now(minutes_ago: int = 30, hours: int = 2) -> dict:
    """``make_event(**running_now())``: an occurrence that began ``minutes_ago`` minutes ago,
    so its check-in window is open now."""
    start = utcnow() - timedelta(minutes=minutes_ago)
    return {"start_at": start, "end_at": start + timedelta(hours=hours)}


@pytest.fixture
def make_event(app, town):
    """``make_event(**fields)`` → event id; defaults: a single class in village A next week."""

    def factory(**fields) -> int:
        from plugins.calendar import services

        with app.app_context():
            cats = {c.name: c.id for c in services.ensure_categories()}
            day = fields.pop("day", next_weekday(1))
            category_id = cats[fields.pop("category", "干部夜校")]
            data = event_fields(
                category_id,
                fields.pop("org_unit_id", town.village_a_id),
                fields.pop("start_at", local(day)),
                **{"venue": "甲村学习中心", "end_at": local(day, 21, 0), **fields},
            )
            event = services.save_event(None, data, None)
            _db.session.commit()
            return event.id

    return factory
