"""Offline classes count too: a check-in at a night-school event linked to a lesson finishes
that lesson for the person; a revoked check-in undoes what it alone did."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select, update

from core import signals
from core.extensions import db
from plugins.learning import services as progress
from plugins.learning.models import EventLink, Progress


def on_attendance(payload: signals.AttendanceRecorded) -> None:
    if payload.user_id is None:  # a walk-in without an account
        return
    link = db.session.scalar(
        select(EventLink).where(EventLink.calendar_event_id == payload.event_id)
    )
    if link is None:
        return
    progress.finish(
        payload.user_id,
        link.lesson,
        "attendance",
        attendance_id=payload.attendance_id,
        now=payload.recorded_at,
    )


def on_attendance_revoked(payload: signals.AttendanceRevoked) -> None:
    """Unmark a lesson finished by this check-in alone (a certificate once given stays)."""
    db.session.execute(
        update(Progress)
        .where(
            Progress.attendance_id == payload.attendance_id, Progress.finished_by == "attendance"
        )
        .values(finished_at=None, finished_by=None, attendance_id=None)
    )
    db.session.commit()


def connect_all(app: Flask) -> None:
    signals.connect(signals.attendance_recorded, on_attendance, app)
    signals.connect(signals.attendance_revoked, on_attendance_revoked, app)
