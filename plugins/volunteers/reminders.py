"""Reminders before shifts and mediation sessions, through the core outbox.

A mediation reminder says only "调解活动", the time and the place: never the case.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from core import notify
from core.extensions import db
from core.timeutil import to_local, utcnow
from plugins.volunteers.mediation.models import CaseMediator, MediationCase
from plugins.volunteers.models import Assignment, Shift, ShiftRole


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
                link=("volunteers.shift_detail", {"shift_id": shift.id}),
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
                link=("volunteers.mediation_detail", {"case_id": case.id}),
                dedupe_key=f"volunteers:med-reminder:{case.id}:{row.user_id}:{h:g}:{case.sequence}",
            )
            queued += sent is not None
    return queued
