"""A person's own on-site notifications: listing, counting, marking read.

The notifications page and the API call these, so "whose notification is it" is decided once.
"""

from __future__ import annotations

from sqlalchemy import Select, func, select

from core.extensions import db
from core.models import Notification
from core.timeutil import utcnow


def unread_count(user_id: int) -> int:
    return db.session.scalar(
        select(func.count(Notification.id)).where(
            Notification.user_id == user_id, Notification.read_at.is_(None)
        )
    )


def newest_first(user_id: int) -> Select:
    """The person's notifications, newest first (the id breaks ties, so pages are stable)."""
    return (
        select(Notification)
        .where(Notification.user_id == user_id)
        .order_by(Notification.created_at.desc(), Notification.id.desc())
    )


def own(user_id: int, notification_id: int) -> Notification | None:
    """The notification if it is ``user_id``'s; someone else's is None, as if it did not exist."""
    notification = db.session.get(Notification, notification_id)
    if notification is None or notification.user_id != user_id:
        return None
    return notification


def mark_read(notification: Notification) -> None:
    """Mark one as read (once: the first reading time stays). Commits."""
    if notification.read_at is None:
        notification.read_at = utcnow()
        db.session.commit()


def mark_all_read(user_id: int) -> None:
    """Mark every unread notification of the person as read. Commits."""
    db.session.execute(
        Notification.__table__.update()
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )
    db.session.commit()
