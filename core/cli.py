"""``flask`` commands of the core: create-admin, demo-data, notifications, translations, backup."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from core import accounts
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
    click.echo(f"系统管理员：{user.display_name} {user.phone} @ {root.name}")


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


@click.group("translations")
def translations() -> None:
    """Message catalogs (Chinese is the source language, English the translation)."""


@translations.command("compile")
def compile_catalogs() -> None:
    """Compile the .po files of core and plugins into .mo (set-up does this; never committed)."""
    from core.i18n import compile_catalogs as compile_all

    click.echo(f"compiled {compile_all()} catalog(s)")


@click.command("backup")
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="archive path (default: instance/backups/xxt-<time>.tar.gz)",
)
@with_appcontext
def backup(output: Path | None) -> None:
    """Write a consistent backup: database plus uploaded files, with a checksummed manifest."""
    from core.backup import create_backup
    from core.timeutil import utcnow

    if output is None:
        stamp = utcnow().strftime("%Y%m%dT%H%M%SZ")
        output = Path(current_app.instance_path) / "backups" / f"xxt-{stamp}.tar.gz"
    manifest = create_backup(output)
    rows = sum(manifest["row_counts"].values())
    click.echo(f"backup written: {output} ({rows} rows, {len(manifest['files'])} files)")


@click.command("restore")
@click.argument("archive", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--check", "check_only", is_flag=True, help="only verify the archive")
@click.option("--yes", is_flag=True, help="replace the current database without asking")
@click.option("--force", is_flag=True, help="restore although other sessions are connected")
@with_appcontext
def restore(archive: Path, check_only: bool, yes: bool, force: bool) -> None:
    """Verify ARCHIVE, then replace the database and uploaded files with its contents."""
    from core import backup as backups

    try:
        manifest = backups.check_archive(archive)
        click.echo(
            f"archive ok: {manifest['created_at']} {manifest['dialect']} "
            f"revisions={','.join(manifest['revisions']) or '-'}"
        )
        if check_only:
            return
        connected = backups.other_sessions()
        if connected and not force:
            raise click.ClickException(
                f"还有 {connected} 个其他数据库连接（网站、通知或定时任务仍在运行）："
                "先停止它们，或加 --force。"
                f" {connected} other session(s) are connected: stop the site, timer and cron jobs"
                " first, or pass --force."
            )
        if not yes:
            click.confirm(
                "这会覆盖当前数据库和上传文件，继续吗？ (replace everything?)", abort=True
            )
        backups.restore(archive)
    except backups.BackupError as error:
        raise click.ClickException(str(error)) from error
    click.echo("restored")
