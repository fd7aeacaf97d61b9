"""Calendar entries (pulled by the calendar plugin) and reminders through the core outbox.

Mediation sessions appear only as "调解活动": never the description, the parties or the type.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from core import notify
from core.extensions import db
from core.hooktypes import CalendarEntry
from core.timeutil import to_local, utcnow
from plugins.volunteers.mediation import can_view
from plugins.volunteers.models import Assignment, Shift, ShiftRole
from plugins.volunteers.models_mediation import CaseMediator, MediationCase

COLOUR_SHIFT = "#1e6b2f"
COLOUR_MEDIATION = "#5a3d8a"
MEDIATION_TITLE = "调解活动"
#: What the calendar shows as these entries' category (message ids of this plugin's catalog).
SHIFT_LABEL, MEDIATION_LABEL = "志愿服务", "人民调解"


def shift_uid(shift_id: int) -> str:
    return f"volunteers-shift-{shift_id}@xiangxuetong"


def _shift_entry(shift: Shift, public: bool, role_name: str | None = None) -> CalendarEntry:
    description = shift.description if not role_name else f"岗位：{role_name}\n{shift.description}"
    return CalendarEntry(
        uid=shift_uid(shift.id),
        source="volunteers",
        title=f"志愿服务：{shift.title}",
        start=shift.starts_at,
        end=shift.ends_at,
        url=f"/volunteers/shifts/{shift.id}",
        category="volunteers",
        category_label=SHIFT_LABEL,
        colour=COLOUR_SHIFT,
        location=shift.venue,
        description=description.strip(),
        org_unit_id=shift.org_unit_id,
        public=public,
        cancelled=shift.cancelled,
        sequence=shift.sequence,
        last_modified=shift.updated_at,
    )


def _mediation_entry(case: MediationCase, personal: bool, linked: bool = False) -> CalendarEntry:
    """Only "调解活动" and the time for everyone; a link (and the place) only for those who may
    open the case (its mediators and helpers, the justice office, the requester)."""
    linked = linked or personal
    return CalendarEntry(
        uid=f"volunteers-mediation-{case.id}@xiangxuetong",
        source="volunteers",
        title=MEDIATION_TITLE,
        start=case.starts_at,
        end=case.ends_at,
        url=f"/volunteers/mediation/{case.id}" if linked else "",  # "": not a link for others
        category="mediation",
        category_label=MEDIATION_LABEL,
        colour=COLOUR_MEDIATION,
        location=case.venue if personal else "",
        org_unit_id=case.org_unit_id,
        public=not personal,
        cancelled=case.state == "cancelled",
        sequence=case.sequence,
        last_modified=case.updated_at,
    )


def entries(start: datetime, end: datetime, viewer, personal: bool) -> list[CalendarEntry]:
    """What the calendar shows: public shifts and sessions, or the viewer's own."""
    in_window = (Shift.starts_at < end, Shift.ends_at > start)
    sessions = select(MediationCase).where(
        MediationCase.state.in_(("scheduled", "concluded", "cancelled")),
        MediationCase.starts_at.is_not(None),
        MediationCase.starts_at < end,
        MediationCase.ends_at > start,
    )
    if personal:
        if viewer is None or not getattr(viewer, "is_authenticated", False):
            return []
        rows = db.session.execute(
            select(Shift, ShiftRole.name)
            .join(ShiftRole, ShiftRole.shift_id == Shift.id)
            .join(Assignment, Assignment.role_id == ShiftRole.id)
            .where(Assignment.user_id == viewer.id, Assignment.status == "confirmed", *in_window)
        ).all()
        found = [_shift_entry(shift, False, role) for shift, role in rows]
        cases = db.session.scalars(
            sessions.join(CaseMediator, CaseMediator.case_id == MediationCase.id).where(
                CaseMediator.user_id == viewer.id, CaseMediator.removed.is_(False)
            )
        ).all()
        return found + [_mediation_entry(case, True) for case in cases]
    shifts = db.session.scalars(select(Shift).where(Shift.public.is_(True), *in_window)).all()
    cases = db.session.scalars(sessions).all()
    return [_shift_entry(s, True) for s in shifts] + [
        _mediation_entry(c, False, linked=can_view(viewer, c)) for c in cases
    ]


def reminder_hours() -> list[float]:
    """VOLUNTEERS_REMINDER_HOURS, e.g. "24,2": largest first."""
    raw = str(current_app.config.get("VOLUNTEERS_REMINDER_HOURS", "24,2"))
    hours = sorted({float(h) for h in raw.split(",") if h.strip()}, reverse=True)
    return [h for h in hours if h > 0]


def send_reminders(now: datetime | None = None) -> int:
    """Queue due reminders; the dedupe key makes a rerun add nothing. The caller commits."""
    now = now or utcnow()
    hours = reminder_hours()
    queued = 0
    for index, h in enumerate(hours):
        lower = hours[index + 1] if index + 1 < len(hours) else 0
        window_start, window_end = now + timedelta(hours=lower), now + timedelta(hours=h)
        assignments = db.session.scalars(
            select(Assignment)
            .join(ShiftRole, ShiftRole.id == Assignment.role_id)
            .join(Shift, Shift.id == ShiftRole.shift_id)
            .where(
                Assignment.status == "confirmed",
                Shift.cancelled.is_(False),
                Shift.starts_at > window_start,
                Shift.starts_at <= window_end,
            )
            .options(selectinload(Assignment.role).selectinload(ShiftRole.shift))
        ).all()
        for a in assignments:
            shift = a.shift
            when = to_local(shift.starts_at).strftime("%m月%d日 %H:%M")
            sent = notify.notify(
                a.user_id,
                f"志愿服务提醒：{shift.title}",
                f"{when} 在 {shift.venue or shift.org_unit.name} 有您的志愿服务（{a.role.name}）。",
                link=f"/volunteers/shifts/{shift.id}",
                dedupe_key=f"volunteers:reminder:{a.id}:{h:g}:{shift.sequence}",
            )
            queued += sent is not None
        rows = db.session.execute(
            select(CaseMediator, MediationCase)
            .join(MediationCase, MediationCase.id == CaseMediator.case_id)
            .where(
                CaseMediator.removed.is_(False),
                MediationCase.state == "scheduled",
                MediationCase.starts_at > window_start,
                MediationCase.starts_at <= window_end,
            )
        ).all()
        for row, case in rows:
            when = to_local(case.starts_at).strftime("%m月%d日 %H:%M")
            sent = notify.notify(
                row.user_id,
                "调解活动提醒",
                f"{when} 在 {case.venue} 有调解活动。",
                link=f"/volunteers/mediation/{case.id}",
                dedupe_key=f"volunteers:med-reminder:{case.id}:{row.user_id}:{h:g}:{case.sequence}",
            )
            queued += sent is not None
    return queued
