"""Volunteer profiles, skills, teams, shifts, roles and assignments (free time: core)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Float,
    ForeignKey,
    Integer,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.extensions import db
from core.models import OrgUnit, User
from core.timeutil import UTCDateTime, utcnow

profile_skill = Table(
    "volunteers_profile_skill",
    db.metadata,
    Column("profile_id", ForeignKey("volunteers_profile.id", ondelete="CASCADE"), primary_key=True),
    Column("skill_id", ForeignKey("volunteers_skill.id", ondelete="CASCADE"), primary_key=True),
)
profile_team = Table(
    "volunteers_profile_team",
    db.metadata,
    Column("profile_id", ForeignKey("volunteers_profile.id", ondelete="CASCADE"), primary_key=True),
    Column("team_id", ForeignKey("volunteers_team.id", ondelete="CASCADE"), primary_key=True),
)
profile_village = Table(
    "volunteers_profile_village",
    db.metadata,
    Column("profile_id", ForeignKey("volunteers_profile.id", ondelete="CASCADE"), primary_key=True),
    Column("org_unit_id", ForeignKey("org_unit.id", ondelete="CASCADE"), primary_key=True),
)
role_skill = Table(
    "volunteers_shift_role_skill",
    db.metadata,
    Column("role_id", ForeignKey("volunteers_shift_role.id", ondelete="CASCADE"), primary_key=True),
    Column("skill_id", ForeignKey("volunteers_skill.id", ondelete="CASCADE"), primary_key=True),
)

#: (code, Chinese name) of the seeded skills; the list is managed on the skills page.
SEED_SKILLS = [
    ("law", "法律"),
    ("health", "医疗卫生"),
    ("arts", "文艺"),
    ("sports", "体育"),
    ("teaching", "教学"),
    ("it", "信息技术"),
    ("mediation", "调解"),
    ("publicity", "摄影宣传"),
    ("elderly", "助老"),
    ("other", "其他"),
]


class Skill(db.Model):
    __tablename__ = "volunteers_skill"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(30), unique=True)
    name: Mapped[str] = mapped_column(String(40), unique=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    def __str__(self) -> str:
        return self.name


class Team(db.Model):
    __tablename__ = "volunteers_team"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(60), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    org_unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_unit.id"), index=True)

    def __str__(self) -> str:
        return self.name


class Profile(db.Model):
    """One per volunteer; its row is the lock that serialises that volunteer's bookings."""

    __tablename__ = "volunteers_profile"
    __table_args__ = (
        CheckConstraint("monthly_max_shifts BETWEEN 1 AND 31", name="ck_vol_profile_max"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), unique=True)
    home_unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_unit.id"), index=True)
    monthly_max_shifts: Mapped[int] = mapped_column(SmallInteger, default=4)
    status: Mapped[str] = mapped_column(String(12), default="approved", index=True)
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()
    home_unit: Mapped[OrgUnit | None] = relationship()
    skills: Mapped[list[Skill]] = relationship(secondary=profile_skill, order_by=Skill.id)
    teams: Mapped[list[Team]] = relationship(secondary=profile_team, order_by=Team.name)
    villages: Mapped[list[OrgUnit]] = relationship(secondary=profile_village)

    @property
    def permission_unit_id(self) -> int | None:
        return self.home_unit_id


class Shift(db.Model):
    """A need for volunteers at a time and place."""

    __tablename__ = "volunteers_shift"
    __table_args__ = (CheckConstraint("ends_at > starts_at", name="ck_vol_shift_order"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), index=True)
    venue: Mapped[str] = mapped_column(String(200), default="")
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    signup_opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    signup_closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withdraw_deadline: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: The calendar plugin's event this shift serves, as its id or uid (no foreign key).
    calendar_event_ref: Mapped[str | None] = mapped_column(String(120))
    public: Mapped[bool] = mapped_column(Boolean, default=True)
    cancelled: Mapped[bool] = mapped_column(Boolean, default=False)
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    org_unit: Mapped[OrgUnit] = relationship()
    roles: Mapped[list[ShiftRole]] = relationship(
        back_populates="shift", cascade="all, delete-orphan", order_by="ShiftRole.id"
    )

    @property
    def hours(self) -> float:
        return round((self.ends_at - self.starts_at).total_seconds() / 3600, 2)

    def signup_open(self, now: datetime) -> bool:
        if self.cancelled or now >= self.starts_at:
            return False
        if self.signup_opens_at and now < self.signup_opens_at:
            return False
        return not (self.signup_closes_at and now >= self.signup_closes_at)

    def can_withdraw(self, now: datetime) -> bool:
        deadline = self.withdraw_deadline or self.starts_at
        return now < deadline


class ShiftRole(db.Model):
    """A job within a shift (2 × sign-in guide); its row is the lock for its slots."""

    __tablename__ = "volunteers_shift_role"
    __table_args__ = (CheckConstraint("needed BETWEEN 1 AND 100", name="ck_vol_role_needed"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    shift_id: Mapped[int] = mapped_column(
        ForeignKey("volunteers_shift.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(60))
    needed: Mapped[int] = mapped_column(SmallInteger)

    shift: Mapped[Shift] = relationship(back_populates="roles")
    skills: Mapped[list[Skill]] = relationship(secondary=role_skill, order_by=Skill.id)
    assignments: Mapped[list[Assignment]] = relationship(
        back_populates="role", cascade="all, delete-orphan", order_by="Assignment.id"
    )

    @property
    def org_unit_id(self) -> int:
        return self.shift.org_unit_id

    @property
    def confirmed_count(self) -> int:
        return sum(1 for a in self.assignments if a.status == "confirmed")


class Assignment(db.Model):
    """A volunteer on a shift role: its status and, afterwards, attendance and hours."""

    __tablename__ = "volunteers_assignment"
    __table_args__ = (
        UniqueConstraint("role_id", "user_id"),
        CheckConstraint("hours IS NULL OR (hours >= 0 AND hours <= 24)", name="ck_vol_hours"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    role_id: Mapped[int] = mapped_column(
        ForeignKey("volunteers_shift_role.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    status: Mapped[str] = mapped_column(String(12), index=True)
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    #: When the status last changed: the waiting list is served in this order.
    status_changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    checked_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    checked_out_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    hours: Mapped[float | None] = mapped_column(Float)
    #: Why the confirmed hours pass the bound (``attendance.hours_limits``); empty within it.
    hours_reason: Mapped[str] = mapped_column(String(300), default="", server_default="")
    hours_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    hours_confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    no_show: Mapped[bool] = mapped_column(Boolean, default=False)

    role: Mapped[ShiftRole] = relationship(back_populates="assignments")
    user: Mapped[User] = relationship(foreign_keys=[user_id])

    @property
    def shift(self) -> Shift:
        return self.role.shift

    @property
    def org_unit_id(self) -> int:
        return self.role.shift.org_unit_id
