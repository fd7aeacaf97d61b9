"""Domain events, sent by one plugin and heard by any other (credits, reports).

Payloads are frozen dataclasses of ids and values, never ORM rows. Receivers must be idempotent:
a signal may be sent again for the same source (a retried request, an undo and redo).
Receivers are connected per app (``connect``), so two apps in one process never cross.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from blinker import Namespace
from flask import Flask, current_app

_signals = Namespace()

attendance_recorded = _signals.signal("attendance-recorded")
attendance_revoked = _signals.signal("attendance-revoked")
volunteer_hours_confirmed = _signals.signal("volunteer-hours-confirmed")
lecture_delivered = _signals.signal("lecture-delivered")
contest_finished = _signals.signal("contest-finished")
user_registered = _signals.signal("user-registered")
learning_item_opened = _signals.signal("learning-item-opened")


@dataclass(frozen=True)
class AttendanceRecorded:
    """A person attended an event occurrence (``user_id`` is None for a walk-in)."""

    attendance_id: int
    event_id: int
    occurrence_start: datetime
    user_id: int | None
    org_unit_id: int | None
    category: str
    recorded_at: datetime


@dataclass(frozen=True)
class AttendanceRevoked:
    """A check-in was undone; listeners reverse what they did for ``attendance_id``."""

    attendance_id: int
    user_id: int | None
    revoked_at: datetime


@dataclass(frozen=True)
class VolunteerHoursConfirmed:
    record_id: int
    user_id: int
    org_unit_id: int | None
    hours: float
    confirmed_at: datetime


@dataclass(frozen=True)
class LectureDelivered:
    request_id: int
    lecturer_user_id: int
    org_unit_id: int
    topic: str
    audience_count: int
    delivered_at: datetime


@dataclass(frozen=True)
class ContestFinished:
    attempt_id: int
    contest_id: int
    user_id: int | None
    org_unit_id: int | None
    score: float
    max_score: float
    finished_at: datetime


@dataclass(frozen=True)
class UserRegistered:
    user_id: int
    home_unit_id: int | None


@dataclass(frozen=True)
class LearningItemOpened:
    """A signed-in person opened a mobile-learning (指尖学习) item; may earn a small credit."""

    item_id: int
    user_id: int
    org_unit_id: int | None
    opened_at: datetime


def send(signal, payload) -> None:
    """Send ``payload`` on ``signal`` to the receivers connected for the current app."""
    signal.send(current_app._get_current_object(), payload=payload)


def connect(signal, receiver: Callable, app: Flask) -> None:
    """Call ``receiver(payload)`` whenever ``signal`` is sent within ``app``."""

    def deliver(sender, payload):
        return receiver(payload)

    signal.connect(deliver, sender=app, weak=False)
