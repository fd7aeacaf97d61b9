"""``flask competitions ...``: the cron jobs of the plugin."""

from __future__ import annotations

import click
from flask.cli import with_appcontext


@click.group("competitions", help="知识竞赛：定时任务")
def competitions() -> None:
    """Contests' scheduled jobs."""


@competitions.command("finish-overdue", help="为已超时的答题自动交卷")
@with_appcontext
def finish_overdue() -> None:
    """Hand in every attempt past its deadline (cron, e.g. every minute)."""
    from plugins.competitions.services import finish_overdue as run

    click.echo(f"finished {run()} attempt(s)")
