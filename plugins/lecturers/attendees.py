"""群众评单: residents check in at a lecture with the code shown there, and afterwards rate it.

Only a person who checked in may rate, once; ratings of attendees and of the village's
coordinator together make a lecturer's average (``ratings``), which the corps page and the
dispatch suggestions read.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import timedelta

from flask import current_app
from sqlalchemy import func, select, union_all
from sqlalchemy.exc import IntegrityError

from core.extensions import db
from core.timeutil import utcnow
from plugins.lecturers.requests.models import (
    DONE_STATES,
    AttendeeRating,
    LectureAttendee,
    LectureRequest,
)

#: Check-in opens this long before the start and closes this long after the end.
EARLY, LATE = timedelta(minutes=30), timedelta(hours=2)  # lectures often run over


class AttendRefused(Exception):
    """Shown to the person as it is."""


def checkin_code(request_id: int) -> str:
    """The code in the check-in link shown at the lecture (not guessable from the id)."""
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, f"lecture-checkin:{request_id}".encode(), hashlib.sha256).hexdigest()[:16]


def check_in(lecture: LectureRequest, user, code: str) -> bool:
    """Record ``user`` at the lecture; False when already recorded. Caller commits."""
    if not hmac.compare_digest(checkin_code(lecture.id), code or ""):
        raise AttendRefused("签到码不正确，请重新扫描现场的二维码。")
    now = utcnow()
    if (
        lecture.state not in ("scheduled", *DONE_STATES)
        or lecture.scheduled_start is None
        or not lecture.scheduled_start - EARLY <= now <= lecture.scheduled_end + LATE
    ):
        raise AttendRefused("不在这场讲座的签到时间内。")
    try:
        with db.session.begin_nested():
            db.session.add(LectureAttendee(request_id=lecture.id, user_id=user.id))
    except IntegrityError:
        return False
    return True


def attended(request_id: int, user_id: int) -> bool:
    return bool(
        db.session.scalar(
            select(LectureAttendee.id).where(
                LectureAttendee.request_id == request_id, LectureAttendee.user_id == user_id
            )
        )
    )


def rate(lecture: LectureRequest, user, score: int | None, comment: str) -> None:
    """An attendee's rating of a delivered lecture, once. Caller commits."""
    if lecture.state not in DONE_STATES or lecture.lecturer_id is None:
        raise AttendRefused("讲座结束并登记完成后才能评价。")
    if not attended(lecture.id, user.id):
        raise AttendRefused("只有到场签到的人才能评价这场讲座。")
    if score is None or not 1 <= score <= 5:
        raise AttendRefused("请给出 1 到 5 分的评价。")
    try:
        with db.session.begin_nested():
            db.session.add(
                AttendeeRating(
                    request_id=lecture.id,
                    user_id=user.id,
                    lecturer_id=lecture.lecturer_id,
                    score=score,
                    comment=(comment or "").strip()[:500],
                )
            )
    except IntegrityError as error:
        raise AttendRefused("您已经评价过这场讲座了。") from error


def ratings(lecturer_ids: list[int] | None = None) -> dict[int, tuple[float, int]]:
    """lecturer id → (average, number of ratings): the coordinator's and the attendees'."""
    staff = select(
        LectureRequest.lecturer_id.label("lecturer_id"), LectureRequest.rating.label("score")
    ).where(LectureRequest.rating.is_not(None), LectureRequest.lecturer_id.is_not(None))
    people = select(AttendeeRating.lecturer_id, AttendeeRating.score)
    if lecturer_ids is not None:
        staff = staff.where(LectureRequest.lecturer_id.in_(lecturer_ids))
        people = people.where(AttendeeRating.lecturer_id.in_(lecturer_ids))
    both = union_all(staff, people).subquery()
    rows = db.session.execute(
        select(both.c.lecturer_id, func.avg(both.c.score), func.count(both.c.score)).group_by(
            both.c.lecturer_id
        )
    )
    return {lecturer_id: (float(avg), count) for lecturer_id, avg, count in rows}
