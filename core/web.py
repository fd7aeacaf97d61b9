"""The web layer shared by every page: login loading, template helpers, error pages."""

from __future__ import annotations

from datetime import timedelta
from functools import cache

from flask import Flask, g, has_request_context, render_template, request
from flask_babel import format_datetime, get_locale
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from markupsafe import Markup
from sqlalchemy import bindparam, event, func, select
from sqlalchemy.orm import Session
from werkzeug.exceptions import HTTPException

from core import accounts, permissions
from core.extensions import db, login_manager
from core.hookspecs import SLOTS
from core.models import Notification, User
from core.models.users import mask_phone
from core.plugins import registry
from core.roles import role_label
from core.timeutil import to_local


@cache
def _user_with_unread():
    """The user and their unread count in one round trip (see unread_notifications); built once."""
    unread = (
        select(func.count(Notification.id))
        .where(Notification.user_id == User.id, Notification.read_at.is_(None))
        .correlate(User)
        .scalar_subquery()
    )
    return select(User, unread).where(User.id == bindparam("user_id"))


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    """Sessions carry "<id>:<version>": a disabled account or a changed password ends them."""
    user_id, _, version = session_id.partition(":")
    if not user_id.isdigit() or not version.isdigit():
        return None
    row = db.session.execute(_user_with_unread(), {"user_id": int(user_id)}).first()
    if row is None:
        return None
    user, count = row
    if not user.active or user.session_version != int(version):
        return None
    g._unread = (user.id, count)
    return user


def can_view_full_phone(owner_id: int | None) -> bool:
    """Only the person themself and site admins see a whole phone number."""
    if not current_user.is_authenticated:
        return False
    if owner_id is not None and current_user.id == owner_id:
        return True
    return permissions.can(current_user, "core.manage_users")


def show_phone(user_or_phone, owner_id: int | None = None) -> str:
    """A phone number as the current viewer may see it (masked unless own or admin)."""
    if isinstance(user_or_phone, User):
        phone, owner_id = user_or_phone.phone, user_or_phone.id
    else:
        phone = user_or_phone
    return phone if can_view_full_phone(owner_id) else mask_phone(phone)


def render_slot(name: str) -> Markup:
    """Join what every plugin renders into the template slot ``name``."""
    if name not in SLOTS:
        raise KeyError(f"unknown template slot {name!r}; declared: {sorted(SLOTS)}")
    user = current_user if current_user.is_authenticated else None
    parts = registry().hook.render_slot(slot=name, user=user)
    return Markup("\n").join(part for part in parts if part)


def navigation() -> list:
    """Nav items from every plugin that the current user may use, in order."""
    if "_nav" not in g:
        user = current_user if current_user.is_authenticated else None
        items = [item for group in registry().hook.nav_items(user=user) for item in group or []]
        visible = []
        for item in items:
            if (item.login_required or item.permission) and user is None:
                continue
            if item.permission and not permissions.can(user, item.permission):
                continue
            visible.append(item)
        g._nav = sorted(visible, key=lambda item: item.order)
    return g._nav


#: Chinese date patterns and what an English page shows instead (weekday names follow the locale).
ENGLISH_DATES = (("yyyy年M月d日", "MMM d, yyyy"), ("M月d日", "MMM d"))


def local_datetime(moment, pattern: str = "yyyy-MM-dd HH:mm") -> str:
    """Show an aware UTC datetime in the programme's timezone, in the page's language."""
    if moment is None:
        return ""
    if str(get_locale()) == "en":
        for chinese, english in ENGLISH_DATES:
            pattern = pattern.replace(chinese, english)
    return format_datetime(to_local(moment), pattern)


def time_span(start, end, all_day: bool = False, date_pattern: str = "yyyy-MM-dd") -> str:
    """When something happens, as people read it: "2026-11-30 19:00–21:00" on one day,
    "2026-11-26 18:56 – 2026-12-29 18:56" across days (never a bare "18:56–18:56"). With
    ``date_pattern=""`` a one-day span is only the clock times (the day is the heading)."""
    if start is None:
        return ""
    first, last = to_local(start), to_local(end or start)
    if all_day:
        # All-day ends are exclusive midnights: the 30th to the 1st is the 30th alone.
        if last > first and last.time() == first.time():
            last = last - timedelta(days=1)
        if last.date() == first.date():
            day = f"{format_datetime(first, date_pattern)} " if date_pattern else ""
            return day + _("全天")
        pattern = date_pattern or "M月d日"
        return f"{format_datetime(first, pattern)} – {format_datetime(last, pattern)}"
    if first.date() == last.date():
        day = f"{format_datetime(first, date_pattern)} " if date_pattern else ""
        # strftime for the clock: agenda pages format many of these.
        return f"{day}{first:%H:%M}–{last:%H:%M}"
    pattern = f"{date_pattern or 'M月d日'} HH:mm"
    return f"{format_datetime(first, pattern)} – {format_datetime(last, pattern)}"


