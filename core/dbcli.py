"""``flask db``: Flask-Migrate's commands, with ``upgrade`` taking every enabled branch to head.

Core has its own Alembic line (branch ``core``) and each plugin its own branch named after it.
Plain Alembic would refuse ``upgrade head`` with several heads, and ``heads`` would also build
the tables of plugins that are switched off; this upgrade brings exactly the enabled ones.
"""

from __future__ import annotations

import os
from pathlib import Path

import click
import flask_migrate
from flask import Flask, current_app
from flask.cli import with_appcontext
from flask_migrate.cli import db as migrate_group

from core.plugins import registry


def enabled_branches(app: Flask) -> list[str]:
    """ "core" plus every enabled plugin that ships migrations, in load order."""
    branches = ["core"]
    for plugin in registry(app).plugins:
        if (Path(plugin.root_path) / "migrations" / "versions").is_dir():
            branches.append(plugin.name)
    return branches


def upgrade_all(app: Flask | None = None) -> None:
    """Bring core and every enabled plugin to its newest schema."""
    app = app or current_app
    for branch in enabled_branches(app):
        flask_migrate.upgrade(revision=f"{branch}@head")


@click.command("upgrade")
@click.argument("revision", required=False)
@click.option("--sql", is_flag=True, help="print the SQL instead of running it")
@with_appcontext
def upgrade(revision: str | None, sql: bool) -> None:
    """Upgrade core and every enabled plugin to head (or to REVISION, e.g. calendar@head)."""
    if revision:
        flask_migrate.upgrade(revision=revision, sql=sql)
        return
    for branch in enabled_branches(current_app):
        click.echo(f"upgrade {branch}@head")
        flask_migrate.upgrade(revision=f"{branch}@head", sql=sql)


def install(app: Flask) -> None:
    """Swap our ``db`` group (Flask-Migrate's commands plus our upgrade) into ``app.cli``."""
    group = click.Group(
        "db", help=migrate_group.help, params=migrate_group.params, callback=migrate_group.callback
    )
    for name, command in migrate_group.commands.items():
        group.add_command(upgrade if name == "upgrade" else command, name)
    app.cli.add_command(group)


def configure_version_locations(config, app: Flask) -> object:
    """Tell Alembic where every branch's revisions live (core plus each plugin)."""
    config.set_main_option("version_path_separator", "os")
    config.set_main_option(
        "version_locations", os.pathsep.join(app.config["MIGRATION_VERSION_DIRS"])
    )
    return config
