"""SMS verification codes: ask for a sign-up code, reset a forgotten password by code."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _

from core import accounts, audit, respond, verification
from core.extensions import limiter
from core.forms.verify import CodeRequestForm, ResetPasswordForm

bp = Blueprint("verify", __name__)

TARGETS = {"signup": "auth.signup", "reset": "verify.reset_password"}


def _ask(purpose: str, title: str):
    form = CodeRequestForm()
    if not verification.available():
        return render_template("auth/code.html", form=None, title=title, refused=True)
    if form.validate_on_submit():
        answer = verification.request_code(form.phone.data, purpose, request.remote_addr)
        if answer.ok:
            flash(answer.message, "success")
            if answer.shown_code:  # development without a provider: the code is shown
                session["shown_code"] = answer.shown_code
            return redirect(url_for(TARGETS[purpose], phone=form.phone.data))
        form.phone.errors.append(answer.message)
    return render_template("auth/code.html", form=form, title=title, refused=False)


@bp.route("/signup/code", methods=["GET", "POST"])
@limiter.limit("30 per hour", methods=["POST"])
def signup_code():
    """Step one of sign-up where numbers are verified: a code to the number."""
    return _ask("signup", _("获取注册验证码"))


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit("30 per hour", methods=["POST"])
def forgot_password():
    """A forgotten password: a code to the registered number (same answer for any number)."""
    return _ask("reset", _("找回密码"))


@bp.route("/password/reset", methods=["GET", "POST"])
@limiter.limit("30 per hour", methods=["POST"])
def reset_password():
    """Set a new password with the code; every old session of the account ends."""
    if not verification.available():
        return redirect(url_for("verify.forgot_password"))
    form = ResetPasswordForm(phone=request.args.get("phone", ""))
    if form.validate_on_submit():
        problem = verification.check(form.phone.data, "reset", form.code.data)
        user = accounts.find_by_phone(form.phone.data) if problem is None else None
        if user is None:
            form.code.errors.append(problem or str(verification.WRONG))
        else:
            user.set_password(form.password.data)
            user.session_version += 1
            user.unlock()
            audit.record(
                "core.password_reset_by_code", user, "短信验证码重置密码", actor_id=user.id
            )
            return respond.done(_("密码已重设，请用新密码登录。"), "auth.login")
    return render_template("auth/reset.html", form=form, shown_code=session.pop("shown_code", None))
