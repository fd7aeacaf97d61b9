"""The credit ledger and the rules that price each activity.

The ledger is append-only: an undo writes a reversing entry. ``generation`` counts how many times
a source was undone before, so (source, kind, id, user, entry kind, generation) is unique: the
same signal twice credits once, and a redo after an undo credits exactly once more.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.extensions import db
from core.timeutil import UTCDateTime, utcnow

CREDIT = "credit"
REVERSAL = "reversal"


class CreditRule(db.Model):
    """How many credits one unit of an activity earns, with caps per day and per month."""

    __tablename__ = "credits_rule"
    __table_args__ = (
        CheckConstraint("amount >= 0", name="amount_nonneg"),
        CheckConstraint("daily_cap IS NULL OR daily_cap >= 0", name="daily_cap_nonneg"),
        CheckConstraint("monthly_cap IS NULL OR monthly_cap >= 0", name="monthly_cap_nonneg"),
    )

    #: Rules have no org unit: they hold for the whole installation (every town of a district),
    #: so ``core.permissions.can`` lets only holders at the root of the tree change them.
    permission_unit_id = None

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_type: Mapped[str] = mapped_column(String(40), unique=True)
    amount: Mapped[int] = mapped_column(Integer)
    daily_cap: Mapped[int | None] = mapped_column(Integer)
    monthly_cap: Mapped[int | None] = mapped_column(Integer)
    active: Mapped[bool] = mapped_column(default=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class CreditEntry(db.Model):
    """One line of the ledger; never edited. Reversals carry a negative amount."""

    __tablename__ = "credits_entry"
    __table_args__ = (
        UniqueConstraint(
            "source",
            "source_kind",
            "source_id",
            "user_id",
            "entry_kind",
            "generation",
            name="credits_entry_once_per_source",
        ),
        # Reports sum a period by village: this index answers that without touching the table.
        Index("ix_credits_entry_period_unit", "occurred_at", "org_unit_id", "amount"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    #: The person's home village when credited: rankings by village count it there.
    org_unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_unit.id"), index=True)
    amount: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(200))
    source: Mapped[str] = mapped_column(String(40))
    source_kind: Mapped[str] = mapped_column(String(40))
    source_id: Mapped[str] = mapped_column(String(40))
    rule: Mapped[str] = mapped_column(String(40))
    entry_kind: Mapped[str] = mapped_column(String(10), default=CREDIT)
    generation: Mapped[int] = mapped_column(Integer, default=0)
    #: Why the amount is less than the rule's (a cap was reached), shown in the history.
    note: Mapped[str] = mapped_column(String(200), default="")
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    user = relationship("User")


class CreditHousehold(db.Model):
    """The household a person says they belong to (户主姓名或门牌), for 学习型家庭 views.

    People of one village who give the same household name are counted together.
    """

    __tablename__ = "credits_household"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), unique=True)
    name: Mapped[str] = mapped_column(String(50))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
