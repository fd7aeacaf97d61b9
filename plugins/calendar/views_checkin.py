"""Self check-in by QR code, and the coordinator's screen that shows the code.

The screen reloads itself every ``REFRESH_SECONDS`` (a ``<meta http-equiv="refresh">``, no
JavaScript) and shows a code that changes every minute (``checkin.code_at``). Opening the link
with a fresh code gives the browser a pass for ``checkin.PASS_MINUTES``, so a person who must
log in first, or who is slow to press the button, is not turned away.
"""

from __future__ import annotations

from datetime import datetime

import segno
from flask import Response, current_app, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from core.extensions import db
from core.forms.admin import ConfirmForm
from core.permissions import require
from core.timeutil import utcnow
from plugins.calendar import attendance, checkin
from plugins.calendar.blueprint import bp, event_or_404, occurrence_or_404
from plugins.calendar.registration import RegistrationError

REFRESH_SECONDS = 20
PASS_KEY = "calendar_checkin_pass"


def _grant_pass(event_id: int, key: str, now: datetime) -> None:
    session[PASS_KEY] = {"occurrence": f"{event_id}/{key}", "at": int(now.timestamp())}


def _holds_pass(event_id: int, key: str, now: datetime) -> bool:
    held = session.get(PASS_KEY) or {}
    if held.get("occurrence") != f"{event_id}/{key}":
        return False
    age = now.timestamp() - int(held.get("at") or 0)
    return 0 <= age <= checkin.PASS_MINUTES * 60


@bp.route("/e/<int:event_id>/<key>/checkin", methods=["GET", "POST"], endpoint="checkin")
def checkin_page(event_id: int, key: str):
    """Where the QR code leads: a person who is registered (or a walk-in, where the event
    allows it) confirms, inside the check-in window, and is checked in once."""
    now = utcnow()
    code = request.values.get("code", "")
    if checkin.code_is_fresh(event_id, key, code, now):
        _grant_pass(event_id, key, now)
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()
    event = event_or_404(event_id)
    occ = occurrence_or_404(event, key)
    form = ConfirmForm()
    done = problem = None
    status = 200
    if not _holds_pass(event_id, key, now):
        problem = _(
            "这个签到二维码已经过期或无效。请扫描活动现场屏幕上正在显示的二维码"
            "（二维码每分钟更换，照片或转发的二维码不能签到）。"
        )
        status = 400
    elif form.validate_on_submit():
        try:
            _row, created = attendance.self_check_in(event, occ, current_user.id, now)
        except RegistrationError as error:
            db.session.rollback()
            problem = str(error)
        else:
            db.session.commit()
            done = "new" if created else "again"
    else:
        problem = attendance.self_check_in_refusal(event, occ, current_user.id, now)
    return (
        render_template(
            "calendar/checkin.html", event=event, occ=occ, form=form, done=done, problem=problem
        ),
        status,
    )


def _target(event_id: int, key: str, now: datetime) -> str:
    code = checkin.code_at(event_id, key, now)
    return url_for("calendar.checkin", event_id=event_id, key=key, code=code, _external=True)


@bp.route("/e/<int:event_id>/<key>/qr.svg")
@login_required
def qr(event_id: int, key: str):
    """This minute's check-in QR code as an SVG image (never cached: it changes)."""
    event = event_or_404(event_id)
    require("calendar.checkin", event)
    occurrence_or_404(event, key)
    svg = segno.make(_target(event_id, key, utcnow()), error="m").svg_inline(scale=8, border=2)
    response = Response(svg, mimetype="image/svg+xml")
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/e/<int:event_id>/<key>/qr")
@login_required
def qr_page(event_id: int, key: str):
    """The coordinator's check-in screen: the current code while check-in is open, reloading
    itself so the code on the screen is always fresh."""
    event = event_or_404(event_id)
    require("calendar.checkin", event)
    occ = occurrence_or_404(event, key)
    now = utcnow()
    span = checkin.window(event, occ)
    state = "cancelled" if occ.cancelled else span.state(now)
    image = None
    if state == "open":
        image = segno.make(_target(event_id, key, now), error="m").svg_data_uri(scale=8, border=2)
    response = Response(
        render_template(
            "calendar/qr.html",
            event=event,
            occ=occ,
            image=image,
            state=state,
            window=span,
            refresh=REFRESH_SECONDS,
        )
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response
