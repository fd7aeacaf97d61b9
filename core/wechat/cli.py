"""``flask wechat``: the daily digest and announcements to the WeCom group, the weekly draft."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from core.timeutil import utcnow
from core.wechat import WeChatError, digest, official, robot


@click.group("wechat")
def wechat() -> None:
    """WeChat: WeCom group robot and the official account."""


def _fail(error: WeChatError) -> None:
    raise click.ClickException(f"微信接口出错 (WeChat error) {error.code}: {error.message}")


@wechat.command("digest")
@with_appcontext
def post_digest() -> None:
    """Post today's 指尖学习 digest to the WeCom group (cron: every morning)."""
    try:
        robot.post_markdown(digest.daily_markdown(utcnow()))
    except WeChatError as error:
        _fail(error)
    click.echo("digest posted")


@wechat.command("announce")
@click.argument("text")
@with_appcontext
def announce(text: str) -> None:
    """Post an announcement (markdown) to the WeCom group."""
    try:
        robot.post_markdown(f"**通知**\n{text}")
    except WeChatError as error:
        _fail(error)
    click.echo("announcement posted")


@wechat.command("weekly-draft")
@with_appcontext
def weekly_draft() -> None:
    """Put this week's article into the official account's draft box (cron: Monday)."""
    title, html, summary = digest.weekly_article(utcnow())
    try:
        media_id = official.add_draft(title, html, summary, "乡学通")
    except WeChatError as error:
        _fail(error)
    click.echo(f"draft media_id={media_id}")
