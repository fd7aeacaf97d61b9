"""Registration, 代报名, QR check-in, the roll call and the sign-in sheet (签到册)."""

from __future__ import annotations

import hashlib
import hmac
import io

import segno
from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from openpyxl import Workbook
from sqlalchemy import select

from core import audit
from core.extensions import db
from core.forms.admin import ConfirmForm
from core.models.users import mask_phone
from core.permissions import require
from core.timeutil import to_local
from plugins.calendar import registration
from plugins.calendar.blueprint import (
    bp,
    event_or_404,
    occurrence_or_404,
)
from plugins.calendar.forms import ProxyForm, WalkInForm
from plugins.calendar.models import CalendarAttendance, CalendarRegistration
from plugins.calendar.registration import RegistrationError


def checkin_code(event_id: int, key: str) -> str:
    """The secret in the QR code: only people in the room can check in."""
    message = f"calendar-checkin:{event_id}:{key}".encode()
    secret = current_app.secret_key.encode()
    return hmac.new(secret, message, hashlib.sha256).hexdigest()[:20]


def _back(event_id: int, key: str):
    return redirect(url_for("calendar.occurrence", event_id=event_id, key=key))


@bp.route("/e/<int:event_id>/<key>/register", methods=["POST"])
@login_required
def register(event_id: int, key: str):
    """Register the signed-in person (or put them on the waiting list)."""
    event = event_or_404(event_id)
    occ = occurrence_or_404(event, key)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        row = registration.register(event, occ, current_user.id)
    except RegistrationError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        if row.status == "waiting":
            flash("名额已满,您已进入候补名单;有人取消时会自动转为正式报名并通知您。", "info")
        else:
            flash("报名成功。", "success")
    return _back(event_id, key)


@bp.route("/e/<int:event_id>/<key>/unregister", methods=["POST"])
@login_required
def unregister(event_id: int, key: str):
    """Cancel one's own registration; the first person waiting gets the seat."""
    event = event_or_404(event_id)
    occ = occurrence_or_404(event, key)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    row = registration.user_registration(event.id, occ.original_start, current_user.id)
    if row is not None:
        registration.cancel(
            row, occ.title, url_for("calendar.occurrence", event_id=event_id, key=key)
        )
        db.session.commit()
        flash("已取消报名。", "success")
    return _back(event_id, key)


@bp.route("/e/<int:event_id>/<key>/people", methods=["GET", "POST"])
@login_required
def rollcall(event_id: int, key: str):
    """The coordinator's roll call: registrations, waiting list, 代报名 and walk-ins."""
    event = event_or_404(event_id)
    require("calendar.checkin", event)
    occ = occurrence_or_404(event, key)
    proxy_form = ProxyForm(prefix="proxy")
    walk_form = WalkInForm(prefix="walk")
    if (
        request.method == "POST"
        and "proxy-name" in request.form
        and proxy_form.validate_on_submit()
    ):
        try:
            registration.register(
                event,
                occ,
                None,
                proxy_name=proxy_form.name.data,
                proxy_phone=proxy_form.phone.data,
                registered_by_id=current_user.id,
            )
        except RegistrationError as error:
            db.session.rollback()
            proxy_form.name.errors.append(str(error))
        else:
            audit.record(
                "calendar.proxy_registered", event, f"代报名 {proxy_form.name.data}({key})"
            )
            db.session.commit()
            flash("代报名成功。", "success")
            return redirect(request.path)
    if request.method == "POST" and "walk-name" in request.form and walk_form.validate_on_submit():
        try:
            registration.check_in(
                event,
                occ,
                walk_in_name=walk_form.name.data,
                walk_in_phone=walk_form.phone.data or None,
                method="walk_in",
                recorded_by_id=current_user.id,
            )
        except RegistrationError as error:
            db.session.rollback()
            walk_form.name.errors.append(str(error))
        else:
            audit.record(
                "calendar.walk_in_recorded", event, f"现场签到 {walk_form.name.data}({key})"
            )
            db.session.commit()
            flash("已登记现场签到。", "success")
            return redirect(request.path)
    registrations = _registrations(event.id, occ.original_start)
    attendances = _attendances(event.id, occ.original_start)
    by_user = {a.user_id: a for a in attendances if a.user_id}
    by_registration = {a.registration_id: a for a in attendances if a.registration_id}
    linked = set()
    rows = []
    for reg in registrations:
        att = by_user.get(reg.user_id) if reg.user_id else by_registration.get(reg.id)
        if att:
            linked.add(att.id)
        rows.append((reg, att))
    others = [a for a in attendances if a.id not in linked]
    return render_template(
        "calendar/rollcall.html",
        event=event,
        occ=occ,
        rows=rows,
        others=others,
        proxy_form=proxy_form,
        walk_form=walk_form,
        attended=len(attendances),
        confirm=ConfirmForm(),
    )


def _registrations(event_id, original_start) -> list[CalendarRegistration]:
    return list(
        db.session.scalars(
            select(CalendarRegistration)
            .where(
                CalendarRegistration.event_id == event_id,
                CalendarRegistration.original_start == original_start,
                CalendarRegistration.status != "cancelled",
            )
            .order_by(CalendarRegistration.status, CalendarRegistration.created_at)
        )
    )


def _attendances(event_id, original_start) -> list[CalendarAttendance]:
    return list(
        db.session.scalars(
            select(CalendarAttendance)
            .where(
                CalendarAttendance.event_id == event_id,
                CalendarAttendance.original_start == original_start,
            )
            .order_by(CalendarAttendance.created_at, CalendarAttendance.id)
        )
    )


