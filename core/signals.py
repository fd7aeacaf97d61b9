"""Domain events, sent by one plugin and heard by any other (credits, reports).

Payloads are frozen dataclasses of ids and values, never ORM rows. Receivers must be idempotent:
a signal may be sent again for the same source (a retried request, an undo and redo).
Receivers are connected per app (``connect``), so two apps in one process never cross.

A signal sent inside a database transaction is delivered when that transaction commits, and
dropped if it rolls back: listeners only ever hear of committed facts, and run in their own
transaction, so they can neither see nor commit half of the sender's work.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from blinker import Namespace
from flask import Flask, current_app

from core.extensions import db

_signals = Namespace()
PENDING = "xxt_pending_signals"

attendance_recorded = _signals.signal("attendance-recorded")
attendance_revoked = _signals.signal("attendance-revoked")
volunteer_hours_confirmed = _signals.signal("volunteer-hours-confirmed")
lecture_delivered = _signals.signal("lecture-delivered")
contest_finished = _signals.signal("contest-finished")
user_registered = _signals.signal("user-registered")
learning_item_opened = _signals.signal("learning-item-opened")


@dataclass(frozen=True)
class AttendanceRecorded:
    """A person attended an event occurrence (``user_id`` is None for a walk-in).

    ``occurrence_start`` is when the occurrence really began (after any move): the moment the
    attendance counts for. ``recorded_at`` is when the record was made: inside the check-in
    window, or later for a staff entry typed in from a paper sign-in sheet."""

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


def contest_participated(answered: int, question_count: int) -> bool:
    """Taking part in a contest: an attempt handed in with at least half its questions answered.

    The one definition: competitions counts participants by it, credits pays by it."""
    return question_count > 0 and 2 * answered >= question_count


@dataclass(frozen=True)
class ContestFinished:
    """An attempt was handed in (or timed out) with ``answered`` of ``question_count`` answered."""

    attempt_id: int
    contest_id: int
    user_id: int | None
    org_unit_id: int | None
    score: float
    max_score: float
    finished_at: datetime
    answered: int
    question_count: int

    @property
    def participated(self) -> bool:
        return contest_participated(self.answered, self.question_count)


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
    """Send ``payload`` on ``signal`` to the current app's receivers, after the open transaction
    commits (at once when none is open)."""
    app = current_app._get_current_object()
    session = db.session()  # the real Session behind the scoped proxy
    if session.in_transaction():
        session.info.setdefault(PENDING, []).append((signal, app, payload))
    else:
        signal.send(app, payload=payload)


def deliver_pending(session) -> None:
    """Called by the session after a commit: send what waited for it, in order."""
    pending = session.info.pop(PENDING, [])
    for signal, app, payload in pending:
        signal.send(app, payload=payload)


def drop_pending(session) -> None:
    """Called by the session after a rollback: what was sent never happened."""
    session.info.pop(PENDING, None)


def connect(signal, receiver: Callable, app: Flask) -> None:
    """Call ``receiver(payload)`` whenever ``signal`` is sent within ``app``."""

    def deliver(sender, payload):
        return receiver(payload)

    signal.connect(deliver, sender=app, weak=False)
