"""Registration, 代报名, the roll call (with late entries) and the sign-in sheet (签到册)."""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from core import audit, confirm, reach
from core.extensions import db
from core.forms.admin import ConfirmForm
from core.orgunits import villages
from core.permissions import can, require
from core.timeutil import utcnow
from core.web import time_span
from plugins.calendar import attendance, checkin, proxy, registration, signin
from plugins.calendar.blueprint import (
    bp,
    event_or_404,
    occurrence_or_404,
)
from plugins.calendar.forms import LateEntryForm, LateWalkInForm, ProxyForm, WalkInForm
from plugins.calendar.models import CalendarAttendance, CalendarRegistration
from plugins.calendar.registration import RegistrationError


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
            flash("名额已满，您已进入候补名单；有人取消时会自动转为正式报名并通知您。", "info")
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
    if row is not None and not confirm.confirmed():
        return confirm.ask(
            _("取消报名？"),
            _(
                "%(title)s（%(when)s）。取消后您的名额会让给候补的人，想参加需要重新报名。",
                title=occ.title,
                when=time_span(occ.start, occ.end, occ.all_day),
            ),
            back=url_for("calendar.occurrence", event_id=event_id, key=key),
            button=_("确认取消报名"),
        )
    if row is not None:
        registration.cancel(row, occ.title, current_user)
        db.session.commit()
        flash("已取消报名。", "success")
    return _back(event_id, key)


def _submitted(prefix: str) -> bool:
    return request.method == "POST" and f"{prefix}-name" in request.form


def _record(event, occ, key: str, form_field, audit_action: str, summary: str, **kwargs) -> bool:
    """Check in through the service; the refusal goes beside ``form_field``. True when saved."""
    try:
        _row, created = attendance.check_in(event, occ, recorded_by_id=current_user.id, **kwargs)
    except RegistrationError as error:
        db.session.rollback()
        form_field.errors.append(str(error))
        return False
    if created:
        audit.record(audit_action, event, f"{summary}（{key}）")
    db.session.commit()
    return True


def _register_proxy(event, occ, key: str, form: ProxyForm) -> list[str] | None:
    """Register a villager on their behalf. None when saved, else the likely duplicates to
    confirm (a refusal goes beside the name)."""
    try:
        row, found = proxy.register_proxy(
            event,
            occ,
            form.name.data,
            form.village_id.data,
            form.phone.data or None,
            current_user.id,
            not_a_duplicate=bool(form.not_a_duplicate.data),
        )
    except RegistrationError as error:
        db.session.rollback()
        form.name.errors.append(str(error))
        return []
    if row is None:
        return found.warnings
    who = proxy.person_label(row.person_name, row.village_name, form.phone.data)
    audit.record("calendar.proxy_registered", event, f"代报名 {who}（{key}）")
    db.session.commit()
    if found.account is not None:
        flash(_("已为%(person)s的账号报名。", person=who), "success")
    else:
        flash(_("已为%(person)s代报名。", person=who), "success")
    return None


@bp.route("/e/<int:event_id>/<key>/people", methods=["GET", "POST"])
@login_required
def rollcall(event_id: int, key: str):
    """The coordinator's roll call: registrations, waiting list, 代报名 and walk-ins; after
    the check-in window, late entries from the paper sheet (event managers, with a reason)."""
    event = event_or_404(event_id)
    require("calendar.checkin", event)
    occ = occurrence_or_404(event, key)
    now = utcnow()
    span = checkin.window(event, occ)
    state = span.state(now)
    may_enter_late = state == "closed" and can(current_user, "calendar.manage_events", event)
    proxy_form = ProxyForm(prefix="proxy")
    walk_form = WalkInForm(prefix="walk")
    late_form = LateEntryForm(prefix="late")
    late_walk_form = LateWalkInForm(prefix="latewalk")
    registrations = registration.occurrence_registrations(event.id, occ.original_start)
    attendances = attendance.occurrence_attendance(event.id, occ.original_start)
    live = [a for a in attendances if not a.revoked]
    present_users = {a.user_id for a in live if a.user_id}
    present_proxies = {a.registration_id for a in live if a.registration_id}
    late_form.registrations.choices = [
        (reg.id, reg.person_name)
        for reg in registrations
        if (reg.user_id not in present_users if reg.user_id else reg.id not in present_proxies)
    ]
    proxy_form.village_id.choices = [(0, _("请选择"))] + [(v.id, v.name) for v in villages()]
    proxy_warnings = []
    if _submitted("proxy") and proxy_form.validate_on_submit():
        proxy_warnings = _register_proxy(event, occ, key, proxy_form)
        if proxy_warnings is None:
            return redirect(request.path)
    if _submitted("walk") and walk_form.validate_on_submit():
        saved = _record(
            event,
            occ,
            key,
            walk_form.name,
            "calendar.walk_in_recorded",
            f"现场签到 {walk_form.name.data}",
            walk_in_name=walk_form.name.data,
            walk_in_phone=walk_form.phone.data or None,
            method="walk_in",
            now=now,
        )
        if saved:
            flash("已登记现场签到。", "success")
            return redirect(request.path)
    if request.method == "POST" and "late-reason" in request.form:
        require("calendar.manage_events", event)
        if late_form.validate_on_submit() and _record_late(event, occ, key, late_form, now):
            return redirect(request.path)
    if _submitted("latewalk"):
        require("calendar.manage_events", event)
        if late_walk_form.validate_on_submit() and _record_late_walk_in(
            event, occ, key, late_walk_form, now
        ):
            return redirect(request.path)
    by_user = {a.user_id: a for a in live if a.user_id}
    by_registration = {a.registration_id: a for a in live if a.registration_id}
    linked = set()
    rows = []
    for reg in registrations:
        att = by_user.get(reg.user_id) if reg.user_id else by_registration.get(reg.id)
        if att:
            linked.add(att.id)
        rows.append((reg, att))
    others = [a for a in live if a.id not in linked]
    return render_template(
        "calendar/rollcall.html",
        event=event,
        occ=occ,
        rows=rows,
        others=others,
        proxy_form=proxy_form,
        proxy_warnings=proxy_warnings,
        walk_form=walk_form,
        late_form=late_form,
        late_walk_form=late_walk_form,
        attended=len(live),
        revoked=len(attendances) - len(live),
        confirm=ConfirmForm(),
        window=span,
        state=state,
        may_enter_late=may_enter_late,
        unreachable=reach.unreachable(
            [reg.user_id for reg in registrations if reg.user_id], "reminder"
        ),
    )


