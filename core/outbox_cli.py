"""``flask notifications``: drain the outbox with one or several senders, see unknown rows."""

from __future__ import annotations

import multiprocessing

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select, update

from core import notify
from core.extensions import db
from core.models import Notification, NotificationDelivery


@click.group("notifications")
def notifications() -> None:
    """The notification outbox."""


def drain(limit: int, until_empty: bool) -> dict[str, int]:
    """Send in rounds of ``limit`` until nothing is due (or once); the summed counts."""
    total = {"sent": 0, "failed": 0, "gave_up": 0, "unknown": 0}
    while True:
        counts = notify.send_pending(limit=limit)
        for key, value in counts.items():
            total[key] += value
        if not until_empty or sum(counts.values()) == 0:
            return total


def _child(app, limit: int, until_empty: bool, results) -> None:
    with app.app_context():
        db.engine.dispose(close=False)  # never share the parent's connections after fork
        results.put(drain(limit, until_empty))


@notifications.command("send")
@click.option("--limit", default=500, show_default=True, help="deliveries per sender and round")
@click.option("--senders", default=1, show_default=True, help="sender processes on this host")
@click.option("--until-empty", is_flag=True, help="keep going until nothing is due")
@with_appcontext
def send(limit: int, senders: int, until_empty: bool) -> None:
    """Deliver due notifications; failed ones stay queued and are retried later (cron: every minute)."""
    if senders <= 1:
        counts = drain(limit, until_empty)
    else:
        app = current_app._get_current_object()
        db.engine.dispose()
        context = multiprocessing.get_context("fork")
        results = context.Queue()
        workers = [
            context.Process(target=_child, args=(app, limit, until_empty, results))
            for _ in range(senders)
        ]
        for worker in workers:
            worker.start()
        counts = {"sent": 0, "failed": 0, "gave_up": 0, "unknown": 0}
        for _ in workers:
            for key, value in results.get().items():
                counts[key] += value
        for worker in workers:
            worker.join()
    click.echo(
        f"sent={counts['sent']} retry={counts['failed']} gave_up={counts['gave_up']} "
        f"unknown={counts['unknown']}"
    )


@notifications.command("unknown")
@click.option("--requeue", "requeue", multiple=True, type=int, help="delivery id to send again")
@with_appcontext
def unknown(requeue: tuple[int, ...]) -> None:
    """List deliveries whose fate is unknown (a sender died, an answer was lost).

    They are never sent again by themselves; after checking the provider's console (or asking
    the person), ``--requeue ID`` queues one again with the same message id.
    """
    if requeue:
        db.session.execute(
            update(NotificationDelivery)
            .where(NotificationDelivery.id.in_(requeue), NotificationDelivery.status == "unknown")
            .values(status="pending", next_attempt_at=notify.utcnow())
        )
        db.session.commit()
    rows = db.session.execute(
        select(NotificationDelivery, Notification.subject)
        .join(Notification)
        .where(NotificationDelivery.status == "unknown")
        .order_by(NotificationDelivery.id)
    ).all()
    for delivery, subject in rows:
        click.echo(
            f"{delivery.id}\t{delivery.channel}\tuser={delivery.notification.user_id}\t"
            f"{delivery.handed_at:%Y-%m-%d %H:%M}\t{subject}\t{delivery.error_code or ''}"
        )
    click.echo(f"unknown={len(rows)}")