@bp.route("/e/<int:event_id>/<key>/people/<int:registration_id>/tick", methods=["POST"])
@login_required
def tick(event_id: int, key: str, registration_id: int):
    """Tick a registered person present on the roll call."""
    event = event_or_404(event_id)
    require("calendar.checkin", event)
    occ = occurrence_or_404(event, key)
    reg = db.session.get(CalendarRegistration, registration_id)
    if reg is None or reg.event_id != event.id or reg.original_start != occ.original_start:
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        _row, created = registration.check_in(
            event, occ, registration=reg, method="rollcall", recorded_by_id=current_user.id
        )
    except RegistrationError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        if created:
            audit.record("calendar.attendance_ticked", event, f"点名签到 {reg.person_name}({key})")
        db.session.commit()
    return redirect(url_for("calendar.rollcall", event_id=event_id, key=key))


@bp.route("/e/<int:event_id>/<key>/attendance/<int:attendance_id>/undo", methods=["POST"])
@login_required
def untick(event_id: int, key: str, attendance_id: int):
    """Undo a check-in (ticked by mistake); credits hear ``attendance_revoked``."""
    event = event_or_404(event_id)
    require("calendar.checkin", event)
    occ = occurrence_or_404(event, key)
    row = db.session.get(CalendarAttendance, attendance_id)
    if row is None or row.event_id != event.id or row.original_start != occ.original_start:
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    audit.record("calendar.attendance_undone", event, f"撤销签到 {row.person_name}({key})")
    registration.undo_check_in(row)
    db.session.commit()
    flash("已撤销签到。", "success")
    return redirect(url_for("calendar.rollcall", event_id=event_id, key=key))


@bp.route("/e/<int:event_id>/<key>/checkin", methods=["GET", "POST"])
@login_required
def checkin(event_id: int, key: str):
    """Where the QR code leads: the resident confirms and is checked in once."""
    event = event_or_404(event_id)
    occ = occurrence_or_404(event, key)
    code = request.values.get("code", "")
    if not hmac.compare_digest(code, checkin_code(event.id, key)):
        abort(404)
    form = ConfirmForm()
    done = None
    if form.validate_on_submit():
        try:
            _row, created = registration.check_in(event, occ, user_id=current_user.id, method="qr")
        except RegistrationError as error:
            db.session.rollback()
            flash(str(error), "error")
        else:
            db.session.commit()
            done = "new" if created else "again"
    return render_template(
        "calendar/checkin.html", event=event, occ=occ, code=code, form=form, done=done
    )


@bp.route("/e/<int:event_id>/<key>/qr.svg")
@login_required
def qr(event_id: int, key: str):
    """The occurrence's check-in QR code as an SVG image, for staff to show or print."""
    event = event_or_404(event_id)
    require("calendar.checkin", event)
    occurrence_or_404(event, key)
    target = url_for(
        "calendar.checkin",
        event_id=event_id,
        key=key,
        code=checkin_code(event_id, key),
        _external=True,
    )
    buffer = io.BytesIO()
    segno.make(target, error="m").save(buffer, kind="svg", scale=8, border=2)
    response = Response(buffer.getvalue(), mimetype="image/svg+xml")
    response.headers["Cache-Control"] = "private, max-age=300"
    return response


@bp.route("/e/<int:event_id>/<key>/qr")
@login_required
def qr_page(event_id: int, key: str):
    """A page to show the QR code full-screen or print it."""
    event = event_or_404(event_id)
    require("calendar.checkin", event)
    occ = occurrence_or_404(event, key)
    return render_template("calendar/qr.html", event=event, occ=occ)


def sheet_rows(event, occ, full_phone: bool) -> list[tuple]:
    """(序号, 姓名, 村/社区, 手机号, 签到时间) for everyone who attended."""
    rows = []
    for number, att in enumerate(_attendances(event.id, occ.original_start), start=1):
        phone = att.user.phone if att.user else (att.walk_in_phone or "")
        village = att.user.home_unit.name if att.user and att.user.home_unit else "现场登记"
        rows.append(
            (
                number,
                att.person_name,
                village,
                phone if full_phone else mask_phone(phone),
                to_local(att.created_at).strftime("%Y-%m-%d %H:%M"),
            )
        )
    return rows


@bp.route("/e/<int:event_id>/<key>/signin")
@login_required
def signin_sheet(event_id: int, key: str):
    """The printable sign-in sheet (签到册)."""
    event = event_or_404(event_id)
    require("calendar.checkin", event)
    occ = occurrence_or_404(event, key)
    full = request.args.get("full") == "1"
    return render_template(
        "calendar/signin.html", event=event, occ=occ, rows=sheet_rows(event, occ, full), full=full
    )


@bp.route("/e/<int:event_id>/<key>/signin.xlsx")
@login_required
def signin_xlsx(event_id: int, key: str):
    """The sign-in sheet as an Excel file for the township office."""
    event = event_or_404(event_id)
    require("calendar.checkin", event)
    occ = occurrence_or_404(event, key)
    full = request.args.get("full") == "1"
    book = Workbook()
    sheet = book.active
    sheet.title = "签到册"
    when = to_local(occ.start).strftime("%Y-%m-%d %H:%M")
    sheet.append([f"{occ.title} 签到册"])
    sheet.append([f"时间:{when}  地点:{occ.venue}  主办:{occ.org_unit_name}"])
    sheet.append(["序号", "姓名", "村/社区", "手机号", "签到时间"])
    for row in sheet_rows(event, occ, full):
        sheet.append(list(row))
    for column, width in zip("ABCDE", (6, 14, 14, 16, 18), strict=True):
        sheet.column_dimensions[column].width = width
    buffer = io.BytesIO()
    book.save(buffer)
    response = Response(
        buffer.getvalue(),
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response.headers["Content-Disposition"] = f"attachment; filename=signin-{event_id}-{key}.xlsx"
    return response