def _record_late(event, occ, key: str, form: LateEntryForm, now) -> bool:
    """Enter the ticked registrants after the window, each audited with the reason."""
    wanted = set(form.registrations.data or [])
    chosen = [
        reg
        for reg in registration.occurrence_registrations(event.id, occ.original_start)
        if reg.id in wanted
    ]
    entered = 0
    try:
        for reg in chosen:
            _row, created = attendance.check_in(
                event,
                occ,
                registration=reg,
                method="rollcall",
                recorded_by_id=current_user.id,
                late_reason=form.reason.data,
                now=now,
            )
            if created:
                entered += 1
                audit.record(
                    "calendar.attendance_late_recorded",
                    event,
                    f"补录签到 {reg.person_name}（{key}）：{form.reason.data}",
                )
    except RegistrationError as error:
        db.session.rollback()
        form.registrations.errors.append(str(error))
        return False
    db.session.commit()
    flash(_("已补录 %(n)s 人的签到。", n=entered), "success")
    return True


def _record_late_walk_in(event, occ, key: str, form: LateWalkInForm, now) -> bool:
    saved = _record(
        event,
        occ,
        key,
        form.name,
        "calendar.attendance_late_recorded",
        f"补录现场签到 {form.name.data}:{form.reason.data}",
        walk_in_name=form.name.data,
        walk_in_phone=form.phone.data or None,
        method="walk_in",
        late_reason=form.reason.data,
        now=now,
    )
    if saved:
        flash(_("已补录现场签到。"), "success")
    return saved


@bp.route("/e/<int:event_id>/<key>/people/<int:registration_id>/tick", methods=["POST"])
@login_required
def tick(event_id: int, key: str, registration_id: int):
    """Tick a registered person present on the roll call (inside the check-in window)."""
    event = event_or_404(event_id)
    require("calendar.checkin", event)
    occ = occurrence_or_404(event, key)
    reg = db.session.get(CalendarRegistration, registration_id)
    if reg is None or reg.event_id != event.id or reg.original_start != occ.original_start:
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        _row, created = attendance.check_in(
            event, occ, registration=reg, method="rollcall", recorded_by_id=current_user.id
        )
    except RegistrationError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        if created:
            audit.record(
                "calendar.attendance_ticked", event, f"点名签到 {reg.person_name}（{key}）"
            )
        db.session.commit()
    return redirect(url_for("calendar.rollcall", event_id=event_id, key=key))


@bp.route("/e/<int:event_id>/<key>/attendance/<int:attendance_id>/undo", methods=["POST"])
@login_required
def untick(event_id: int, key: str, attendance_id: int):
    """Undo a check-in (ticked by mistake): the record is marked revoked, not deleted, and
    credits hear ``attendance_revoked``."""
    event = event_or_404(event_id)
    require("calendar.checkin", event)
    occ = occurrence_or_404(event, key)
    row = db.session.get(CalendarAttendance, attendance_id)
    if row is None or row.event_id != event.id or row.original_start != occ.original_start:
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if attendance.revoke(row, _("点名时撤销（误点）"), current_user.id):
        audit.record("calendar.attendance_undone", event, f"撤销签到 {row.person_name}（{key}）")
        db.session.commit()
        flash("已撤销签到。", "success")
    return redirect(url_for("calendar.rollcall", event_id=event_id, key=key))


def _sheet(event_id: int, key: str):
    event = event_or_404(event_id)
    require("calendar.checkin", event)
    occ = occurrence_or_404(event, key)
    full = request.args.get("full") == "1"
    return event, occ, full, signin.build(event, occ, current_user, full, utcnow())


@bp.route("/e/<int:event_id>/<key>/signin")
@login_required
def signin_sheet(event_id: int, key: str):
    """The printable sign-in sheet (签到册): registrants and blank rows before the event, who
    came and when after it."""
    event, occ, full, sheet = _sheet(event_id, key)
    return render_template(
        "calendar/signin.html",
        event=event,
        occ=occ,
        sheet=sheet,
        headers=signin.headers(),
        full=full,
    )


@bp.route("/e/<int:event_id>/<key>/signin.xlsx")
@login_required
def signin_xlsx(event_id: int, key: str):
    """The sign-in sheet as an Excel file (A4, text cells only) for the township office."""
    event, occ, _full, sheet = _sheet(event_id, key)
    response = Response(
        signin.xlsx(event, occ, sheet),
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response.headers["Content-Disposition"] = f"attachment; filename=signin-{event_id}-{key}.xlsx"
    response.headers["Cache-Control"] = "private, no-store"
    return response
