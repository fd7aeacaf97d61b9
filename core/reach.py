"""Who can be reached, and how: for staff pages that list people no channel reaches."""

from __future__ import annotations

from flask import current_app
from sqlalchemy import select

from core import preferences
from core.channels import template_for
from core.extensions import db
from core.models import User, WeChatBinding


def channels_reaching(user: User, kind: str, bound: bool) -> list[str]:
    """The push channels (not the site's own message page) that would carry ``kind`` to them."""
    chosen = preferences.chosen_channels(user.id, kind)
    reach = []
    if "sms" in chosen and current_app.config.get("SMS_PROVIDER") and template_for(kind):
        reach.append("sms")
    if (
        "wechat" in chosen
        and bound
        and (current_app.config.get("WECHAT_TEMPLATES") or {}).get(kind)
    ):
        reach.append("wechat")
    if "email" in chosen and current_app.config.get("SMTP_HOST") and user.email:
        reach.append("email")
    return reach


def unreachable(user_ids: list[int], kind: str = "reminder") -> list[User]:
    """People no push channel reaches for ``kind`` (they see messages only on the site)."""
    if not user_ids:
        return []
    users = db.session.scalars(
        select(User).where(User.id.in_(user_ids)).order_by(User.display_name)
    ).all()
    bound = set(
        db.session.scalars(select(WeChatBinding.user_id).where(WeChatBinding.user_id.in_(user_ids)))
    )
    return [user for user in users if not channels_reaching(user, kind, user.id in bound)]
