"""Binding a person's WeChat (web authorisation) and the official account's server callback."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import delete

from core import respond
from core.extensions import csrf, db
from core.forms.admin import ConfirmForm
from core.models import WeChatBinding
from core.wechat import WeChatError, official

bp = Blueprint("wechat", __name__)


def valid_signature(token: str, signature: str, timestamp: str, nonce: str) -> bool:
    """The account's check: sha1 of token, timestamp and nonce sorted and joined."""
    expected = hashlib.sha1("".join(sorted([token, timestamp, nonce])).encode()).hexdigest()
    return bool(token) and hmac.compare_digest(expected, signature or "")


@bp.route("/wechat/callback", methods=["GET", "POST"])
@csrf.exempt
def callback():
    """The server address set in the account: answer the check, accept events."""
    args = request.args
    if not valid_signature(
        current_app.config["WECHAT_TOKEN"],
        args.get("signature", ""),
        args.get("timestamp", ""),
        args.get("nonce", ""),
    ):
        abort(400)  # not signed by the account: refused (400, the request is bad)
    if request.method == "GET":
        return args.get("echostr", ""), 200, {"Content-Type": "text/plain"}
    return "success", 200, {"Content-Type": "text/plain"}


@bp.route("/account/wechat")
@login_required
def bind():
    """Send the person to WeChat's authorisation page (opened inside WeChat)."""
    if not current_app.config["WECHAT_APP_ID"]:
        flash(_("本站尚未接入微信公众号。"), "warning")
        return redirect(url_for("auth.profile"))
    state = secrets.token_urlsafe(16)
    session["wechat_state"] = state
    target = url_for("wechat.bound", _external=True)
    return redirect(official.authorize_url(target, state))


@bp.route("/account/wechat/callback")
@login_required
def bound():
    """WeChat sends the person back with a code: store their openid."""
    state = session.pop("wechat_state", None)
    if not state or not hmac.compare_digest(state, request.args.get("state", "")):
        flash(_("微信绑定已过期，请重新绑定。"), "warning")
        return redirect(url_for("auth.profile"))
    try:
        openid = official.openid_for_code(request.args.get("code", ""))
    except WeChatError:
        flash(_("微信绑定失败，请稍后再试。"), "warning")
        return redirect(url_for("auth.profile"))
    db.session.execute(
        delete(WeChatBinding).where(
            (WeChatBinding.user_id == current_user.id) | (WeChatBinding.openid == openid)
        )
    )
    db.session.add(WeChatBinding(user_id=current_user.id, openid=openid))
    return respond.done(_("微信已绑定，提醒和转正通知会发到您的微信。"), "auth.profile")


@bp.route("/account/wechat/unbind", methods=["POST"])
@login_required
def unbind():
    if ConfirmForm().validate_on_submit():
        db.session.execute(delete(WeChatBinding).where(WeChatBinding.user_id == current_user.id))
        db.session.commit()
        flash(_("微信已解除绑定。"), "success")
    return redirect(url_for("auth.profile"))
