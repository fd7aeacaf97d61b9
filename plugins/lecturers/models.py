"""Tables of the lecturer corps and the topic menu (requests live in ``requests/models.py``)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.extensions import db
from core.i18n import translate
from core.timeutil import UTCDateTime, utcnow


def N_(text: str) -> str:
    """Mark a msgid for extraction; translated later by ``core.i18n.translate``."""
    return text


#: The four lecture formats of the policy, code → label.
FORMATS: dict[str, str] = {
    "briefing": N_("宣讲会"),
    "training": N_("培训会"),
    "forum": N_("座谈会"),
    "courtyard": N_("院坝会"),
}

#: The most people a lecture may be ordered for or recorded with.
MAX_AUDIENCE = 5000

LECTURER_STATUSES = {"applied": N_("待审核"), "approved": N_("已通过"), "rejected": N_("未通过")}
SOURCES = {"self": N_("自荐"), "recommended": N_("单位推荐")}


def format_label(code: str | None) -> str:
    return translate(FORMATS.get(code or "", code or ""))


class Lecturer(db.Model):
    """A member (or applicant) of the lecturer corps, tied to one user account."""

    __tablename__ = "lecturers_lecturer"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), unique=True)
    #: The employer: a school, the health centre, the justice office ...
    org_unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_unit.id"), index=True)
    title: Mapped[str] = mapped_column(String(60), default="")
    bio: Mapped[str] = mapped_column(Text, default="")
    #: Comma-separated format codes (see ``FORMATS``).
    formats: Mapped[str] = mapped_column(String(100), default="")
    monthly_max: Mapped[int] = mapped_column(Integer, default=4)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    status: Mapped[str] = mapped_column(String(12), default="applied", index=True)
    reject_reason: Mapped[str] = mapped_column(String(300), default="")
    source: Mapped[str] = mapped_column(String(12), default="self")
    recommender_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user = relationship("User", foreign_keys=[user_id])
    recommender = relationship("User", foreign_keys=[recommender_id])
    org_unit = relationship("OrgUnit")
    offers: Mapped[list[Offer]] = relationship(
        back_populates="lecturer", cascade="all, delete-orphan"
    )
    villages: Mapped[list[LecturerVillage]] = relationship(cascade="all, delete-orphan")

    @property
    def permission_unit_id(self) -> int | None:
        return self.org_unit_id

    @property
    def format_codes(self) -> list[str]:
        return [code for code in self.formats.split(",") if code in FORMATS]

    @property
    def format_labels(self) -> str:
        return "、".join(format_label(code) for code in self.format_codes)

    @property
    def village_ids(self) -> list[int]:
        return [row.org_unit_id for row in self.villages]

    @property
    def topic_ids(self) -> list[int]:
        return [offer.topic_id for offer in self.offers]

    def __str__(self) -> str:
        return self.user.display_name if self.user else f"#{self.id}"


class LecturerVillage(db.Model):
    """A village a lecturer is willing to serve; none listed means the whole town."""

    __tablename__ = "lecturers_lecturer_village"

    lecturer_id: Mapped[int] = mapped_column(
        ForeignKey("lecturers_lecturer.id", ondelete="CASCADE"), primary_key=True
    )
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), primary_key=True)


class TopicDomain(db.Model):
    """A group of topics on the menu (health, law, education ...)."""

    __tablename__ = "lecturers_topic_domain"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(60), unique=True)
    position: Mapped[int] = mapped_column(Integer, default=0)

    topics: Mapped[list[Topic]] = relationship(back_populates="domain", order_by="Topic.name")


class Topic(db.Model):
    """One item a village can order (点单菜单)."""

    __tablename__ = "lecturers_topic"

    id: Mapped[int] = mapped_column(primary_key=True)
    domain_id: Mapped[int] = mapped_column(ForeignKey("lecturers_topic_domain.id"), index=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    domain: Mapped[TopicDomain] = relationship(back_populates="topics")
    formats: Mapped[list[TopicFormat]] = relationship(
        cascade="all, delete-orphan", order_by="TopicFormat.id"
    )
    offers: Mapped[list[Offer]] = relationship(back_populates="topic")

    def format_for(self, code: str) -> TopicFormat | None:
        return next((row for row in self.formats if row.format == code), None)

    def __str__(self) -> str:
        return self.name


class TopicFormat(db.Model):
    """A format a topic is given in, with its usual length and audience size."""

    __tablename__ = "lecturers_topic_format"
    __table_args__ = (UniqueConstraint("topic_id", "format"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    topic_id: Mapped[int] = mapped_column(
        ForeignKey("lecturers_topic.id", ondelete="CASCADE"), index=True
    )
    format: Mapped[str] = mapped_column(String(20))
    default_minutes: Mapped[int] = mapped_column(Integer, default=60)
    default_audience: Mapped[int] = mapped_column(Integer, default=40)

    @property
    def label(self) -> str:
        return format_label(self.format)


class Offer(db.Model):
    """A lecturer offers a topic."""

    __tablename__ = "lecturers_offer"
    __table_args__ = (UniqueConstraint("lecturer_id", "topic_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    lecturer_id: Mapped[int] = mapped_column(
        ForeignKey("lecturers_lecturer.id", ondelete="CASCADE"), index=True
    )
    topic_id: Mapped[int] = mapped_column(ForeignKey("lecturers_topic.id"), index=True)

    lecturer: Mapped[Lecturer] = relationship(back_populates="offers")
    topic: Mapped[Topic] = relationship(back_populates="offers")


# The request tables (their own sub-package) load with these, so the metadata sees every table.
from plugins.lecturers.requests import models as _request_models  # noqa: E402,F401
