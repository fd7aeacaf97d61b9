"""Calendar tables: categories, events (single or series), overrides, pauses, people, files.

An occurrence is identified by (event id, original start in UTC); registrations, attendance,
overrides and materials all point at it that way.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.extensions import db
from core.timeutil import UTCDateTime, utcnow

FREQUENCIES = ("none", "daily", "weekly", "monthly")
EVENT_STATUSES = ("scheduled", "cancelled")
REGISTRATION_STATUSES = ("confirmed", "waiting", "cancelled")
MATERIAL_KINDS = (
    "study_plan",
    "activity_plan",
    "learning_record",
    "photo",
    "press_release",
    "other",
)


class CalendarCategory(db.Model):
    __tablename__ = "calendar_category"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(40), unique=True)
    colour: Mapped[str] = mapped_column(String(7), default="#8a1c12")
    position: Mapped[int] = mapped_column(Integer, default=100)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class CalendarEvent(db.Model):
    """A single event or the master of a series (``freq`` other than "none")."""

    __tablename__ = "calendar_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    markdown: Mapped[bool] = mapped_column(Boolean, default=False)
    category_id: Mapped[int] = mapped_column(ForeignKey("calendar_category.id"), index=True)
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), index=True)
    venue: Mapped[str] = mapped_column(String(200), default="")
    start_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    end_at: Mapped[datetime] = mapped_column(UTCDateTime)
    all_day: Mapped[bool] = mapped_column(Boolean, default=False)
    capacity: Mapped[int | None] = mapped_column(Integer)
    registration_open: Mapped[bool] = mapped_column(Boolean, default=True)
    members_only: Mapped[bool] = mapped_column(Boolean, default=False)
    #: People who did not register may check themselves in (events without registration
    #: always admit them: see ``admits_walk_ins``).
    walk_ins: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    #: Minutes before the start / after the end that check-in is open; None: the site default
    #: (``CALENDAR_CHECKIN_OPENS_MINUTES_BEFORE`` / ``CALENDAR_CHECKIN_CLOSES_MINUTES_AFTER``).
    checkin_opens_before: Mapped[int | None] = mapped_column(Integer)
    checkin_closes_after: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(12), default="scheduled")
    cancel_reason: Mapped[str] = mapped_column(String(200), default="")
    freq: Mapped[str] = mapped_column(String(10), default="none")
    interval: Mapped[int] = mapped_column(Integer, default=1)
    weekdays: Mapped[str] = mapped_column(String(20), default="")  # "0,2" = Mon, Wed
    count: Mapped[int | None] = mapped_column(Integer)
    until: Mapped[date | None] = mapped_column(Date)  # last local day of the series
    #: Lies after the last occurrence (or equals end_at): lets window queries skip old series.
    last_end_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    category: Mapped[CalendarCategory] = relationship(lazy="joined")
    org_unit = relationship("OrgUnit", lazy="joined")
    overrides: Mapped[list[CalendarOccurrenceOverride]] = relationship(
        back_populates="event", cascade="all, delete-orphan", lazy="selectin"
    )
    pauses: Mapped[list[CalendarPause]] = relationship(
        back_populates="event", cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def is_series(self) -> bool:
        return self.freq != "none"

    @property
    def cancelled(self) -> bool:
        return self.status == "cancelled"

    @property
    def admits_walk_ins(self) -> bool:
        """May someone who did not register check themself in?"""
        return self.walk_ins or not self.registration_open


class CalendarOccurrenceOverride(db.Model):
    """One occurrence of a series cancelled, moved or edited."""

    __tablename__ = "calendar_occurrence_override"
    __table_args__ = (UniqueConstraint("event_id", "original_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("calendar_event.id"), index=True)
    original_start: Mapped[datetime] = mapped_column(UTCDateTime)
    cancelled: Mapped[bool] = mapped_column(Boolean, default=False)
    cancel_reason: Mapped[str] = mapped_column(String(200), default="")
    start_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    end_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    title: Mapped[str | None] = mapped_column(String(120))
    venue: Mapped[str | None] = mapped_column(String(200))
    sequence: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    event: Mapped[CalendarEvent] = relationship(back_populates="overrides")

    @property
    def state(self) -> str:
        """The date's state for ``series.OCCURRENCE_TABLE``: "cancelled" or "scheduled"."""
        return "cancelled" if self.cancelled else "scheduled"

    @state.setter
    def state(self, value: str) -> None:
        self.cancelled = value == "cancelled"


class CalendarPause(db.Model):
    """A date range (local days, inclusive) in which a series does not meet (农忙)."""

    __tablename__ = "calendar_pause"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("calendar_event.id"), index=True)
    first_day: Mapped[date] = mapped_column(Date)
    last_day: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(String(200), default="")

    event: Mapped[CalendarEvent] = relationship(back_populates="pauses")


