"""What the calendar holds as evidence for a unit and period, for other plugins' checklists.

Reached through the ``calendar_holdings`` service (``get_service("calendar_holdings")``): an
inspection visit starts from the sign-in sheets and uploaded materials the site already has.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import url_for
from sqlalchemy import select

from core.extensions import db
from core.models import OrgUnit
from core.timeutil import period_bounds, to_local
from plugins.calendar.models import (
    CalendarAttendance,
    CalendarEvent,
    CalendarMaterial,
    live_attendance,
)
from plugins.calendar.recurrence import key_of

#: The material kinds reported, by the names other plugins use (the policy's list).
KINDS = ("signin", "study_plan", "learning_record", "activity_plan", "photo", "press_release")


@dataclass(frozen=True)
class Holding:
    """One piece of evidence: its kind (one of ``KINDS``), a title, the local day, a link."""

    kind: str
    title: str
    day: date
    url: str


def unit_holdings(unit_id: int, start: date, end: date) -> list[Holding]:
    """Sign-in sheets (occurrences with live attendance) and uploaded materials of events of
    ``unit_id`` and the units below it, dated in the local days [start, end)."""
    unit = db.session.get(OrgUnit, unit_id)
    if unit is None:
        return []
    since, until = period_bounds(start, end)
    unit_ids = select(OrgUnit.id).where(OrgUnit.path.startswith(unit.path))
    sheets = db.session.execute(
        select(CalendarEvent.id, CalendarEvent.title, CalendarAttendance.original_start)
        .join(CalendarAttendance, CalendarAttendance.event_id == CalendarEvent.id)
        .where(
            CalendarEvent.org_unit_id.in_(unit_ids),
            CalendarAttendance.original_start >= since,
            CalendarAttendance.original_start < until,
            live_attendance(),
        )
        .distinct()
        .order_by(CalendarAttendance.original_start)
    ).all()
    found = [
        Holding(
            "signin",
            title,
            to_local(original).date(),
            url_for("calendar.signin_sheet", event_id=event_id, key=key_of(original)),
        )
        for event_id, title, original in sheets
    ]
    materials = db.session.scalars(
        select(CalendarMaterial)
        .where(
            CalendarMaterial.org_unit_id.in_(unit_ids),
            CalendarMaterial.original_start >= since,
            CalendarMaterial.original_start < until,
            CalendarMaterial.kind.in_(KINDS),
        )
        .order_by(CalendarMaterial.original_start, CalendarMaterial.id)
    )
    found += [
        Holding(
            material.kind,
            material.original_name,
            to_local(material.original_start).date(),
            url_for("calendar.material_file", material_id=material.id),
        )
        for material in materials
    ]
    return found
