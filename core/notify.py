"""The notification outbox: ``notify`` queues, ``send_pending`` delivers through channels.

A row is never deleted when a channel fails; it is retried with a growing delay until
``NOTIFICATION_MAX_ATTEMPTS``. Channels are adapters: log and SMTP here; SMS or WeChat gateways
are added by registering another ``Channel`` in ``CHANNELS``.
"""

from __future__ import annotations

import logging
import smtplib
from datetime import timedelta
from email.message import EmailMessage

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from core.extensions import db
from core.models import Notification, NotificationDelivery, User
from core.timeutil import utcnow

log = logging.getLogger("xiangxuetong.notifications")


class Channel:
    """A way to reach a person. ``applies_to`` decides per user; ``deliver`` raises on failure."""

    name = "base"

    def applies_to(self, user: User) -> bool:
        return True

    def deliver(self, notification: Notification) -> None:
        raise NotImplementedError


class LogChannel(Channel):
    """Writes each message to the application log (always on; the on-site list is the table)."""

    name = "log"

    def deliver(self, notification: Notification) -> None:
        log.info("notify user=%s subject=%s", notification.user_id, notification.subject)


class SmtpChannel(Channel):
    """E-mail through the SMTP server in ``SMTP_HOST`` to users who gave an address."""

    name = "email"

    def applies_to(self, user: User) -> bool:
        return bool(current_app.config["SMTP_HOST"] and user.email)

    def deliver(self, notification: Notification) -> None:
        settings = current_app.config
        message = EmailMessage()
        message["Subject"] = notification.subject
        message["From"] = settings["SMTP_SENDER"]
        message["To"] = notification.user.email
        link = f"\n\n{settings['SITE_URL']}{notification.link}" if notification.link else ""
        message.set_content(notification.body + link)
        with smtplib.SMTP(settings["SMTP_HOST"], settings["SMTP_PORT"], timeout=20) as smtp:
            if settings["SMTP_TLS"]:
                smtp.starttls()
            if settings["SMTP_USER"]:
                smtp.login(settings["SMTP_USER"], settings["SMTP_PASSWORD"])
            smtp.send_message(message)


CHANNELS: dict[str, Channel] = {channel.name: channel for channel in (LogChannel(), SmtpChannel())}


def notify(
    user_id: int,
    subject: str,
    body: str = "",
    link: str | None = None,
    dedupe_key: str | None = None,
) -> Notification | None:
    """Queue a message for a user on every channel that reaches them.

    With ``dedupe_key`` the same message is queued once only (reminders sent by cron).
    Returns None when it was already queued. The caller commits.
    """
    user = db.session.get(User, user_id)
    if user is None:
        raise LookupError(f"no user {user_id}")
    if dedupe_key and db.session.scalar(
        select(Notification.id).where(Notification.dedupe_key == dedupe_key)
    ):
        return None
    notification = Notification(
        user_id=user_id, subject=subject[:200], body=body, link=link, dedupe_key=dedupe_key
    )
    for channel in CHANNELS.values():
        if channel.applies_to(user):
            notification.deliveries.append(NotificationDelivery(channel=channel.name))
    try:
        with db.session.begin_nested():
            db.session.add(notification)
    except IntegrityError:  # another worker queued the same dedupe_key at the same moment
        return None
    return notification


def retry_delay(attempts: int) -> timedelta:
    """1, 2, 4, 8 ... minutes, at most a day."""
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), 24 * 60))


def _claim_next(now) -> NotificationDelivery | None:
    """Lock one due delivery; other workers skip it (SKIP LOCKED) and take the next."""
    return db.session.scalar(
        select(NotificationDelivery)
        .where(
            NotificationDelivery.status == "pending", NotificationDelivery.next_attempt_at <= now
        )
        .order_by(NotificationDelivery.id)
        .limit(1)
        .with_for_update(skip_locked=True)
    )


def send_pending(limit: int = 500) -> dict[str, int]:
    """Deliver due rows one transaction each; count sent, failed (to retry) and given up."""
    now = utcnow()
    max_attempts = current_app.config["NOTIFICATION_MAX_ATTEMPTS"]
    counts = {"sent": 0, "failed": 0, "gave_up": 0}
    for _ in range(limit):
        delivery = _claim_next(now)
        if delivery is None:
            break
        channel = CHANNELS.get(delivery.channel)
        delivery.attempts += 1
        try:
            if channel is None:
                raise LookupError(f"unknown channel {delivery.channel}")
            channel.deliver(delivery.notification)
        except Exception as error:  # a channel fault must never lose the message
            delivery.last_error = repr(error)[:1000]
            if delivery.attempts >= max_attempts:
                delivery.status = "failed"
                counts["gave_up"] += 1
            else:
                delivery.next_attempt_at = now + retry_delay(delivery.attempts)
                counts["failed"] += 1
        else:
            delivery.status = "sent"
            delivery.sent_at = now
            counts["sent"] += 1
        db.session.commit()
    return counts


def pending_count() -> int:
    """How many deliveries wait in the outbox (for health and metrics)."""
    return db.session.scalar(
        select(db.func.count(NotificationDelivery.id)).where(
            NotificationDelivery.status == "pending"
        )
    )
