"""Tables of lecture requests (点单) and the rows hanging off one: its preferred slots, timeline,
declines and files; residents' wishes merged into it (群众点单), its attendees and their ratings
(群众评单)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.extensions import db
from core.i18n import translate
from core.timeutil import UTCDateTime, utcnow
from plugins.lecturers.models import N_, Lecturer, Topic, format_label

STATES: dict[str, str] = {
    "submitted": N_("待派单"),
    "assigned": N_("已派单"),
    "accepted": N_("已接单"),
    "scheduled": N_("已排期"),
    "delivered": N_("已宣讲"),
    "rated": N_("已评价"),
    "closed": N_("已结案"),
    "cancelled": N_("已取消"),
}
OPEN_STATES = ("submitted", "assigned", "accepted", "scheduled")
#: States in which a lecturer's time is taken by a request.
BOOKED_STATES = ("accepted", "scheduled")
DONE_STATES = ("delivered", "rated", "closed")

AUDIENCE_GROUPS: dict[str, str] = {
    "all": N_("全体村民"),
    "elderly": N_("老年人"),
    "women": N_("妇女"),
    "party": N_("党员"),
    "students": N_("学生"),
}


class LectureRequest(db.Model):
    """A village's order for a lecture and everything that happens to it."""

    __tablename__ = "lecturers_request"
    __table_args__ = (
        Index("ix_lecturers_request_lecturer_start", "lecturer_id", "scheduled_start"),
        Index("ix_lecturers_request_state_start", "state", "scheduled_start"),
        # Covering index: the average rating per lecturer is read from the index alone.
        Index("ix_lecturers_request_lecturer_rating", "lecturer_id", "rating"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), index=True)
    topic_id: Mapped[int] = mapped_column(ForeignKey("lecturers_topic.id"), index=True)
    format: Mapped[str] = mapped_column(String(20))
    audience_size: Mapped[int] = mapped_column(Integer)
    audience_group: Mapped[str] = mapped_column(String(20), default="all")
    venue: Mapped[str] = mapped_column(String(200), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[str] = mapped_column(String(20), default="submitted", index=True)
    lecturer_id: Mapped[int | None] = mapped_column(ForeignKey("lecturers_lecturer.id"), index=True)
    #: The preferred slot the lecturer picked (its times are copied to scheduled_start/end).
    chosen_slot_id: Mapped[int | None] = mapped_column(Integer)
    scheduled_start: Mapped[datetime | None] = mapped_column(UTCDateTime)
    scheduled_end: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: True once the lecture was put on the calendar; a later cancel then shows there.
    published: Mapped[bool] = mapped_column(default=False)
    attendance: Mapped[int | None] = mapped_column(Integer)
    materials: Mapped[str] = mapped_column(Text, default="")
    summary: Mapped[str] = mapped_column(Text, default="")
    rating: Mapped[int | None] = mapped_column(Integer)
    rating_comment: Mapped[str] = mapped_column(Text, default="")
    cancel_reason: Mapped[str] = mapped_column(String(300), default="")
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    #: One-time key of the form that created the request: a double submit cannot add a second.
    idempotency_key: Mapped[str] = mapped_column(String(64), unique=True)
    #: Raised on every change of time, place or status (iCalendar SEQUENCE).
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: When the request entered its current state (the queue's waiting time).
    state_changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    village = relationship("OrgUnit")
    topic: Mapped[Topic] = relationship()
    lecturer: Mapped[Lecturer | None] = relationship()
    requested_by = relationship("User", foreign_keys=[requested_by_id])
    slots: Mapped[list[RequestSlot]] = relationship(
        back_populates="request",
        cascade="all, delete-orphan",
        order_by="RequestSlot.start",
    )
    events: Mapped[list[RequestEvent]] = relationship(
        cascade="all, delete-orphan", order_by="RequestEvent.id"
    )

    @property
    def permission_unit_id(self) -> int:
        return self.org_unit_id

    @property
    def state_label(self) -> str:
        return translate(STATES.get(self.state, self.state))

    @property
    def format_label(self) -> str:
        return format_label(self.format)

    @property
    def audience_group_label(self) -> str:
        return translate(AUDIENCE_GROUPS.get(self.audience_group, self.audience_group))

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES


class RequestSlot(db.Model):
    """One of the two or three preferred times the village proposes."""

    __tablename__ = "lecturers_request_slot"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("lecturers_request.id", ondelete="CASCADE"), index=True
    )
    start: Mapped[datetime] = mapped_column(UTCDateTime)
    end: Mapped[datetime] = mapped_column(UTCDateTime)

    request: Mapped[LectureRequest] = relationship(back_populates="slots")


class RequestEvent(db.Model):
    """A row of the request's timeline: who moved it from which state to which, and why."""

    __tablename__ = "lecturers_request_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("lecturers_request.id", ondelete="CASCADE"), index=True
    )
    action: Mapped[str] = mapped_column(String(20))
    from_state: Mapped[str | None] = mapped_column(String(20))
    to_state: Mapped[str] = mapped_column(String(20))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    actor = relationship("User")

    @property
    def to_label(self) -> str:
        return translate(STATES.get(self.to_state, self.to_state))


class Decline(db.Model):
    """A lecturer turned a request down; they are never suggested for it again."""

    __tablename__ = "lecturers_decline"
    __table_args__ = (UniqueConstraint("request_id", "lecturer_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("lecturers_request.id", ondelete="CASCADE"), index=True
    )
    lecturer_id: Mapped[int] = mapped_column(ForeignKey("lecturers_lecturer.id"), index=True)
    reason: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


MATERIAL_KINDS: dict[str, str] = {
    "slides": N_("课件讲义"),
    "signin": N_("签到册"),
    "photo": N_("活动照片"),
    "press": N_("通讯稿"),
    "other": N_("其他"),
}
#: Files meant for the audience: shown on the lecture's public page, and addable once the
#: lecturer has accepted (slides shared before the lecture). The others are records of it.
PUBLIC_MATERIAL_KINDS = ("slides",)


class LecturerMaterial(db.Model):
    """A file kept as proof of a delivered lecture (签到册, 活动照片, 通讯稿 …).

    The bytes live under ``UPLOAD_DIR``/lecturers/ with a generated name; only this row knows
    the person's original file name.
    """

    __tablename__ = "lecturers_material"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("lecturers_request.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(20))
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    original_name: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(120))
    size: Mapped[int] = mapped_column(Integer)
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    uploaded_by = relationship("User")

    @property
    def kind_label(self) -> str:
        return translate(MATERIAL_KINDS.get(self.kind, self.kind))


# --- 群众点单 and 群众评单 ----------------------------------------------------------------------

WISH_STATES: dict[str, str] = {
    "open": N_("待村里处理"),
    "merged": N_("已并入村里的点单"),
    "declined": N_("村里未采纳"),
}


class ResidentWish(db.Model):
    """群众点单: a resident asks for a lecture or a service in their home village."""

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
