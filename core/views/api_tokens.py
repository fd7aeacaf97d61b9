"""The person's API tokens on /account: which devices hold one, and revoking them."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup

from core.api import tokens
from core.forms.admin import ConfirmForm
from core.models import User

bp = Blueprint("api_tokens", __name__)


def profile_section(user: User) -> Markup:
    """The /account section listing the person's working tokens, one revoke button each."""
    return Markup(render_template("auth/_api_tokens.html", tokens=tokens.active_tokens(user.id)))


@bp.route("/account/api-tokens/<int:token_id>/revoke", methods=["POST"])
@login_required
def revoke(token_id: int):
    """Revoke one of one's own tokens; another person's token is a 404."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if not tokens.revoke(current_user.id, token_id):
        abort(404)
    flash(_("已撤销这台设备的访问令牌。"), "success")
    return redirect(url_for("auth.profile") + "#api-tokens")
