"""Staff meetings: progress meetings (推进会) and staff training (业务培训), with attendance."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.extensions import db
from core.timeutil import UTCDateTime, utcnow
from plugins.steering.models import N_

MEETING_KINDS: dict[str, str] = {"progress": N_("推进会"), "training": N_("业务培训会")}
#: Staff roles a meeting may invite (by role, everyone holding it in the meeting's unit).
STAFF_ROLES = ("programme_manager", "counsellor", "village_coordinator", "volunteer")


class Meeting(db.Model):
    """A meeting for staff with an agenda, invited roles, attendance and minutes."""

    __tablename__ = "steering_meeting"
    __table_args__ = (CheckConstraint("hours > 0 AND hours <= 24", name="hours_range"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))
    title: Mapped[str] = mapped_column(String(120))
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), index=True)
    held_on: Mapped[date] = mapped_column(Date, index=True)
    hours: Mapped[Decimal] = mapped_column(Numeric(4, 1))
    venue: Mapped[str] = mapped_column(String(200), default="")
    agenda: Mapped[str] = mapped_column(Text, default="")
    minutes: Mapped[str] = mapped_column(Text, default="")
    #: Comma-separated roles invited ("counsellor,village_coordinator").
    invited_roles: Mapped[str] = mapped_column(String(200), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    org_unit = relationship("OrgUnit")
    attendees: Mapped[list[MeetingAttendee]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="MeetingAttendee.id"
    )

    @property
    def roles(self) -> list[str]:
        return [role for role in self.invited_roles.split(",") if role]


class MeetingAttendee(db.Model):
    """An invited staff member and whether they attended."""

    __tablename__ = "steering_meeting_attendee"
    __table_args__ = (UniqueConstraint("meeting_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("steering_meeting.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    attended: Mapped[bool] = mapped_column(Boolean, default=False)

    user = relationship("User", lazy="joined")
