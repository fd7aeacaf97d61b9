"""Public functions of lecture requests: who sees which, ordering (点单) with its idempotent
form, the one entry point of the workflow (``perform``), and the overdue queue."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from core import permissions, signals
from core.extensions import db
from core.models import OrgUnit
from core.statemachine import TransitionRefused
from core.timeutil import utcnow
from plugins.lecturers.requests import workflow
from plugins.lecturers.requests.models import DONE_STATES, LectureRequest, RequestSlot

#: The states in which a lecture is on the calendar (and so has a public page).
CALENDAR_STATES = ("scheduled", *DONE_STATES)


class DuplicateSubmission(Exception):
    """The same form was submitted twice; ``request_id`` is the request the first one made."""

    def __init__(self, request_id: int | None):
        super().__init__(request_id)
        self.request_id = request_id


#: A village gives at least this many preferred times, and at most ``MAX_SLOTS``.
MIN_SLOTS, MAX_SLOTS = 2, 3


def visible_village_ids(user) -> set[int]:
    """Villages whose requests ``user`` may list: managed, coordinated or reported on."""
    ids: set[int] = set()
    for name in ("lecturers.manage", "lecturers.request", "lecturers.view_reports"):
        ids |= permissions.unit_ids_where(user, name)
    return ids


def can_see(user, lecture: LectureRequest) -> bool:
    """Whether ``user`` may see the request at all (pages and API answer 404 otherwise)."""
    return bool(workflow.actor_kinds(user, lecture)) or permissions.can(
        user, "lecturers.view_reports", lecture
    )


def slot_problem(begins: datetime, ends: datetime, now: datetime) -> str | None:
    """Why a preferred time cannot be offered (Chinese, for the form or the API), or None."""
    if ends <= begins:
        return "结束时间须晚于开始时间。"
    if begins <= now:
        return "备选时间不能是过去的时间。"
    return None


def create_request(
    *,
    village: OrgUnit,
    topic,
    format: str,
    audience_size: int,
    audience_group: str,
    venue: str,
    notes: str,
    slots: list[tuple[datetime, datetime]],
    user,
    idempotency_key: str,
) -> LectureRequest:
    """Add a submitted request with its slots, timeline row, audit row and notices; commit.

    A second submission of the same form (same ``idempotency_key``) raises DuplicateSubmission.
    """
    existing = db.session.scalar(
        select(LectureRequest.id).where(LectureRequest.idempotency_key == idempotency_key)
    )
    if existing:
        raise DuplicateSubmission(existing)
    request = LectureRequest(
        org_unit_id=village.id,
        village=village,
        topic=topic,
        topic_id=topic.id,
        format=format,
        audience_size=audience_size,
        audience_group=audience_group,
        venue=venue or village.learning_centre_name or f"{village.name}社区教育学习中心",
        notes=notes or "",
        requested_by_id=user.id,
        idempotency_key=idempotency_key,
        slots=[RequestSlot(start=start, end=end) for start, end in slots],
    )
    try:
        with db.session.begin_nested():
            db.session.add(request)
            db.session.flush()
    except IntegrityError:  # the twin submission won the race
        db.session.rollback()
        raise DuplicateSubmission(
            db.session.scalar(
                select(LectureRequest.id).where(LectureRequest.idempotency_key == idempotency_key)
            )
        ) from None
    workflow.record_submission(request, user)
    db.session.commit()
    return request


def load_for_update(request_id: int) -> LectureRequest | None:
    """The request, row-locked on PostgreSQL so two clicks cannot both move it."""
    return db.session.scalar(
        select(LectureRequest).where(LectureRequest.id == request_id).with_for_update()
    )


def perform(request: LectureRequest, action: str, user, **data) -> None:
    """Apply one workflow step and commit; a delivery sends ``lecture_delivered``, which
    listeners hear once the commit has gone through."""
    try:
        workflow.TABLE.apply(request, action, user, **data)
    except TransitionRefused:
        db.session.rollback()
        raise
    if action == "deliver":
        signals.send(
            signals.lecture_delivered,
            signals.LectureDelivered(
                request_id=request.id,
                lecturer_user_id=request.lecturer.user_id,
                org_unit_id=request.org_unit_id,
                topic=request.topic.name,
                audience_count=request.attendance or 0,
                delivered_at=request.delivered_at,
            ),
        )
    db.session.commit()


def overdue_requests(days: int | None = None) -> list[LectureRequest]:
    """Requests waiting for a manager (submitted) or for the lecturer's answer (assigned) for
    more than ``days`` days."""
    if days is None:
        days = current_app.config.get("LECTURERS_OVERDUE_DAYS", 3)
    limit = utcnow() - timedelta(days=days)
    return list(
        db.session.scalars(
            select(LectureRequest)
            .where(
                LectureRequest.state.in_(("submitted", "assigned")),
                LectureRequest.state_changed_at < limit,
            )
            .order_by(LectureRequest.state_changed_at)
        )
    )


def is_public(lecture: LectureRequest) -> bool:
    """On the calendar, so everyone may open its public page: scheduled or held, or
    cancelled after it was announced."""
    return lecture.state in CALENDAR_STATES or (
        lecture.state == "cancelled" and bool(lecture.published)
    )
