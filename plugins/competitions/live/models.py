"""Live prize quiz (有奖知识问答): every bit of state lives here, so any worker can serve it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.extensions import db
from core.timeutil import UTCDateTime, utcnow


class LiveSession(db.Model):
    """A quiz run by a host; ``state`` follows ``live.workflow.LIVE_TABLE``."""

    __tablename__ = "competitions_live_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(8), unique=True)
    title: Mapped[str] = mapped_column(String(120))
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), index=True)
    host_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    question_ids: Mapped[list] = mapped_column(JSON, default=list)
    seconds_per_question: Mapped[int] = mapped_column(Integer, default=30)
    state: Mapped[str] = mapped_column(String(20), default="waiting")
    current_index: Mapped[int] = mapped_column(Integer, default=-1)
    question_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    question_deadline: Mapped[datetime | None] = mapped_column(UTCDateTime)
    scheduled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    location: Mapped[str] = mapped_column(String(120), default="")
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    org_unit = relationship("OrgUnit")

    @property
    def current_question_id(self) -> int | None:
        if 0 <= self.current_index < len(self.question_ids):
            return self.question_ids[self.current_index]
        return None


class LiveParticipant(db.Model):
    """Somebody playing on a phone (no account) or on paper, typed in by the host.

    A phone's seat is bound to that phone by ``token``, kept in its signed session cookie;
    somebody else joining with the same name and village gets the next ``seat`` number."""

    __tablename__ = "competitions_live_participant"
    __table_args__ = (
        UniqueConstraint(
            "session_id", "name", "village_id", "seat", name="uq_competitions_live_seat"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("competitions_live_session.id"), index=True)
    name: Mapped[str] = mapped_column(String(30))
    village_id: Mapped[int | None] = mapped_column(ForeignKey("org_unit.id"))
    #: 1 for the first person of this name and village, 2 for the next, ...
    seat: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    source: Mapped[str] = mapped_column(String(10), default="phone")  # phone | paper
    token: Mapped[str] = mapped_column(String(64), unique=True)
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    village = relationship("OrgUnit")

    @property
    def display_name(self) -> str:
        """The name, with the seat number when somebody of the same name and village came first."""
        return seat_label(self.name, self.seat)


def seat_label(name: str, seat: int) -> str:
    return name if seat == 1 else f"{name}（{seat}）"


class LiveAnswer(db.Model):
    """The first answer of a participant to a question; later ones are ignored."""

    __tablename__ = "competitions_live_answer"
    __table_args__ = (
        UniqueConstraint("participant_id", "question_id", name="uq_competitions_live_answer"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("competitions_live_session.id"), index=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("competitions_live_participant.id"))
    question_id: Mapped[int] = mapped_column(ForeignKey("competitions_question.id"))
    chosen: Mapped[str] = mapped_column(String(10))
    correct: Mapped[bool] = mapped_column(default=False)
    seconds: Mapped[float] = mapped_column(default=0.0)
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