class CalendarOccurrenceLock(db.Model):
    """One row per occurrence that has registrations: locked FOR UPDATE while seats are counted."""

    __tablename__ = "calendar_occurrence_lock"
    __table_args__ = (UniqueConstraint("event_id", "original_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("calendar_event.id"), index=True)
    original_start: Mapped[datetime] = mapped_column(UTCDateTime)
    confirmed: Mapped[int] = mapped_column(Integer, default=0)


class CalendarRegistration(db.Model):
    __tablename__ = "calendar_registration"
    __table_args__ = (UniqueConstraint("event_id", "original_start", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("calendar_event.id"), index=True)
    original_start: Mapped[datetime] = mapped_column(UTCDateTime)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    #: 代报名: a villager without a smartphone, registered by a coordinator.
    proxy_name: Mapped[str | None] = mapped_column(String(50))
    proxy_phone: Mapped[str | None] = mapped_column(String(11))
    proxy_unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_unit.id"))
    registered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    status: Mapped[str] = mapped_column(String(12), default="confirmed")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user = relationship("User", foreign_keys=[user_id], lazy="joined")
    proxy_unit = relationship("OrgUnit", foreign_keys=[proxy_unit_id])
    event: Mapped[CalendarEvent] = relationship()

    @property
    def person_name(self) -> str:
        return self.user.display_name if self.user else (self.proxy_name or "")

    @property
    def village_name(self) -> str:
        """The person's home village: the account's, or the one typed in for a 代报名."""
        unit = self.user.home_unit if self.user else self.proxy_unit
        return unit.name if unit else ""


class CalendarAttendance(db.Model):
    """A person was there. ``created_at`` is when the record was made (the real time, also for
    a staff entry typed in from a paper sheet after the window, which carries ``late_reason``).
    Undoing sets ``revoked_at``; the row stays, and only live rows (not revoked) count."""

    __tablename__ = "calendar_attendance"
    __table_args__ = (
        UniqueConstraint("event_id", "original_start", "user_id"),
        UniqueConstraint("registration_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("calendar_event.id"), index=True)
    original_start: Mapped[datetime] = mapped_column(UTCDateTime)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    registration_id: Mapped[int | None] = mapped_column(ForeignKey("calendar_registration.id"))
    walk_in_name: Mapped[str | None] = mapped_column(String(50))
    walk_in_phone: Mapped[str | None] = mapped_column(String(11))
    method: Mapped[str] = mapped_column(String(12), default="qr")  # qr, rollcall, walk_in
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    late_reason: Mapped[str | None] = mapped_column(String(200))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    revoke_reason: Mapped[str | None] = mapped_column(String(200))

    user = relationship("User", foreign_keys=[user_id], lazy="joined")
    event: Mapped[CalendarEvent] = relationship()

    @property
    def person_name(self) -> str:
        return self.user.display_name if self.user else (self.walk_in_name or "")

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None


def live_attendance():
    """The condition every count of attendance uses: the record was not revoked."""
    return CalendarAttendance.revoked_at.is_(None)


class CalendarMaterial(db.Model):
    __tablename__ = "calendar_material"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("calendar_event.id"), index=True)
    original_start: Mapped[datetime] = mapped_column(UTCDateTime)
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    original_name: Mapped[str] = mapped_column(String(200))
    stored_name: Mapped[str] = mapped_column(String(80), unique=True)
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    event: Mapped[CalendarEvent] = relationship()
    uploaded_by = relationship("User")


class CalendarFeedToken(db.Model):
    """The secret in a person's private feed URL; regenerating replaces it, revoking drops it."""

    __tablename__ = "calendar_feed_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), unique=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CalendarState(db.Model):
    """One row whose ``version`` rises with every change to events: the cheap cache key of
    pages and feeds (a primary-key read instead of an aggregate over all events)."""

    __tablename__ = "calendar_state"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=0)


class CalendarVevent(db.Model):
    """An event's rendered VEVENTs (series master, RRULE, EXDATE and overrides), kept so a feed
    is assembled by concatenation after a start, a recycle or on a new host.

    Rewritten in the transaction that changes the event (``tracking.py``); ``stamp`` is the
    event's ``updated_at`` and ``render_key`` the renderer version and site URL the bytes were
    made with, so a row that does not match is re-rendered instead of served.
    """

    __tablename__ = "calendar_vevent"

    event_id: Mapped[int] = mapped_column(
        ForeignKey("calendar_event.id", ondelete="CASCADE"), primary_key=True
    )
    stamp: Mapped[datetime] = mapped_column(UTCDateTime)
    render_key: Mapped[str] = mapped_column(String(200))
    body: Mapped[bytes] = mapped_column(LargeBinary)


class CalendarSourceVersion(db.Model):
    """A version per contributor of calendar entries (``calendar_entry_tables`` hook), raised in
    the transaction that changes one of its tables: pages and feeds key their caches and ETags
    on these instead of re-running every plugin's query."""

    __tablename__ = "calendar_source_version"

    source: Mapped[str] = mapped_column(String(40), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=0)
