"""Progress through lessons, the check question, and course completion (once).

A lesson is finished by a right answer to its check question, by the learner's confirmation
where the course's rule (or a lesson without a question) allows it, or by attendance at a linked
night-school class; never by time on the page. Finishing is a conditional UPDATE and completion
an INSERT under a unique constraint, so concurrent requests count once and the
``course_completed`` signal goes out once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from core import signals
from core.extensions import db
from core.models import User
from core.plugins import get_service
from core.timeutil import utcnow
from plugins.learning.models import Completion, Course, Lesson, Progress


class LearningError(ValueError):
    """A refused learning action; the message is shown as it is."""


@dataclass(frozen=True)
class CheckResult:
    right: bool
    explanation: str
    answer: str
    finished_now: bool


def progress_of(user_id: int, lesson_id: int) -> Progress | None:
    return db.session.scalar(
        select(Progress).where(Progress.user_id == user_id, Progress.lesson_id == lesson_id)
    )


def open_lesson(user_id: int, lesson: Lesson, now: datetime | None = None) -> Progress:
    """The person's progress row for the lesson, made (started) on the first visit."""
    found = progress_of(user_id, lesson.id)
    if found is not None:
        return found
    try:
        with db.session.begin_nested():
            db.session.add(
                Progress(user_id=user_id, lesson_id=lesson.id, started_at=now or utcnow())
            )
    except IntegrityError:  # opened in another tab at the same moment
        pass
    db.session.commit()
    return progress_of(user_id, lesson.id)


def save_position(user_id: int, lesson: Lesson, seconds: int) -> None:
    """Remember where the audio or video stopped, to resume there next time."""
    if progress_of(user_id, lesson.id) is None:
        raise LearningError("请先打开这一课。")
    db.session.execute(
        update(Progress)
        .where(Progress.user_id == user_id, Progress.lesson_id == lesson.id)
        .values(position_seconds=max(0, min(int(seconds), 24 * 3600)))
    )
    db.session.commit()


def may_confirm(lesson: Lesson) -> bool:
    """The learner may mark the lesson learned themself (no check question decides it)."""
    return lesson.course.completion_rule == "confirm" or lesson.question_id is None


def check_question(lesson: Lesson) -> dict | None:
    """The lesson's check question from the competitions bank (None: none, or bank off)."""
    bank = get_service("competitions")
    if lesson.question_id is None or bank is None:
        return None
    found = bank.questions([lesson.question_id])
    return found[0] if found else None


def answer_check(user_id: int, lesson: Lesson, chosen: str) -> CheckResult:
    """Mark the check answer; a right one finishes the lesson. The lesson must be open."""
    progress = progress_of(user_id, lesson.id)
    if progress is None:
        raise LearningError("请先打开这一课、学习内容后再答题。")
    question = check_question(lesson)
    if question is None:
        raise LearningError("这一课没有课后小题。")
    if progress.finished_at is not None:
        raise LearningError("这一课您已经学完了，不用再答题。")
    if not chosen:
        raise LearningError("请选择一个答案。")
    right = bool(get_service("competitions").is_right(question["id"], chosen))
    db.session.execute(
        update(Progress)
        .where(Progress.id == progress.id)
        .values(check_attempts=Progress.check_attempts + 1)
    )
    db.session.commit()
    finished = finish(user_id, lesson, "check") if right else False
    return CheckResult(right, question["explanation"], question["answer"], finished)


def confirm(user_id: int, lesson: Lesson) -> bool:
    """The learner says they have learned it, where that is the rule."""
    progress = progress_of(user_id, lesson.id)
    if progress is None:
        raise LearningError("请先打开这一课。")
    if not may_confirm(lesson):
        raise LearningError("这一课要答对课后小题才算学完。")
    if progress.finished_at is not None:
        raise LearningError("这一课您已经学完了。")
    return finish(user_id, lesson, "confirm")


def finish(
    user_id: int,
    lesson: Lesson,
    by: str,
    attendance_id: int | None = None,
    now: datetime | None = None,
) -> bool:
    """Mark the lesson finished once; True only for the call that did. Commits."""
    now = now or utcnow()
    if progress_of(user_id, lesson.id) is None:
        try:
            with db.session.begin_nested():
                db.session.add(Progress(user_id=user_id, lesson_id=lesson.id, started_at=now))
        except IntegrityError:
            pass
    result = db.session.execute(
        update(Progress)
        .where(
            Progress.user_id == user_id,
            Progress.lesson_id == lesson.id,
            Progress.finished_at.is_(None),
        )
        .values(finished_at=now, finished_by=by, attendance_id=attendance_id)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        db.session.rollback()
        return False
    db.session.commit()
    complete_if_done(user_id, lesson.course, now)
    return True


def finished_count(user_id: int, course_id: int) -> int:
    return db.session.scalar(
        select(func.count(Progress.id))
        .join(Lesson, Lesson.id == Progress.lesson_id)
        .where(
            Progress.user_id == user_id,
            Lesson.course_id == course_id,
            Progress.finished_at.is_not(None),
        )
    )


def certificate_number(course_id: int, user_id: int) -> str:
    return f"XXT-{course_id:04d}-{user_id:06d}"


def complete_if_done(user_id: int, course: Course, now: datetime | None = None) -> bool:
    """Give the certificate when every lesson is finished; True only when given now."""
    lessons = db.session.scalar(select(func.count(Lesson.id)).where(Lesson.course_id == course.id))
    if not lessons or finished_count(user_id, course.id) < lessons:
        return False
    now = now or utcnow()
    home = db.session.scalar(select(User.home_unit_id).where(User.id == user_id))
    completion = Completion(
        user_id=user_id,
        course_id=course.id,
        home_unit_id=home,
        certificate_no=certificate_number(course.id, user_id),
        completed_at=now,
    )
    try:
        with db.session.begin_nested():
            db.session.add(completion)
    except IntegrityError:  # completed already (or by a concurrent request)
        db.session.rollback()
        return False
    signals.send(
        signals.course_completed,
        signals.CourseCompleted(
            completion_id=completion.id,
            course_id=course.id,
            user_id=user_id,
            org_unit_id=home,
            title=course.title,
            completed_at=now,
        ),
    )
    db.session.commit()
    return True


def completion_of(user_id: int, course_id: int) -> Completion | None:
    return db.session.scalar(
        select(Completion).where(Completion.user_id == user_id, Completion.course_id == course_id)
    )


def course_progress(user_id: int, course: Course) -> dict[int, Progress]:
    """The person's progress rows for the course's lessons, by lesson id."""
    rows = db.session.scalars(
        select(Progress)
        .join(Lesson, Lesson.id == Progress.lesson_id)
        .where(Progress.user_id == user_id, Lesson.course_id == course.id)
    )
    return {row.lesson_id: row for row in rows}
