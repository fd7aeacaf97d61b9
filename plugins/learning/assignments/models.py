"""Assigned learning: a course given to a group of people with a deadline, and the party roster.

Party membership is not an account role, so the learning plugin keeps the roster （党员名册） that
village coordinators maintain; the other groups come from core roles.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.extensions import db
from core.timeutil import UTCDateTime, utcnow

#: group kind → label; who is in it is decided by ``groups.members``.
GROUPS: dict[str, str] = {
    "party_members": "党员",
    "volunteers": "志愿者",
    "counsellors": "辅导员",
    "residents": "全体居民",
}


class CourseAssignment(db.Model):
    """A course assigned to one group within an org unit, due on a local date."""

    __tablename__ = "learning_assignment"
    __table_args__ = (
        UniqueConstraint("course_id", "org_unit_id", "group", name="uq_learning_assignment"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("learning_course.id"), index=True)
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), index=True)
    group: Mapped[str] = mapped_column(String(20))
    due_on: Mapped[date] = mapped_column(Date)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    course = relationship("Course")
    org_unit = relationship("OrgUnit")

    @property
    def group_label(self) -> str:
        return GROUPS.get(self.group, self.group)


class PartyMember(db.Model):
    """A person on the party roster of an org unit (their branch)."""

    __tablename__ = "learning_party_member"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), unique=True)
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), index=True)
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user = relationship("User", foreign_keys=[user_id])
