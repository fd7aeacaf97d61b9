"""群众点单 and 群众评单: residents' wishes, lecture check-ins and attendee ratings.

The village's coordinator merges wishes into one village order (a ``LectureRequest``) or
declines them with a reason; the resident follows the wish, and through it the order's state.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.extensions import db
from core.timeutil import UTCDateTime, utcnow
from plugins.lecturers.models import N_, Topic

WISH_STATES: dict[str, str] = {
    "open": N_("待村里处理"),
    "merged": N_("已并入村里的点单"),
    "declined": N_("村里未采纳"),
}


class ResidentWish(db.Model):
    __tablename__ = "lecturers_resident_wish"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The resident's home village: its coordinators decide.
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    topic_id: Mapped[int | None] = mapped_column(ForeignKey("lecturers_topic.id"))
    wish: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(10), default="open", index=True)
    request_id: Mapped[int | None] = mapped_column(ForeignKey("lecturers_request.id"), index=True)
    decline_reason: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    user = relationship("User", foreign_keys=[user_id])
    topic: Mapped[Topic | None] = relationship()
    village = relationship("OrgUnit")
    request = relationship("LectureRequest")


class LectureAttendee(db.Model):
    """群众评单: a resident who checked in at a lecture with the code shown there."""

    __tablename__ = "lecturers_attendee"
    __table_args__ = (UniqueConstraint("request_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("lecturers_request.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    checked_in_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class AttendeeRating(db.Model):
    """One attendee's rating of a delivered lecture (1–5 and a comment), once each."""

    __tablename__ = "lecturers_attendee_rating"
    __table_args__ = (UniqueConstraint("request_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("lecturers_request.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    lecturer_id: Mapped[int] = mapped_column(ForeignKey("lecturers_lecturer.id"), index=True)
    score: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
