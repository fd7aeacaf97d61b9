"""People's mediation (人民调解面对面): requests, sessions, mediators, outcomes."""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
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

party_village = Table(
    "volunteers_mediation_party_village",
    db.metadata,
    Column(
        "case_id", ForeignKey("volunteers_mediation_case.id", ondelete="CASCADE"), primary_key=True
    ),
    Column("org_unit_id", ForeignKey("org_unit.id", ondelete="CASCADE"), primary_key=True),
)

DISPUTE_TYPES = {
    "neighbour": _l("邻里纠纷"),
    "family": _l("婚姻家庭纠纷"),
    "land": _l("土地、宅基地纠纷"),
    "debt": _l("合同、债务纠纷"),
    "damage": _l("损害赔偿纠纷"),
    "labour": _l("劳动、劳务纠纷"),
    "other": _l("其他纠纷"),
}
CASE_STATES = {
    "requested": _l("待安排"),
    "scheduled": _l("已安排"),
    "concluded": _l("已结束"),
    "cancelled": _l("已取消"),
}
OUTCOMES = {"resolved": _l("调解成功"), "partly": _l("部分达成"), "referred": _l("转交其他渠道")}


class MediationCase(db.Model):
    __tablename__ = "volunteers_mediation_case"
    __table_args__ = (CheckConstraint("parties_count BETWEEN 2 AND 50", name="ck_vol_med_parties"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    requester_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), index=True)
    dispute_type: Mapped[str] = mapped_column(String(20))
    parties_count: Mapped[int] = mapped_column(SmallInteger)
    #: Private: names of the parties, one a line.
    parties: Mapped[str] = mapped_column(Text, default="")
    preferred_times: Mapped[str] = mapped_column(String(300), default="")
    #: Private: what the dispute is about.
    description: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[str] = mapped_column(String(12), default="requested", index=True)
    venue: Mapped[str] = mapped_column(String(200), default="")
    starts_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    outcome: Mapped[str | None] = mapped_column(String(12))
    outcome_note: Mapped[str] = mapped_column(Text, default="")
    follow_up_on: Mapped[date | None] = mapped_column(Date)
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    requester: Mapped[User] = relationship()
    org_unit: Mapped[OrgUnit] = relationship()
    party_villages: Mapped[list[OrgUnit]] = relationship(secondary=party_village)
    mediators: Mapped[list[CaseMediator]] = relationship(
        back_populates="case", cascade="all, delete-orphan", order_by="CaseMediator.id"
    )

    @property
    def active_mediators(self) -> list[CaseMediator]:
        return [m for m in self.mediators if not m.removed]

    def conflict_village_ids(self) -> set[int]:
        """Villages whose people should not mediate this case (recusal)."""
        return {self.org_unit_id, *(unit.id for unit in self.party_villages)}


class CaseMediator(db.Model):
    """A mediator or helping volunteer on a case; ``conflict`` flags a same-village mediator."""

    __tablename__ = "volunteers_mediation_mediator"
    __table_args__ = (UniqueConstraint("case_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(
        ForeignKey("volunteers_mediation_case.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    kind: Mapped[str] = mapped_column(String(12), default="mediator")  # mediator | volunteer
    conflict: Mapped[bool] = mapped_column(Boolean, default=False)
    removed: Mapped[bool] = mapped_column(Boolean, default=False)
    removed_reason: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    case: Mapped[MediationCase] = relationship(back_populates="mediators")
    user: Mapped[User] = relationship()
