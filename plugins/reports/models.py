"""Tables of the reports plugin: goals, targets, weights, programme funds, mobile learning."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.extensions import db
from core.timeutil import UTCDateTime, utcnow


class VillageGoal(db.Model):
    """Per-village goal flags kept outside core: the demonstration village(s)."""

    __tablename__ = "reports_village_goal"

    id: Mapped[int] = mapped_column(primary_key=True)
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), unique=True)
    demonstration: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    @property
    def permission_unit_id(self) -> int | None:
        """Who may withdraw it: managers of its unit, or of the top for an item for everyone."""
        return self.org_unit_id


class YearTarget(db.Model):
    """What each village should reach on one metric in a year (e.g. 12 events held)."""

    __tablename__ = "reports_target"
    __table_args__ = (
        UniqueConstraint("year", "metric_key"),
        CheckConstraint("target >= 0", name="target_nonneg"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(Integer)
    metric_key: Mapped[str] = mapped_column(String(80))
    target: Mapped[Decimal] = mapped_column(Numeric(12, 2))


class AssessmentWeight(db.Model):
    """The weight (percent) of a metric in a year's annual assessment; a year's sum is 100."""

    __tablename__ = "reports_weight"
    __table_args__ = (
        UniqueConstraint("year", "metric_key"),
        CheckConstraint("weight >= 0 AND weight <= 100", name="weight_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(Integer)
    metric_key: Mapped[str] = mapped_column(String(80))
    weight: Mapped[Decimal] = mapped_column(Numeric(5, 2))


class Budget(db.Model):
    """A village's programme-fund budget for a year (专项经费)."""

    __tablename__ = "reports_budget"
    __table_args__ = (
        UniqueConstraint("org_unit_id", "year"),
        CheckConstraint("amount >= 0", name="amount_nonneg"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    amount: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class Spending(db.Model):
    """Money spent from a village's programme funds, with its receipt."""

    __tablename__ = "reports_spending"
    __table_args__ = (CheckConstraint("amount > 0", name="amount_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), index=True)
    spent_on: Mapped[date] = mapped_column(Date, index=True)
    category: Mapped[str] = mapped_column(String(30))
    amount: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    description: Mapped[str] = mapped_column(String(200), default="")
    receipt_file: Mapped[str | None] = mapped_column(String(80))
    receipt_type: Mapped[str | None] = mapped_column(String(40))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    org_unit = relationship("OrgUnit")
    created_by = relationship("User")


class LearningItem(db.Model):
    """A short 指尖学习 item published for a day: text, an optional link and picture."""

    __tablename__ = "reports_learning_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    publish_on: Mapped[date] = mapped_column(Date, index=True)
    title: Mapped[str] = mapped_column(String(100))
    body: Mapped[str] = mapped_column(Text, default="")
    link: Mapped[str | None] = mapped_column(String(500))
    picture_file: Mapped[str | None] = mapped_column(String(80))
    picture_type: Mapped[str | None] = mapped_column(String(40))
    withdrawn: Mapped[bool] = mapped_column(Boolean, default=False)
    #: The town (or other unit) whose residents it is for; None: everyone in the installation.
    org_unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_unit.id"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
