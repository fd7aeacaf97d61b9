"""Signal receivers: each domain event from another plugin becomes at most one ledger entry."""

from __future__ import annotations

from flask import Flask

from core import signals
from plugins.credits import services
from plugins.credits.services import Source


def on_attendance(payload: signals.AttendanceRecorded) -> None:
    if payload.user_id is None:  # a walk-in without an account earns nothing
        return
    services.credit(
        payload.user_id,
        "attendance",
        Source("calendar", "attendance", payload.attendance_id),
        f"参加活动（{payload.category or '活动'}）",
        payload.occurrence_start,
    )


def on_attendance_revoked(payload: signals.AttendanceRevoked) -> None:
    services.reverse(
        Source("calendar", "attendance", payload.attendance_id), payload.user_id, "签到撤销"
    )


def on_volunteer_hours(payload: signals.VolunteerHoursConfirmed) -> None:
    services.credit(
        payload.user_id,
        "volunteer_hours",
        Source("volunteers", "hours", payload.record_id),
        f"志愿服务 {payload.hours:g} 小时",
        payload.confirmed_at,
        quantity=payload.hours,
    )


def on_lecture(payload: signals.LectureDelivered) -> None:
    services.credit(
        payload.lecturer_user_id,
        "lecture",
        Source("lecturers", "request", payload.request_id),
        f"授课：{payload.topic}",
        payload.delivered_at,
    )


def on_contest(payload: signals.ContestFinished) -> None:
    # A blank attempt, or one with fewer than half its questions answered, is not taking part.
    if payload.user_id is None or not payload.participated:
        return
    services.credit(
        payload.user_id,
        "contest",
        Source("competitions", "attempt", payload.attempt_id),
        "参加知识竞赛",
        payload.finished_at,
    )


def on_learning_item(payload: signals.LearningItemOpened) -> None:
    services.credit(
        payload.user_id,
        "learning_item",
        Source("reports", "learning_item", payload.item_id),
        "指尖学习",
        payload.opened_at,
    )


def on_course_completed(payload: signals.CourseCompleted) -> None:
    services.credit(
        payload.user_id,
        "course",
        Source("learning", "completion", payload.completion_id),
        f"学完课程：{payload.title}",
        payload.completed_at,
    )


def on_daily_practice(payload: signals.DailyPracticeDone) -> None:
    services.credit(
        payload.user_id,
        "daily_practice",
        Source("learning", "practice", payload.practice_id),
        f"每日一练 {payload.day.isoformat()}",
        payload.finished_at,
    )


def connect_all(app: Flask) -> None:
    """Hear every signal that earns credits, for ``app`` only."""
    signals.connect(signals.attendance_recorded, on_attendance, app)
    signals.connect(signals.attendance_revoked, on_attendance_revoked, app)
    signals.connect(signals.volunteer_hours_confirmed, on_volunteer_hours, app)
    signals.connect(signals.lecture_delivered, on_lecture, app)
    signals.connect(signals.contest_finished, on_contest, app)
    signals.connect(signals.learning_item_opened, on_learning_item, app)
    signals.connect(signals.course_completed, on_course_completed, app)
    signals.connect(signals.daily_practice_done, on_daily_practice, app)
