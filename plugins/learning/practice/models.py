"""每日一练： one row per person and local day, one row per answered question.

(user, day) is unique, so a day is counted once; (practice, question) is unique, so an answer
is counted once. ``day`` is the Asia/Shanghai date the practice belongs to.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.extensions import db
from core.timeutil import UTCDateTime, utcnow

QUESTIONS_PER_DAY = 5


class PracticeDay(db.Model):
    __tablename__ = "learning_practice_day"
    __table_args__ = (UniqueConstraint("user_id", "day", name="uq_learning_practice_day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    home_unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_unit.id"), index=True)
    day: Mapped[date] = mapped_column(Date, index=True)
    #: Bank question ids drawn for the day, in order.
    question_ids: Mapped[list] = mapped_column(JSON, default=list)
    correct: Mapped[int] = mapped_column(Integer, default=0)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    answers: Mapped[list[PracticeAnswer]] = relationship(order_by="PracticeAnswer.id")


class PracticeAnswer(db.Model):
    __tablename__ = "learning_practice_answer"
    __table_args__ = (
        UniqueConstraint("practice_id", "question_id", name="uq_learning_practice_answer"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int] = mapped_column(ForeignKey("learning_practice_day.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    question_id: Mapped[int] = mapped_column(Integer)
    category: Mapped[str] = mapped_column(String(30))
    chosen: Mapped[str] = mapped_column(String(10))
    is_correct: Mapped[bool] = mapped_column(Boolean)
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