FALLBACK_500 = (
    "<!doctype html><html lang=zh-CN><meta charset=utf-8><title>服务器出错了</title>"
    "<h1>服务器出错了</h1><p>很抱歉，服务器遇到问题，请稍后再试。</p><p><a href=/>回到首页</a></p>"
)


def error_page(status: int, message: str | None = None):
    """The HTML error page, or a problem+json answer under ``/api/``."""
    from core.api import problems

    if problems.is_api_request():
        return problems.problem(status, message)
    try:
        return render_template("errors/error.html", status=status, message=message), status
    except Exception:  # the page itself failed (database down): answer without it
        db.session.rollback()
        return FALLBACK_500, status


def _http_error(error, status: int):
    from core.api import problems

    if problems.is_api_request() and isinstance(error, HTTPException):
        return problems.from_exception(error)
    return error_page(status)


def unread_notifications() -> int:
    """The signed-in person's unread count: read with the user unless something was written
    since (any flush drops it), then asked again."""
    from core.inbox import unread_count

    if not current_user.is_authenticated:
        return 0
    cached = g.get("_unread")
    if cached is not None and cached[0] == current_user.id:
        return cached[1]
    return unread_count(current_user.id)


def _forget_unread(*_args) -> None:
    if has_request_context():
        g.pop("_unread", None)


def init_app(app: Flask) -> None:
    if not event.contains(Session, "after_flush", _forget_unread):
        event.listen(Session, "after_flush", _forget_unread)
    app.jinja_env.globals.update(
        can=lambda name, obj=None: permissions.can(current_user, name, obj),
        slot=render_slot,
        navigation=navigation,
        show_phone=show_phone,
        role_label=role_label,
        get_locale=get_locale,
        unread_notifications=unread_notifications,
    )
    app.jinja_env.filters["localtime"] = local_datetime
    app.jinja_env.filters["phone"] = show_phone
    app.jinja_env.filters["timespan"] = time_span
    app.jinja_env.filters["person"] = accounts.person_label

    from core import committed, inputs

    inputs.init_app(app, error_page)
    committed.init_app(app)
    for status in (400, 403, 404, 405, 413, 500):
        app.register_error_handler(status, lambda error, status=status: _http_error(error, status))

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return error_page(400, _("页面已过期或表单无效，请返回刷新后重新提交。"))

    @app.errorhandler(429)
    def too_many(error):
        return error_page(429, _("尝试次数过多，请稍后再试。"))

    from core import uploads

    # Storage refused (core.uploads.refuse_storage): say why.
    for refused in (503, uploads.InsufficientStorage):
        app.register_error_handler(refused, lambda error: error_page(error.code, error.description))

    @app.errorhandler(OSError)
    def storage_failed(error):
        """A full or read-only disk anywhere in a request (a plugin making its folder)."""
        try:
            uploads.refuse_storage(error)
        except HTTPException as refused:
            return error_page(refused.code, refused.description)

    @app.before_request
    def settle_locale():
        """On a form post, choose the language before the view commits: chosen after it (at
        the first flash) it would cost another SELECT of the expired user row. Reads (pages,
        feeds, polling) are left alone, so they touch the session and user only if they need to.
        """
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            get_locale()

    @app.after_request
    def security_headers(response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
            "frame-ancestors 'none'; form-action 'self'; base-uri 'self'",
        )
        if request.is_secure:  # https as seen through ProxyFix (nginx's X-Forwarded-Proto)
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        return response

    @app.teardown_request
    def rollback_on_error(error):
        if error is not None:
            try:
                db.session.rollback()
            except Exception:  # a dead connection must not turn the answer into another error
                app.logger.warning("rollback after an error failed; the pool drops the connection")
