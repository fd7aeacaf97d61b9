"""The ``flask volunteers`` commands."""

from __future__ import annotations

import click
from flask.cli import with_appcontext


@click.group("volunteers")
def volunteers_cli() -> None:
    """志愿服务 (volunteers) commands."""


@volunteers_cli.command("send-reminders")
@with_appcontext
def send_reminders_command() -> None:
    """Queue shift and mediation reminders (VOLUNTEERS_REMINDER_HOURS); safe to rerun."""
    from core.extensions import db
    from plugins.volunteers.reminders import send_reminders

    queued = send_reminders()
    db.session.commit()
    click.echo(f"queued {queued} reminder(s)")
