"""Counsellor areas, the demonstration standard with its scores and milestones, written rules."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    CheckConstraint,
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


class CounsellorArea(db.Model):
    """One village or school in a counsellor's area (分片联系)."""

    __tablename__ = "steering_counsellor_area"
    __table_args__ = (UniqueConstraint("user_id", "org_unit_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user = relationship("User", lazy="joined")
    org_unit = relationship("OrgUnit", lazy="joined")


class StandardItem(db.Model):
    """One item of a year's demonstration standard; a year's points sum to 100."""

    __tablename__ = "steering_standard_item"
    __table_args__ = (CheckConstraint("points > 0 AND points <= 100", name="points_range"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(Integer, index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    title: Mapped[str] = mapped_column(String(120))
    points: Mapped[int] = mapped_column(Integer)
    evidence: Mapped[str] = mapped_column(String(300), default="")
    #: A report figure (``Metric.key``) that suggests the score: full points at ``metric_target``.
    metric_key: Mapped[str | None] = mapped_column(String(80))
    metric_target: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))


class StandardAssessment(db.Model):
    """A village's self-assessment against a year's standard and the town's score of it."""

    __tablename__ = "steering_standard_assessment"
    __table_args__ = (UniqueConstraint("org_unit_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(12), default="submitted")  # submitted, scored
    self_total: Mapped[Decimal] = mapped_column(Numeric(6, 2), default=0)
    town_total: Mapped[Decimal | None] = mapped_column(Numeric(6, 2))
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    scored_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    scored_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    org_unit = relationship("OrgUnit")
    answers: Mapped[list[StandardAnswer]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="StandardAnswer.item_id"
    )


class StandardAnswer(db.Model):
    """A village's claim for one item, its evidence, and the town's points."""

    __tablename__ = "steering_standard_answer"
    __table_args__ = (UniqueConstraint("assessment_id", "item_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("steering_standard_assessment.id"), index=True
    )
    item_id: Mapped[int] = mapped_column(ForeignKey("steering_standard_item.id"))
    self_points: Mapped[Decimal] = mapped_column(Numeric(6, 2))
    evidence: Mapped[str] = mapped_column(String(500), default="")
    town_points: Mapped[Decimal | None] = mapped_column(Numeric(6, 2))

    item = relationship("StandardItem", lazy="joined")


class Milestone(db.Model):
    """By the end of ``year``: ``demonstration_villages`` scored demonstration villages in all,
    and with ``full_coverage`` every village."""

    __tablename__ = "steering_milestone"

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(Integer, unique=True)
    demonstration_villages: Mapped[int] = mapped_column(Integer, default=0)
    full_coverage: Mapped[bool] = mapped_column(default=False)


class RulePage(db.Model):
    """A written rule (duties, management rules, methods); its text lives in versions."""

    __tablename__ = "steering_rule_page"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(40), unique=True)
    title: Mapped[str] = mapped_column(String(120))
    versions: Mapped[list[RuleVersion]] = relationship(
        cascade="all, delete-orphan", order_by="RuleVersion.number"
    )

    @property
    def current(self) -> RuleVersion | None:
        return self.versions[-1] if self.versions else None


class RuleVersion(db.Model):
    """One saved text of a rule page: never changed afterwards, earlier ones stay readable."""

    __tablename__ = "steering_rule_version"
    __table_args__ = (UniqueConstraint("page_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    page_id: Mapped[int] = mapped_column(ForeignKey("steering_rule_page.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    body: Mapped[str] = mapped_column(Text)
    note: Mapped[str] = mapped_column(String(200), default="")
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    author = relationship("User")
