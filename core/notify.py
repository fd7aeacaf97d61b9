"""The notification outbox: ``notify`` queues, ``send_pending`` delivers through channels.

A row is never deleted when a channel fails; it is retried with a growing delay until
``NOTIFICATION_MAX_ATTEMPTS`` (or given up at once when the provider says trying again cannot
help). Sending is crash-safe: a sender leases a batch (``claimed_by``/``claimed_until``) and
*commits* each delivery as ``sending`` before handing it over. A sender that dies leaves rows to
be claimed again when the lease ends, and ``sending`` rows that turn ``unknown`` for an operator
(``flask notifications unknown``). Several senders may run at once (``SKIP LOCKED``).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta

from flask import current_app, has_request_context, url_for
from sqlalchemy import insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from werkzeug.routing import BuildError

from core import preferences, sms
from core.channels import (
    Channel,
    Envelope,
    LogChannel,
    Outcome,
    SmsChannel,
    SmtpChannel,
    WeChatChannel,
    WeComGroupChannel,
)
from core.extensions import db
from core.models import Notification, NotificationDelivery, User
from core.timeutil import utcnow

__all__ = ["CHANNELS", "Channel", "LogChannel", "SmtpChannel", "notify", "send_pending"]

CHANNELS: dict[str, Channel] = {
    channel.name: channel
    for channel in (LogChannel(), SmtpChannel(), SmsChannel(), WeChatChannel(), WeComGroupChannel())
}
#: Rows one claim takes (one commit); a sender hands them over group by group.
CLAIM_SIZE = 200


def register_channel(channel: Channel) -> None:
    """Add a channel (WeChat, a test double) under its name."""
    CHANNELS[channel.name] = channel


def _channels_for(user: User, kind: str, wanted: Iterable[str] | None) -> list[str]:
    chosen = preferences.chosen_channels(user.id, kind) | {"log"}
    names = []
    for name, channel in CHANNELS.items():
        if wanted is not None and name not in wanted:
            continue
        if name in chosen and channel.applies_to(user, kind):
            names.append(name)
    return names


#: Where a message points: ``("lecturers.request_detail", {"request_id": 3})``.
Link = tuple[str, dict]


def resolve_link(endpoint: str | None, values: dict | None = None) -> str | None:
    """The path of ``endpoint`` with ``values``, in or out of a request; None when there is none
    or it no longer builds (a plugin was switched off)."""
    if not endpoint:
        return None
    try:
        if has_request_context():
            return url_for(endpoint, **(values or {}))
        adapter = current_app.url_map.bind(
            "localhost", script_name=current_app.config.get("APPLICATION_ROOT") or "/"
        )
        return adapter.build(endpoint, values or {})
    except BuildError:
        current_app.logger.warning("notice link %s %r no longer builds", endpoint, values)
        return None


def notify(
    user_id: int,
    subject: str,
    body: str = "",
    link: Link | None = None,
    dedupe_key: str | None = None,
    kind: str = "general",
    channels: Iterable[str] | None = None,
    sms_to: str | None = None,
) -> Notification | None:
    """Queue a message for a user on every channel they chose for this ``kind``.

    ``link`` is an (endpoint, values) pair, resolved when the message is delivered or opened.
    With ``dedupe_key`` the same message is queued once only (reminders sent by cron).
    ``channels`` narrows the channels (None: all that apply). ``sms_to`` sends the SMS to
    another number (代报名: the villager a coordinator registered; the coordinator gets the
    rest). Returns None when it was already queued. The caller commits.
    """
    if isinstance(link, str):
        raise TypeError("notify(link=...) takes (endpoint, values), not a path")
    user = db.session.get(User, user_id)
    if user is None:
        raise LookupError(f"no user {user_id}")
    if dedupe_key and db.session.scalar(
        select(Notification.id).where(Notification.dedupe_key == dedupe_key)
    ):
        return None
    notification = Notification(
        user_id=user_id,
        kind=kind,
        subject=subject[:200],
        body=body,
        link_endpoint=link[0] if link else None,
        link_values=dict(link[1]) if link else None,
        dedupe_key=dedupe_key,
    )
    names = _channels_for(user, kind, channels)
    if sms_to is not None:
        names = [name for name in names if name != "sms"]
        if CHANNELS["sms"].applies_to(user, kind) and sms.normalise_phone(sms_to):
            names.append("sms")
    for name in names:
        address = sms.normalise_phone(sms_to) if name == "sms" and sms_to else None
        notification.deliveries.append(NotificationDelivery(channel=name, address=address))
    try:
        with db.session.begin_nested():
            db.session.add(notification)
    except IntegrityError:  # another worker queued the same dedupe_key at the same moment
        return None
    return notification


def notify_many(
    user_ids: list[int],
    subject: str,
    body: str = "",
    link: Link | None = None,
    kind: str = "announcement",
    channels: Iterable[str] = ("log", "sms", "email"),
) -> int:
    """Queue one announcement for many people in bulk (a district-wide notice); commits.

    Staff choose the channels for an announcement; each goes to the people it can reach.
    """
    now = utcnow()
    usable = [n for n in dict.fromkeys(channels) if n in CHANNELS]
    count = 0
    for start in range(0, len(user_ids), 5000):
        chunk = user_ids[start : start + 5000]
        users = db.session.scalars(select(User).where(User.id.in_(chunk))).all()
        rows = [
            {
                "user_id": u.id,
                "kind": kind,
                "subject": subject[:200],
                "body": body,
                "link_endpoint": link[0] if link else None,
                "link_values": dict(link[1]) if link else None,
                "created_at": now,
            }
            for u in users
        ]
        ids = db.session.scalars(
            insert(Notification).returning(Notification.id, sort_by_parameter_order=True), rows
        ).all()
        deliveries = [
            {
                "notification_id": nid,
                "channel": name,
                "status": "pending",
                "attempts": 0,
                "next_attempt_at": now,
            }
            for nid, user in zip(ids, users, strict=True)
            for name in usable
            if CHANNELS[name].applies_to(user, kind)
        ]
        if deliveries:
            db.session.execute(insert(NotificationDelivery), deliveries)
        db.session.commit()
        count += len(ids)
    return count


def retry_delay(attempts: int) -> timedelta:
    """1, 2, 4, 8 ... minutes, at most a day."""
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), 24 * 60))


def _lease() -> timedelta:
    return timedelta(seconds=current_app.config["NOTIFICATION_LEASE_SECONDS"])


def recover_stale(now: datetime) -> int:
    """Deliveries left ``sending`` by a dead sender become ``unknown`` (never re-sent)."""
    result = db.session.execute(
        update(NotificationDelivery)
        .where(
            NotificationDelivery.status == "sending",
            NotificationDelivery.handed_at < now - _lease(),
        )
        .values(status="unknown", last_error="发送进程中断，不确定是否已送达 (sender died)")
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return result.rowcount


def _claim(token: str, now: datetime, size: int) -> list[Envelope]:
    """Lease up to ``size`` due deliveries to this sender; other senders skip them."""
    free = or_(
        NotificationDelivery.claimed_until.is_(None), NotificationDelivery.claimed_until < now
    )
    due = (
        NotificationDelivery.status == "pending",
        NotificationDelivery.next_attempt_at <= now,
        free,
    )
    ids = db.session.scalars(
        select(NotificationDelivery.id)
        .where(*due)
        .order_by(NotificationDelivery.id)
        .limit(size)
        .with_for_update(skip_locked=True)
    ).all()
    if not ids:
        db.session.commit()
        return []
    db.session.execute(
        update(NotificationDelivery)
        .where(NotificationDelivery.id.in_(ids), *due)  # SQLite: no row locks, so re-check
        .values(claimed_by=token, claimed_until=now + _lease())
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    rows = db.session.execute(
        select(
            NotificationDelivery.id,
            NotificationDelivery.notification_id,
            NotificationDelivery.channel,
            NotificationDelivery.address,
            NotificationDelivery.attempts,
            Notification.user_id,
            Notification.kind,
            Notification.subject,
            Notification.body,
            Notification.link,
            Notification.link_endpoint,
            Notification.link_values,
            User.email,
            User.phone,
        )
        .join(Notification, NotificationDelivery.notification_id == Notification.id)
        .join(User, Notification.user_id == User.id)
        .where(NotificationDelivery.claimed_by == token, NotificationDelivery.status == "pending")
        .order_by(NotificationDelivery.id)
    ).all()
    db.session.commit()
    return [
        (
            r.channel,
            Envelope(
                r.id,
                r.notification_id,
                r.user_id,
                r.kind,
                r.subject,
                r.body,
                resolve_link(r.link_endpoint, r.link_values) or r.link,
                r.address,
                r.email,
                r.phone,
                r.attempts,
            ),
        )
        for r in rows
    ]


def _groups(channel: Channel, envelopes: list[Envelope]) -> list[list[Envelope]]:
    """Deliveries that may share one provider request, at most ``batch_size`` each."""
    by_key: dict[object, list[Envelope]] = {}
    for envelope in envelopes:
        by_key.setdefault(channel.batch_key(envelope), []).append(envelope)
    size = max(1, channel.batch_size)
    return [group[i : i + size] for group in by_key.values() for i in range(0, len(group), size)]


def _record(envelope: Envelope, outcome: Outcome, now: datetime, counts: dict) -> dict:
    values = {"id": envelope.id, "claimed_by": None, "claimed_until": None}
    attempts = envelope.attempts + 1
    if outcome.ok:
        counts["sent"] += 1
        return values | {
            "status": "sent",
            "sent_at": now,
            "provider_ref": outcome.ref[:100] or None,
            "fee": outcome.fee,
            "last_error": None,
            "error_code": None,
        }
    values |= {"last_error": outcome.error[:1000], "error_code": outcome.code[:80] or None}
    if outcome.unsure:
        counts["unknown"] += 1
        return values | {"status": "unknown"}
    if not outcome.retry or attempts >= current_app.config["NOTIFICATION_MAX_ATTEMPTS"]:
        counts["gave_up"] += 1
        return values | {"status": "failed"}
    counts["failed"] += 1
    return values | {"status": "pending", "next_attempt_at": now + retry_delay(attempts)}


def _postpone(envelopes: list[Envelope], until: datetime) -> None:
    db.session.execute(
        update(NotificationDelivery),
        [
            {"id": e.id, "claimed_by": None, "claimed_until": None, "next_attempt_at": until}
            for e in envelopes
        ],
    )


def _hand_over(channel_name: str, envelopes: list[Envelope], counts: dict, budget) -> None:
    channel = CHANNELS.get(channel_name)
    if channel is None:
        now = utcnow()
        outcome = Outcome(False, error=f"LookupError('unknown channel {channel_name}')")
        db.session.execute(
            update(NotificationDelivery), [_record(e, outcome, now, counts) for e in envelopes]
        )
        db.session.commit()
        return
    for group in _groups(channel, envelopes):
        if channel_name == "sms":
            allowed = budget.allow(len(group))
            if allowed < len(group):
                _postpone(group[allowed:], budget.next_month)
                group = group[:allowed]
            if not group:
                continue
        now = utcnow()
        db.session.execute(  # recorded as handed over *before* it is, committed
            update(NotificationDelivery),
            [
                {"id": e.id, "status": "sending", "handed_at": now, "attempts": e.attempts + 1}
                for e in group
            ],
        )
        db.session.commit()
        outcomes = channel.send(group)
        now = utcnow()
        db.session.execute(
            update(NotificationDelivery),
            [_record(e, o, now, counts) for e, o in zip(group, outcomes, strict=True)],
        )
        if channel_name == "sms":
            budget.spend(sum(o.fee or 1 for o in outcomes if o.ok or o.unsure))
        # Not committed here: the next group's hand-over commits it (one commit per group). A
        # crash before that leaves this group "sending", hence unknown, never sent twice.
    db.session.commit()


def send_pending(limit: int = 500) -> dict[str, int]:
    """Deliver up to ``limit`` due rows; count sent, failed (to retry), given up and unknown."""
    from core.sms import policy

    now = utcnow()
    recover_stale(now)
    policy.postpone_quiet(now)
    budget = policy.Budget(now)
    token = uuid.uuid4().hex
    counts = {"sent": 0, "failed": 0, "gave_up": 0, "unknown": 0}
    remaining = limit
    try:
        while remaining > 0:
            claimed = _claim(token, utcnow(), min(CLAIM_SIZE, remaining))
            if not claimed:
                break
            remaining -= len(claimed)
            by_channel: dict[str, list[Envelope]] = {}
            for channel_name, envelope in claimed:
                by_channel.setdefault(channel_name, []).append(envelope)
            for channel_name, envelopes in by_channel.items():
                _hand_over(channel_name, envelopes, counts, budget)
    finally:
        for channel in CHANNELS.values():
            channel.close()
    return counts


def pending_count() -> int:
    """How many deliveries wait in the outbox (for health and metrics)."""
    return db.session.scalar(
        select(db.func.count(NotificationDelivery.id)).where(
            NotificationDelivery.status == "pending"
        )
    )
