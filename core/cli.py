"""``flask`` commands of the core: create-admin, demo-data, notifications, translations."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from core import accounts, notify
from core.extensions import db
from core.plugins import registry


@click.command("create-admin")
@click.option("--phone", prompt="手机号 (phone)")
@click.option("--name", "display_name", prompt="姓名 (name)", default="系统管理员")
@click.option("--password", prompt="密码 (password)", hide_input=True, confirmation_prompt=True)
@with_appcontext
def create_admin(phone: str, display_name: str, password: str) -> None:
    """Create a site admin at the top of the org tree (or promote an existing account)."""
    from core import orgunits
    from core.models import OrgUnitKind

    phone = accounts.normalise_phone(phone)
    if not accounts.is_valid_phone(phone):
        raise click.BadParameter("请输入 11 位中国大陆手机号。", param_hint="--phone")
    user = accounts.find_by_phone(phone)
    if user is None:
        problem = accounts.password_problem(password, phone)
        if problem:
            raise click.BadParameter(problem, param_hint="--password")
    top = orgunits.roots()
    root = top[0] if top else orgunits.create_unit(None, OrgUnitKind.town, "本镇")
    if user is None:
        user = accounts.create_user(phone, password, display_name, None, roles=())
    accounts.grant_role(user, "site_admin", root)
    db.session.commit()
    click.echo(f"系统管理员: {user.display_name} {user.phone} @ {root.name}")


@click.command("demo-data")
@with_appcontext
def demo_data() -> None:
    """Load the demo town and every enabled plugin's demo data (safe to run again)."""
    from core import demo

    town = demo.load_town()
    registry().hook.load_demo_data(town=town)
    db.session.commit()
    click.echo(f"演示数据已就绪 (demo data ready). 演示密码 (demo password): {demo.DEMO_PASSWORD}")
    for role, phone, name in demo.demo_logins():
        click.echo(f"  {role:<20} {phone}  {name}")


@click.group("notifications")
def notifications() -> None:
    """The notification outbox."""


@notifications.command("send")
@click.option("--limit", default=500, show_default=True, help="at most this many deliveries")
@with_appcontext
def send(limit: int) -> None:
    """Deliver due notifications; failed ones stay queued and are retried later (cron: every minute)."""
    counts = notify.send_pending(limit=limit)
    click.echo(f"sent={counts['sent']} retry={counts['failed']} gave_up={counts['gave_up']}")


@click.group("translations")
def translations() -> None:
    """Message catalogs (Chinese is the source language, English the translation)."""


@translations.command("compile")
def compile_catalogs() -> None:
    """Compile the .po files of core and plugins into .mo (set-up does this; never committed)."""
    from core.i18n import compile_catalogs as compile_all

    click.echo(f"compiled {compile_all()} catalog(s)")
