"""``flask calendar ...``: the calendar's scheduled and one-off jobs."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from core.extensions import db


@click.group("calendar")
def calendar_cli() -> None:
    """活动日历: scheduled jobs."""


@calendar_cli.command("remind")
@with_appcontext
def remind_command() -> None:
    """Queue reminders for tomorrow's activities (run hourly from cron)."""
    from plugins.calendar.reminders import send_reminders

    count = send_reminders()
    db.session.commit()
    click.echo(f"queued {count} reminder(s)")


@calendar_cli.command("store-feeds")
@with_appcontext
def store_feeds_command() -> None:
    """Render the VEVENTs of every event not yet stored (run once after upgrading)."""
    from plugins.calendar.store import render_missing

    click.echo(f"stored the VEVENTs of {render_missing()} event(s)")
