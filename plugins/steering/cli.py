"""``flask steering remind``: the daily notice of overdue tasks (run it from cron)."""

from __future__ import annotations

from datetime import date

import click
from flask.cli import with_appcontext

from core.extensions import db


@click.group("steering")
def steering() -> None:
    """Tasks, visits and meetings of the programme."""


@steering.command("remind")
@click.option("--day", help="Treat this local date (YYYY-MM-DD) as today.")
@with_appcontext
def remind(day: str | None) -> None:
    """Notify owners and managers of every overdue task (once a day each)."""
    from plugins.steering.services import remind_overdue

    try:
        chosen = date.fromisoformat(day) if day else None
    except ValueError as error:
        raise click.BadParameter("日期格式应为 YYYY-MM-DD。", param_hint="--day") from error
    queued = remind_overdue(chosen)
    db.session.commit()
    click.echo(f"queued {queued} overdue notice(s)")
