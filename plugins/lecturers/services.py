"""The figures of the lecturers plugin: which lectures a period counts (``delivered``), used
alike by the report metrics, their evidence pages and the coverage report."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime

from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.orm import selectinload

from core.extensions import db
from core.figures import figure_bounds
from plugins.lecturers.models import Lecturer
from plugins.lecturers.requests.models import DONE_STATES, LectureRequest


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
