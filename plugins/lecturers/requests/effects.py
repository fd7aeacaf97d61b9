"""What each workflow action checks and changes; called only by ``workflow.TABLE.apply``.

Every function checks first and raises ``TransitionRefused`` before touching the request, so
a refused step leaves nothing half-changed. It returns the reason shown on the timeline.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import wraps

from sqlalchemy import select

from core.extensions import db
from core.statemachine import TransitionRefused
from core.timeutil import utcnow
from plugins.lecturers.models import MAX_AUDIENCE, Lecturer
from plugins.lecturers.requests.models import BOOKED_STATES, Decline, LectureRequest


def has_declined(request_id: int, lecturer_id: int) -> bool:
    """Did the lecturer turn this request down (then they are never offered it again)?"""
    return (
        db.session.scalar(
            select(Decline.id).where(
                Decline.request_id == request_id, Decline.lecturer_id == lecturer_id
            )
        )
        is not None
    )


def _reason(data: dict, required: bool, label: str = "原因") -> str:
    reason = (data.get("reason") or "").strip()[:300]
    if required and not reason:
        raise TransitionRefused(f"请填写{label}。", 400)
    return reason


def booked_elsewhere(lecturer_id: int, start: datetime, end: datetime, request_id: int) -> bool:
    """Is the lecturer already booked (accepted or scheduled) at an overlapping time?

    The lecturer's row is locked first (PostgreSQL), so two acceptances of overlapping
    requests by the same lecturer are checked one after the other, never both at once.
    """
    db.session.execute(select(Lecturer.id).where(Lecturer.id == lecturer_id).with_for_update())
    return (
        db.session.scalar(
            select(LectureRequest.id).where(
                LectureRequest.lecturer_id == lecturer_id,
                LectureRequest.id != request_id,
                LectureRequest.state.in_(BOOKED_STATES),
                LectureRequest.scheduled_start < end,
                LectureRequest.scheduled_end > start,
            )
        )
        is not None
    )


def assign(request: LectureRequest, user, lecturer_id: int | None = None, **data) -> str:
    from plugins.lecturers.suggestions import free_slot_ids

    lecturer = db.session.get(Lecturer, lecturer_id) if lecturer_id else None
    if lecturer is None:
        raise TransitionRefused("请选择一位讲师。", 400)
    if lecturer.status != "approved" or not lecturer.active:
        raise TransitionRefused("这位讲师未通过审核或正在休息，不能派单。", 400)
    if has_declined(request.id, lecturer.id):
        raise TransitionRefused("这位讲师已婉拒过这个点单。", 400)
    if not free_slot_ids(request, lecturer.id):
        raise TransitionRefused("这位讲师在所有备选时间都已有安排。", 400)
    request.lecturer_id = lecturer.id
    request.lecturer = lecturer
    return f"派给 {lecturer.user.display_name}"


def withdraw(request: LectureRequest, user, **data) -> str:
    reason = _reason(data, required=False)
    request.lecturer_id = None
    request.lecturer = None
    return reason


def expire(request: LectureRequest, user, hours: int = 0, **data) -> str:
    """限时接单: the lecturer let the offer lapse; the request goes back to the queue."""
    request.lecturer_id = None
    request.lecturer = None
    return f"超过 {hours} 小时未接单，已退回派单队列"


def accept(request: LectureRequest, user, slot_id: int | None = None, **data) -> str:
    slot = next((s for s in request.slots if s.id == slot_id), None)
    if slot is None:
        raise TransitionRefused("请从村里给出的备选时间中选择一个。", 400)
    if slot.start <= utcnow():
        raise TransitionRefused("这个备选时间已经过去，请选择其他时间。", 400)
    if booked_elsewhere(request.lecturer_id, slot.start, slot.end, request.id):
        raise TransitionRefused("您在这个时间已有其他宣讲安排。", 400)
    request.chosen_slot_id = slot.id
    request.scheduled_start, request.scheduled_end = slot.start, slot.end
    return ""


def decline(request: LectureRequest, user, **data) -> str:
    reason = _reason(data, required=True, label="婉拒的原因")
    db.session.add(Decline(request_id=request.id, lecturer_id=request.lecturer_id, reason=reason))
    request.lecturer_id = None
    request.lecturer = None
    request.chosen_slot_id = None
    request.scheduled_start = request.scheduled_end = None
    return reason


def schedule(request: LectureRequest, user, **data) -> str:
    if request.scheduled_start is None or request.scheduled_start <= utcnow():
        raise TransitionRefused("接单时选定的时间已经过去，请取消后重新点单。", 400)
    request.published = True
    return ""


def reschedule(
    request: LectureRequest,
    user,
    start: datetime | None = None,
    end: datetime | None = None,
    venue: str | None = None,
    **data,
) -> str:
    if start is None or end is None or end <= start:
        raise TransitionRefused("请填写新的开始和结束时间，结束须晚于开始。", 400)
    if start <= utcnow():
        raise TransitionRefused("新的时间不能早于现在。", 400)
    if booked_elsewhere(request.lecturer_id, start, end, request.id):
        raise TransitionRefused("讲师在新的时间已有其他宣讲安排。", 400)
    reason = _reason(data, required=False)
    request.scheduled_start, request.scheduled_end = start, end
    if venue:
        request.venue = venue[:200]
    return reason


def deliver(
    request: LectureRequest,
    user,
    attendance: int | None = None,
    summary: str = "",
    materials: str = "",
    **data,
) -> str:
    if request.scheduled_start is None or request.scheduled_start > utcnow():
        raise TransitionRefused("宣讲开始之后才能登记完成。", 400)
    if attendance is None or not 1 <= attendance <= MAX_AUDIENCE:
        raise TransitionRefused(f"请填写实际听讲人数（1-{MAX_AUDIENCE}）。", 400)
    summary = (summary or "").strip()
    if not summary:
        raise TransitionRefused("请填写宣讲小结。", 400)
    request.attendance = attendance
    request.summary = summary[:2000]
    request.materials = (materials or "").strip()[:2000]
    request.delivered_at = utcnow()
    return f"听讲 {attendance} 人"


def rate(request: LectureRequest, user, rating: int | None = None, comment: str = "", **data):
    if rating is None or not 1 <= rating <= 5:
        raise TransitionRefused("请给出 1 到 5 分的评价。", 400)
    request.rating = rating
    request.rating_comment = (comment or "").strip()[:1000]
    return f"{rating} 分"


def close(request: LectureRequest, user, **data) -> str:
    return ""


def cancel(request: LectureRequest, user, **data) -> str:
    reason = _reason(data, required=True, label="取消的原因")
    request.cancel_reason = reason
    return reason


def _remembering_the_lecturer(effect: Callable[..., str]) -> Callable[..., str]:
    """Note who the lecturer was before the step, so one the step takes off the request
    (withdraw, decline, expire) is still told of it (``workflow.recipients``)."""

    @wraps(effect)
    def run(request: LectureRequest, user, **data) -> str:
        request.former_lecturer_user_id = request.lecturer.user_id if request.lecturer else None
        return effect(request, user, **data)

    return run


#: action → effect, for ``workflow.TABLE``.
EFFECTS = {
    effect.__name__: _remembering_the_lecturer(effect)
    for effect in (
        assign,
        withdraw,
        expire,
        accept,
        decline,
        schedule,
        reschedule,
        deliver,
        rate,
        close,
        cancel,
    )
}
