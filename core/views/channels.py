"""A person's choice of channels per kind of message (shown on /account)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup

from core import preferences
from core.extensions import db
from core.forms.admin import ConfirmForm
from core.models import WeChatBinding

bp = Blueprint("channels", __name__)


def profile_section(user) -> Markup:
    """The choices table for the /account page (the core plugin's ``profile`` slot)."""
    bound = db.session.scalar(db.select(WeChatBinding.id).where(WeChatBinding.user_id == user.id))
    return Markup(
        render_template(
            "auth/_channels.html",
            kinds=preferences.KINDS,
            channels=preferences.CHANNEL_LABELS,
            choices=preferences.all_choices(user.id),
            form=ConfirmForm(),
            wechat_bound=bool(bound),
        )
    )


@bp.route("/account/channels", methods=["POST"])
@login_required
def save():
    """Store the ticked boxes (``<kind>:<channel>``); unknown names are ignored."""
    form = ConfirmForm()
    if form.validate_on_submit():
        choices: dict[str, set[str]] = {kind: set() for kind in preferences.KINDS}
        for value in request.form.getlist("choice"):
            kind, _sep, channel = value.partition(":")
            if kind in choices:
                choices[kind].add(channel)
        preferences.save_choices(current_user.id, choices)
        db.session.commit()
        flash(_("消息接收方式已保存。"), "success")
    return redirect(url_for("auth.profile"))
