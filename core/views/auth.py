"""Sign up, log in and out, own profile and password."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, login_user, logout_user

from core import accounts, audit, respond, signals, verification
from core.extensions import db, limiter
from core.forms.auth import ChangePasswordForm, LoginForm, ProfileForm, SignupForm
from core.models import OrgUnit
from core.orgunits import VILLAGE_KINDS, unit_choices

bp = Blueprint("auth", __name__)

LOGIN_FAILED = _l("手机号或密码不正确。")


def safe_next(target: str | None) -> str:
    """Only same-site relative paths are followed after login."""
    if (
        target
        and target.startswith("/")
        and not target.startswith("//")
        and not urlsplit(target).netloc
    ):
        return target
    return url_for("main.dashboard")


def village_choices() -> list[tuple[int, str]]:
    return [(0, "— 请选择 —"), *unit_choices(kinds=VILLAGE_KINDS)]


@bp.route("/signup", methods=["GET", "POST"])
@limiter.limit("20 per hour", methods=["POST"])
def signup():
    """Create an account with a mainland mobile number; every new person is a resident."""
    form = SignupForm(phone=request.args.get("phone", ""))
    form.home_unit_id.choices = village_choices()
    needs_code = verification.signup_requires_code()
    if form.validate_on_submit():
        problem = (
            verification.check(form.phone.data, "signup", form.code.data) if needs_code else None
        )
        if problem:
            form.code.errors.append(problem)
        elif accounts.find_by_phone(form.phone.data):
            form.phone.errors.append(_("这个手机号已经注册过，请直接登录。"))
        else:
            unit = db.session.get(OrgUnit, form.home_unit_id.data)
            if unit is None or unit.kind not in VILLAGE_KINDS or not unit.active:
                form.home_unit_id.errors.append(_("请选择所在村（社区）。"))
            else:
                user = accounts.create_user(
                    form.phone.data,
                    form.password.data,
                    form.display_name.data,
                    unit,
                    form.email.data,
                )
                db.session.commit()
                signals.send(
                    signals.user_registered,
                    signals.UserRegistered(user_id=user.id, home_unit_id=unit.id),
                )
                login_user(user)
                flash(_("注册成功，欢迎使用乡学通！"), "success")
                return redirect(url_for("main.dashboard"))
    return render_template(
        "auth/signup.html",
        form=form,
        needs_code=needs_code,
        shown_code=session.pop("shown_code", None),
    )


def _login_key() -> str:
    """Rate-limit key for one account: the normalised phone typed in (exists or not alike)."""
    return "login:" + accounts.normalise_phone(request.form.get("phone", ""))[:20]


def _login_failed(response) -> bool:
    return response.status_code != 302


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(
    lambda: current_app.config["LOGIN_LIMIT_PER_IP"], methods=["POST"], deduct_when=_login_failed
)
@limiter.limit(
    lambda: current_app.config["LOGIN_LIMIT_PER_ACCOUNT"],
    methods=["POST"],
    key_func=_login_key,
    deduct_when=_login_failed,
)
def login():
    """Log in with phone and password; the same message whether the account exists or not."""
    if current_user.is_authenticated:
        return redirect(url_for("main.dashboard"))
    form = LoginForm()
    if form.validate_on_submit():
        user = accounts.authenticate(form.phone.data, form.password.data)
        if user is not None:
            login_user(user, remember=form.remember.data)
            return redirect(safe_next(request.args.get("next")))
        # Locked, wrong or unknown: one message, so nobody learns which accounts exist.
        form.password.errors.append(LOGIN_FAILED)
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout():
    """Log out (a POST with a CSRF token, so no other site can log a person out)."""
    logout_user()
    flash(_("您已退出登录。"), "info")
    return redirect(url_for("main.home"))


@bp.route("/account", methods=["GET", "POST"])
@login_required
def profile():
    """The person's own details; plugins add their own sections (feeds, skills)."""
    form = ProfileForm(obj=current_user)
    form.home_unit_id.choices = village_choices()
    if form.validate_on_submit():
        unit = db.session.get(OrgUnit, form.home_unit_id.data)
        if unit is None or unit.kind not in VILLAGE_KINDS:
            form.home_unit_id.errors.append(_("请选择所在村（社区）。"))
        else:
            current_user.display_name = form.display_name.data
            current_user.email = form.email.data or None
            current_user.home_unit_id = unit.id
            return respond.done(_("资料已保存。"), "auth.profile")
    return render_template("auth/profile.html", form=form)


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    """Change one's password; every other session of the account ends."""
    form = ChangePasswordForm(phone=current_user.phone)
    if form.validate_on_submit():
        if not current_user.check_password(form.current.data):
            form.current.errors.append(_("当前密码不正确。"))
        else:
            current_user.set_password(form.password.data)
            current_user.session_version += 1
            audit.record("core.password_changed", current_user, "本人修改密码")
            db.session.commit()
            login_user(current_user._get_current_object())  # this session goes on, new version
            flash(_("密码已修改。"), "success")
            return redirect(url_for("auth.profile"))
    return render_template("auth/password.html", form=form)
