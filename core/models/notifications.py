"""The notification outbox: one row per message, one delivery row per channel.

A delivery is ``pending`` until a sender claims it (``claimed_by`` / ``claimed_until``, a lease),
``sending`` from the moment it is recorded as handed to the channel (committed *before* the hand
over), then ``sent`` or ``failed``. A ``sending`` row whose sender died is never handed again: it
becomes ``unknown`` and waits for an operator (``flask notifications unknown``).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.extensions import db
from core.timeutil import UTCDateTime, utcnow


class Notification(db.Model):
    __tablename__ = "notification"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    #: What the message is about (``core.channels.KINDS``): decides channels, SMS template, urgency.
    kind: Mapped[str] = mapped_column(String(30), default="general", server_default="general")
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    #: Where the message points: an endpoint and its values, resolved with ``url_for`` when it
    #: is delivered or opened (so a moved URL never breaks a queued message).
    link_endpoint: Mapped[str | None] = mapped_column(String(120))
    link_values: Mapped[dict | None] = mapped_column(JSON)
    #: A path stored by releases before endpoints were kept (read only for those rows).
    link: Mapped[str | None] = mapped_column(String(400))
    #: Lets a sender avoid sending the same reminder twice ("calendar:reminder:42:7").
    dedupe_key: Mapped[str | None] = mapped_column(String(120), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user = relationship("User")
    deliveries: Mapped[list[NotificationDelivery]] = relationship(
        back_populates="notification", cascade="all, delete-orphan"
    )

    @property
    def url(self) -> str | None:
        """The path the message points at (``link_endpoint`` resolved now, else ``link``)."""
        from core.notify import resolve_link

        return resolve_link(self.link_endpoint, self.link_values) or self.link


class NotificationDelivery(db.Model):
    __tablename__ = "notification_delivery"
    __table_args__ = (Index("ix_notification_delivery_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    notification_id: Mapped[int] = mapped_column(ForeignKey("notification.id"), index=True)
    channel: Mapped[str] = mapped_column(String(20))
    #: Where it goes when not the user's own address (代报名: the coordinator's phone).
    address: Mapped[str | None] = mapped_column(String(254))
    status: Mapped[str] = mapped_column(String(10), default="pending", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    #: The provider's error code (isv.BUSINESS_LIMIT_CONTROL, LimitExceeded...), kept for staff.
    error_code: Mapped[str | None] = mapped_column(String(80))
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    claimed_by: Mapped[str | None] = mapped_column(String(40))
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    handed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: The provider's receipt (BizId, SerialNo) for a delivery it accepted.
    provider_ref: Mapped[str | None] = mapped_column(String(100))
    #: Billed units (an SMS over 70 characters counts as several).
    fee: Mapped[int | None] = mapped_column(Integer)

    notification: Mapped[Notification] = relationship(back_populates="deliveries")

    @property
    def message_id(self) -> str:
        """Stable across retries: a duplicate at the receiving end can be recognised by it."""
        return f"xxt-{self.id}"


class NotificationPreference(db.Model):
    """A person's choice of channels for one kind of message (no row: the defaults)."""

    __tablename__ = "notification_preference"
    __table_args__ = (UniqueConstraint("user_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    #: Comma list of channel names ("sms,email"); the site list always shows every message.
    channels: Mapped[str] = mapped_column(String(100), default="")
