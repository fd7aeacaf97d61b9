"""``flask lecturers ...``: reminders for overdue requests (cron), seeding the topic menu."""

from __future__ import annotations

from datetime import timedelta

import click
from flask.cli import with_appcontext

from core import accounts, notify
from core.extensions import db
from core.timeutil import local_today, utcnow


@click.group("lecturers")
def lecturers() -> None:
    """The lecturer corps and village lecture requests."""


def remind_overdue(days: int | None = None) -> int:
    """Remind managers (and, for an unanswered assignment, the lecturer) of each request waiting
    too long; once per request, state and person per day.

    Returns how many reminders were queued (the dedupe key stops repeats within a day).
    """
    from plugins.lecturers.requests.services import overdue_requests

    today = local_today().isoformat()
    queued = 0
    for request in overdue_requests(days):
        waited = (utcnow() - request.state_changed_at).days
        people = {m.id for m in accounts.users_with_role("programme_manager", request.village)}
        if request.state == "assigned" and request.lecturer is not None:
            people.add(request.lecturer.user_id)
            body = "讲师还没有接单或婉拒，请尽快处理（管理员可收回后另派）。"
        else:
            body = "这个点单还没有派给讲师，请尽快派单。"
        for user_id in sorted(people):
            sent = notify.notify(
                user_id,
                f"点单已等待 {waited} 天：{request.topic.name}（{request.village.name}）",
                body,
                link=("lecturers.request_detail", {"request_id": request.id}),
                dedupe_key=f"lecturers:overdue:{request.id}:{request.state}:{user_id}:{today}",
            )
            queued += sent is not None
    db.session.commit()
    return queued


@lecturers.command("remind-overdue")
@click.option("--days", type=int, default=None, help="waiting longer than this (default: config)")
@with_appcontext
def remind_overdue_command(days: int | None) -> None:
    """Remind managers of requests waiting longer than LECTURERS_OVERDUE_DAYS (cron: daily)."""
    click.echo(f"reminders queued: {remind_overdue(days)}")


def expire_offers(hours: int | None = None) -> int:
    """限时接单: requests assigned longer than ``hours`` (LECTURERS_ACCEPT_HOURS) without an
    answer go back to the dispatch queue; the lecturer and the managers are told. Commits."""
    from flask import current_app
    from sqlalchemy import select

    from plugins.lecturers.requests import workflow
    from plugins.lecturers.requests.models import LectureRequest

    hours = hours if hours is not None else current_app.config["LECTURERS_ACCEPT_HOURS"]
    cutoff = utcnow() - timedelta(hours=hours)
    lapsed = db.session.scalars(
        select(LectureRequest)
        .where(LectureRequest.state == "assigned", LectureRequest.state_changed_at < cutoff)
        .order_by(LectureRequest.id)
        .with_for_update(skip_locked=True)
    ).all()
    for request in lapsed:
        workflow.TABLE.apply(request, "expire", None, hours=hours)
    db.session.commit()
    return len(lapsed)


@lecturers.command("expire-offers")
@click.option(
    "--hours", type=int, default=None, help="unanswered longer than this (default: config)"
)
@with_appcontext
def expire_offers_command(hours: int | None) -> None:
    """限时接单: return assignments nobody accepted in time to the queue (cron: hourly)."""
    click.echo(f"returned to the queue: {expire_offers(hours)}")


@lecturers.command("seed-menu")
@with_appcontext
def seed_menu_command() -> None:
    """Add the policy's topic menu (missing items only; safe to run again)."""
    from plugins.lecturers.menu import seed_menu

    added = seed_menu()
    db.session.commit()
    click.echo(f"topics added: {added}")
