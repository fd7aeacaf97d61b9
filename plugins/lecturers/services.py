"""Public functions of the lecturers plugin: requests, the workflow entry point, calendar
entries and report metrics. Views, commands and hooks call these; no other plugin imports them.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from core import permissions, signals
from core.extensions import db
from core.figures import figure_bounds
from core.hooktypes import CalendarEntry, Metric
from core.models import OrgUnit, RoleAssignment
from core.orgunits import roll_up
from core.timeutil import as_moment, utcnow
from plugins.lecturers import workflow
from plugins.lecturers.models import Lecturer
from plugins.lecturers.models_requests import (
    DONE_STATES,
    LectureRequest,
    RequestSlot,
)

CALENDAR_STATES = ("scheduled", *DONE_STATES)
#: The calendar plugin's own category for micro-lectures, so its filters and colours apply.
CATEGORY, COLOUR = "微讲堂", "#0b4f9c"


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
        workflow.apply(request, action, user, **data)
    except workflow.TransitionRefused:
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


def _coordinated_village_ids(user) -> set[int]:
    paths = db.session.scalars(
        select(OrgUnit.path)
        .join(RoleAssignment, RoleAssignment.org_unit_id == OrgUnit.id)
        .where(RoleAssignment.user_id == user.id, RoleAssignment.role == "village_coordinator")
    ).all()
    if not paths:
        return set()
    return set(
        db.session.scalars(
            select(OrgUnit.id).where(or_(*[OrgUnit.path.startswith(path) for path in paths]))
        )
    )


def is_public(lecture: LectureRequest) -> bool:
    """On the calendar, so everyone may open its public page: scheduled or held, or
    cancelled after it was announced."""
    return lecture.state in CALENDAR_STATES or (
        lecture.state == "cancelled" and bool(lecture.published)
    )


def calendar_entries(start, end, viewer, personal: bool) -> list:
    """Scheduled and delivered lectures (and those cancelled after scheduling) in [start, end)."""
    start, end = as_moment(start), as_moment(end)
    query = (
        select(LectureRequest)
        .where(
            or_(
                LectureRequest.state.in_(CALENDAR_STATES),
                (LectureRequest.state == "cancelled") & LectureRequest.published.is_(True),
            ),
            LectureRequest.scheduled_start < end,
            LectureRequest.scheduled_end > start,
        )
        .order_by(LectureRequest.scheduled_start)
        .options(
            selectinload(LectureRequest.topic),
            selectinload(LectureRequest.village),
            selectinload(LectureRequest.lecturer).selectinload(Lecturer.user),
        )
    )
    if personal:
        if viewer is None or not getattr(viewer, "id", None):
            return []
        villages = _coordinated_village_ids(viewer)
        mine = LectureRequest.lecturer_id.in_(
            select(Lecturer.id).where(Lecturer.user_id == viewer.id)
        )
        query = query.where(
            or_(mine, LectureRequest.org_unit_id.in_(villages)) if villages else mine
        )
    return [entry_of(request) for request in db.session.scalars(query)]


def public_path(request_id: int) -> str:
    """The lecture's public page; built from the URL map, as hooks also run outside requests."""
    adapter = current_app.url_map.bind("")
    return adapter.build("lecturers.public_lecture", {"request_id": request_id})


def entry_of(request: LectureRequest) -> CalendarEntry:
    """The calendar's view of a lecture; its link is the public page everyone may open."""
    lecturer = request.lecturer.user.display_name if request.lecturer else ""
    return CalendarEntry(
        uid=f"lecturers-request-{request.id}@xiangxuetong",
        source="lecturers",
        title=f"微讲堂：{request.topic.name}（{request.village.name}）",
        start=request.scheduled_start,
        end=request.scheduled_end,
        url=public_path(request.id),
        category=CATEGORY,
        category_label=CATEGORY,
        colour=COLOUR,
        location=request.venue,
        description=f"{request.format_label} · 主讲：{lecturer} · {request.audience_group_label}",
        org_unit_id=request.org_unit_id,
        public=True,
        cancelled=request.state == "cancelled",
        sequence=request.sequence or 0,
        last_modified=request.updated_at,
    )


def delivered(start: date | datetime, end: date | datetime) -> ColumnElement[bool]:
    """The lectures a period counts: delivered (or rated, closed) and ended inside
    [start, end) and before now. The report figures, their evidence page and the coverage
    report all filter with it."""
    first, cutoff = figure_bounds(start, end)
    return and_(
        LectureRequest.state.in_(DONE_STATES),
        LectureRequest.scheduled_end >= first,
        LectureRequest.scheduled_end < cutoff,
    )


def delivered_lectures(
    start: date | datetime, end: date | datetime, unit_ids: Collection[int]
) -> list[LectureRequest]:
    """The lectures behind 送讲场次 and 听讲人次 for the villages ``unit_ids``, in time order."""
    return list(
        db.session.scalars(
            select(LectureRequest)
            .where(delivered(start, end), LectureRequest.org_unit_id.in_(list(unit_ids)))
            .options(
                selectinload(LectureRequest.topic),
                selectinload(LectureRequest.village),
                selectinload(LectureRequest.lecturer).selectinload(Lecturer.user),
            )
            .order_by(LectureRequest.scheduled_end, LectureRequest.id)
        )
    )


def delivered_by_village(
    start: date | datetime, end: date | datetime
) -> dict[int, tuple[int, int]]:
    """village id → (lectures delivered, audience) for the lectures ``delivered`` counts."""
    rows = db.session.execute(
        select(
            LectureRequest.org_unit_id,
            func.count(LectureRequest.id),
            func.coalesce(func.sum(LectureRequest.attendance), 0),
        )
        .where(delivered(start, end))
        .group_by(LectureRequest.org_unit_id)
    )
    return {unit_id: (int(count), int(audience)) for unit_id, count, audience in rows}


def report_metrics(unit_ids, start, end) -> list[Metric]:
    """Lectures delivered and audience per unit, each unit counting its descendants too."""
    per_village = delivered_by_village(start, end)
    wanted = list(unit_ids or [])
    lectures = roll_up(wanted, {v: count for v, (count, _) in per_village.items()})
    audience = roll_up(wanted, {v: people for v, (_, people) in per_village.items()})
    return [
        Metric(
            "lecturers.lectures_delivered",
            "送讲场次",
            lectures,
            "场",
            evidence_endpoint="lecturers.report_delivered",
        ),
        Metric(
            "lecturers.audience",
            "听讲人次",
            audience,
            "人次",
            evidence_endpoint="lecturers.report_audience",
        ),
    ]
