"""Courses and lessons, each person's progress, completions and certificates.

Uniqueness lives in the database: one progress row per (person, lesson), one completion per
(person, course), so a double click or a retried request never counts twice.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.extensions import db
from core.timeutil import UTCDateTime, utcnow

#: The policy's themes, by code name.
CATEGORIES: dict[str, str] = {
    "policy": "政策",
    "law": "法律",
    "health": "健康",
    "farming": "农业",
    "culture": "文化",
    "family": "家庭教育",
    "party": "党员学习",
}
#: How a lesson counts as finished in a course (never by time on the page).
COMPLETION_RULES: dict[str, str] = {
    "check": "答对课后小题（没有小题的课时由学员确认学完）",
    "confirm": "学员确认学完",
}


class Course(db.Model):
    """A course of ordered lessons on one theme, owned by an org unit."""

    __tablename__ = "learning_course"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(120))
    audience: Mapped[str] = mapped_column(String(120), default="")
    category: Mapped[str] = mapped_column(String(20), index=True)
    description: Mapped[str] = mapped_column(Text, default="")
    completion_rule: Mapped[str] = mapped_column(String(10), default="check")
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), index=True)
    published: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    lessons: Mapped[list[Lesson]] = relationship(
        back_populates="course", order_by="(Lesson.position, Lesson.id)"
    )

    @property
    def category_label(self) -> str:
        return CATEGORIES.get(self.category, self.category)


class Lesson(db.Model):
    """One lesson: text, and optionally one medium (image, audio or video) and a check question.

    ``question_id`` names a question of the competitions bank, read through its service only,
    so it is a plain number, not a foreign key."""

    __tablename__ = "learning_lesson"

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("learning_course.id"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=1)
    title: Mapped[str] = mapped_column(String(120))
    body: Mapped[str] = mapped_column(Text, default="")
    media_file: Mapped[str | None] = mapped_column(String(80))
    media_type: Mapped[str | None] = mapped_column(String(60))
    media_size: Mapped[int] = mapped_column(Integer, default=0)
    question_id: Mapped[int | None] = mapped_column(Integer)
    #: When residents could first see it (its course published): the digest and feed date.
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    course: Mapped[Course] = relationship(back_populates="lessons")
    attachments: Mapped[list[Attachment]] = relationship(order_by="Attachment.id")

    @property
    def org_unit_id(self) -> int:
        return self.course.org_unit_id

    @property
    def media_kind(self) -> str | None:
        return (self.media_type or "").split("/")[0] or None


class Attachment(db.Model):
    """A file to download beside a lesson (a PDF hand-out, a worksheet)."""

    __tablename__ = "learning_attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    lesson_id: Mapped[int] = mapped_column(ForeignKey("learning_lesson.id"), index=True)
    stored_name: Mapped[str] = mapped_column(String(80))
    content_type: Mapped[str] = mapped_column(String(120))
    display_name: Mapped[str] = mapped_column(String(200))
    size: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Progress(db.Model):
    """One person on one lesson: when started, where the audio or video stopped, when finished.

    ``finished_by`` is check / confirm / attendance (a night-school class linked to the lesson)."""

    __tablename__ = "learning_progress"
    __table_args__ = (UniqueConstraint("user_id", "lesson_id", name="uq_learning_progress"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    lesson_id: Mapped[int] = mapped_column(ForeignKey("learning_lesson.id"), index=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    position_seconds: Mapped[int] = mapped_column(Integer, default=0)
    check_attempts: Mapped[int] = mapped_column(Integer, default=0)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    finished_by: Mapped[str | None] = mapped_column(String(12))
    attendance_id: Mapped[int | None] = mapped_column(Integer)


class Completion(db.Model):
    """A person finished every lesson of a course: the certificate, given once."""

    __tablename__ = "learning_completion"
    __table_args__ = (UniqueConstraint("user_id", "course_id", name="uq_learning_completion"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("learning_course.id"), index=True)
    #: The person's home village when completed: reports count it there.
    home_unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_unit.id"), index=True)
    certificate_no: Mapped[str] = mapped_column(String(30), unique=True)
    completed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    course: Mapped[Course] = relationship()
    user = relationship("User")


class EventLink(db.Model):
    """A calendar event (a night-school class) that teaches a lesson, keyed by the event id:
    those checked in at any of its occurrences have the lesson marked finished."""

    __tablename__ = "learning_event_link"

    id: Mapped[int] = mapped_column(primary_key=True)
    calendar_event_id: Mapped[int] = mapped_column(Integer, unique=True)
    lesson_id: Mapped[int] = mapped_column(ForeignKey("learning_lesson.id"), index=True)
    label: Mapped[str] = mapped_column(String(200), default="")
    linked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    lesson: Mapped[Lesson] = relationship()


# The sub-packages' tables, so importing this module makes every learning table known to Alembic.
from plugins.learning.assignments.models import CourseAssignment, PartyMember  # noqa: E402,F401
from plugins.learning.practice.models import PracticeAnswer, PracticeDay  # noqa: E402,F401
