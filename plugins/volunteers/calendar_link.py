"""Tying a shift to a calendar date through the ``calendar`` service, never its code.

With the calendar plugin disabled there is no service: the choice is hidden, a stored ref is
kept as it is and shown without a link.
"""

from __future__ import annotations

from datetime import timedelta

from flask import current_app, url_for
from sqlalchemy import select

from core.extensions import db
from core.models import OrgUnit
from core.plugins import get_service
from core.timeutil import utcnow

AHEAD = timedelta(days=180)


def available() -> bool:
    return get_service("calendar") is not None


def choices(unit_ids: set[int]) -> list[tuple[str, str]]:
    """Upcoming calendar dates of the given units (asked once per top-most unit)."""
    service = get_service("calendar")
    if service is None or not unit_ids:
        return []
    units = db.session.scalars(select(OrgUnit).where(OrgUnit.id.in_(unit_ids))).all()
    roots = [u for u in units if u.parent_id not in unit_ids]
    now = utcnow()
    seen: dict[str, tuple[str, object]] = {}
    for unit in roots:
        for ref, label, start in service.upcoming_events(unit.id, now, now + AHEAD):
            seen.setdefault(ref, (f"{label}（{unit.name}）" if len(roots) > 1 else label, start))
    rows = sorted(seen.items(), key=lambda item: (item[1][1], item[0]))
    return [(ref, label) for ref, (label, _start) in rows]


def belongs_to(ref: str, unit_id: int) -> bool:
    """Whether ``ref`` is an upcoming date of an event of ``unit_id`` (or below it)."""
    service = get_service("calendar")
    if service is None:
        return False
    now = utcnow()
    return any(row[0] == ref for row in service.upcoming_events(unit_id, now, now + AHEAD))


def event_url(ref: str | None) -> str | None:
    """The calendar page of a stored ref, when the calendar is enabled and the ref is one."""
    if not ref or "calendar.occurrence" not in current_app.view_functions:
        return None
    event_id, _, key = ref.partition("/")
    if not event_id.isdigit() or not key:
        return None
    return url_for("calendar.occurrence", event_id=int(event_id), key=key)
