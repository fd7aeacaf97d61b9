"""When a person is usually free (weekly slots) and the days they are not (blackouts).

One set per person, read by every plugin that plans people's time (lecturers, volunteers).
"""

from __future__ import annotations

from datetime import date, time

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    SmallInteger,
    String,
    Time,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from core.extensions import db


class Availability(db.Model):
    """A weekly slot (local time) when the person can usually come."""

    __tablename__ = "user_availability"
    __table_args__ = (
        CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday"),
        CheckConstraint("end_time > start_time", name="order"),
        UniqueConstraint("user_id", "weekday", "start_time", "end_time"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    weekday: Mapped[int] = mapped_column(SmallInteger)  # 0 Monday … 6 Sunday
    start_time: Mapped[time] = mapped_column(Time)
    end_time: Mapped[time] = mapped_column(Time)


class Blackout(db.Model):
    """A local date on which the person cannot come at all."""

    __tablename__ = "user_blackout"
    __table_args__ = (UniqueConstraint("user_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    day: Mapped[date] = mapped_column(Date, index=True)
    note: Mapped[str] = mapped_column(String(100), default="")
