"""The volunteer's own shifts, invitations, check-in, history and service certificate."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from core import audit
from core.extensions import db
from core.forms.admin import ConfirmForm
from core.models import User
from core.permissions import can
from core.timeutil import utcnow
from plugins.volunteers import attendance, profiles, services, workflow
from plugins.volunteers import history as history_rows
from plugins.volunteers.blueprint import bp
from plugins.volunteers.mediation import services as mediation
from plugins.volunteers.mediation.models import CASE_STATES

assignments_of = history_rows.assignments_of
served = history_rows.served


@bp.route("/me")
@login_required
def my_shifts():
    """Upcoming places, waiting list and invitations, with withdraw and check-in buttons."""
    now = utcnow()
    rows = [
        a
        for a in assignments_of(current_user.id)
        if a.shift.ends_at >= now and a.status in ("confirmed", "waitlisted", "invited")
    ]
    rows.sort(key=lambda a: a.shift.starts_at)
    return render_template(
        "volunteers/my_shifts.html",
        rows=rows,
        now=now,
        form=ConfirmForm(),
        labels=workflow.STATUS_LABELS,
        profile=profiles.profile_of(current_user.id),
        early=services.CHECK_IN_EARLY,
        helping=mediation.upcoming_sessions(current_user.id, now),
        labels_mediation=CASE_STATES,
    )


@bp.route("/assignments/<int:assignment_id>/check-in", methods=["POST"])
@login_required
def check_in(assignment_id: int):
    """The volunteer (or the organiser) records arrival."""
    return _attendance_step(assignment_id, attendance.check_in, "已签到。")


@bp.route("/assignments/<int:assignment_id>/check-out", methods=["POST"])
@login_required
def check_out(assignment_id: int):
    return _attendance_step(assignment_id, attendance.check_out, "已签退，感谢您的服务！")


def _attendance_step(assignment_id: int, step, message: str):
    assignment = attendance.lock_assignment(assignment_id)
    if assignment is None:
        abort(404)
    organiser = can(current_user, "volunteers.manage_shifts", assignment)
    if assignment.user_id != current_user.id and not organiser:
        abort(403)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        step(assignment)
    except services.BookingError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        if assignment.user_id != current_user.id:
            audit.record(
                "volunteers.attendance_recorded",
                assignment,
                f"组织者为 {assignment.user.display_name} {message.rstrip('。')}",
            )
        db.session.commit()
        flash(message, "success")
    if organiser and assignment.user_id != current_user.id:
        return redirect(url_for("volunteers.roster", shift_id=assignment.shift.id))
    return redirect(url_for("volunteers.my_shifts"))


def _person(user_id: int | None) -> User:
    """Oneself, or a volunteer whose records a manager may read."""
    if user_id is None or user_id == current_user.id:
        return current_user
    user = db.session.get(User, user_id)
    profile = profiles.profile_of(user_id) if user else None
    if profile is None or not can(current_user, "volunteers.view_reports", profile):
        abort(404)
    return user


@bp.route("/history")
@bp.route("/history/<int:user_id>")
@login_required
def history(user_id: int | None = None):
    """Everything a volunteer has been booked on, with hours confirmed and no-shows."""
    person = _person(user_id)
    assignments = assignments_of(person.id)
    rows = [a for a in assignments if a.status == "confirmed"]
    _served, total = served(assignments)
    return render_template(
        "volunteers/history.html",
        person=person,
        rows=rows,
        total=total,
        now=utcnow(),
        labels=workflow.STATUS_LABELS,
    )


@bp.route("/certificate")
@bp.route("/certificate/<int:user_id>")
@login_required
def certificate(user_id: int | None = None):
    """志愿服务证明: a printable page with every confirmed service and the total hours."""
    person = _person(user_id)
    rows, total = served(assignments_of(person.id))
    rows.sort(key=lambda a: a.shift.starts_at)
    return render_template(
        "volunteers/certificate.html",
        person=person,
        rows=rows,
        total=total,
        issued=utcnow(),
        profile=profiles.profile_of(person.id),
    )
