"""A volunteer's pages: eligible shifts, profile and availability, sign-up and withdrawal."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.exc import OperationalError

from core import confirm
from core.extensions import db
from core.forms.admin import ConfirmForm
from core.respond import done  # this module's view `respond` takes the module's name
from core.timeutil import utcnow
from core.web import time_span
from plugins.volunteers import calendar_link, eligibility, profiles, services, workflow
from plugins.volunteers.blueprint import bp
from plugins.volunteers.forms import SignupForm
from plugins.volunteers.models import Assignment, Shift, ShiftRole

upcoming_shifts = eligibility.upcoming_shifts
booked_shifts = eligibility.booked_shifts
why_blocked = eligibility.why_blocked


def role_options(profile, shift: Shift, booked: list[Shift]) -> list[dict]:
    return eligibility.role_options(profile, shift, booked, current_user.id)


@bp.route("/")
def index():
    """Shifts open for sign-up, nearest first; for a volunteer only those they are fit for."""
    user = current_user if current_user.is_authenticated else None
    profile, rows = eligibility.open_shifts(user)
    return render_template("volunteers/index.html", rows=rows, profile=profile, form=SignupForm())


def get_shift(shift_id: int) -> Shift:
    shift = db.session.get(Shift, shift_id)
    user = current_user if current_user.is_authenticated else None
    if not eligibility.visible_shift(shift, user):
        abort(404)
    return shift


@bp.route("/shifts/<int:shift_id>")
def shift_detail(shift_id: int):
    """One shift: its roles, places left, and the volunteer's own status and buttons."""
    shift = get_shift(shift_id)
    profile = profiles.profile_of(current_user.id) if current_user.is_authenticated else None
    options = role_options(profile, shift, booked_shifts(current_user.id)) if profile else []
    return render_template(
        "volunteers/shift.html",
        shift=shift,
        profile=profile,
        options=options,
        form=SignupForm(),
        now=utcnow(),
        labels=workflow.STATUS_LABELS,
        event_url=calendar_link.event_url(shift.calendar_event_ref),
    )


@bp.route("/shifts/<int:shift_id>/signup", methods=["POST"])
@login_required
def signup(shift_id: int):
    """Take a place (or a waiting-list place); always for the signed-in person only."""
    shift = get_shift(shift_id)
    form = SignupForm()
    if not form.validate_on_submit() or not str(form.role_id.data).isdigit():
        abort(400)
    role = db.session.get(ShiftRole, int(form.role_id.data))
    if role is None or role.shift_id != shift.id:
        abort(404)
    try:
        assignment = services.sign_up(role.id, current_user.id, waitlist=bool(form.waitlist.data))
    except services.BookingError as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(url_for("volunteers.shift_detail", shift_id=shift.id))
    db.session.commit()
    if assignment.status == "confirmed":
        flash(f"报名成功：{shift.title} / {role.name}。", "success")
    else:
        flash(_("岗位已满，您已加入候补名单；有人退出时会自动转正并通知您。"), "success")
    return redirect(url_for("volunteers.my_shifts"))


def own_assignment(assignment_id: int) -> Assignment:
    """An assignment of the signed-in volunteer; someone else's is forbidden."""
    assignment = db.session.get(Assignment, assignment_id)
    if assignment is None:
        abort(404)
    if assignment.user_id != current_user.id:
        abort(403)
    return assignment


@bp.route("/assignments/<int:assignment_id>/withdraw", methods=["POST"])
@login_required
def withdraw(assignment_id: int):
    """Leave a place before the withdraw deadline; the waiting list moves up."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if not confirm.confirmed():
        shift = own_assignment(assignment_id).role.shift
        return confirm.ask(
            _("退出这个班次？"),
            _(
                "%(title)s（%(when)s）。退出后这个岗位会让给候补的人。",
                title=shift.title,
                when=time_span(shift.starts_at, shift.ends_at),
            ),
            back=url_for("volunteers.my_shifts"),
            button=_("确认退出班次"),
        )
    for attempt in (1, 2):
        assignment = own_assignment(assignment_id)
        try:
            services.withdraw(assignment)
            db.session.commit()
            break
        except services.BookingError as error:
            db.session.rollback()
            flash(str(error), "error")
            return redirect(url_for("volunteers.my_shifts"))
        except OperationalError as error:
            # Lock order makes this unlikely; one retry, then a clear answer, never a 500.
            db.session.rollback()
            if not is_deadlock(error):
                raise
            if attempt == 2:
                flash(_("系统繁忙，退出没有完成，请稍后再试一次。"), "error")
                return redirect(url_for("volunteers.my_shifts"))
    flash(_("已退出。"), "success")
    return redirect(url_for("volunteers.my_shifts"))


def is_deadlock(error: OperationalError) -> bool:
    """PostgreSQL's deadlock_detected (SQLSTATE 40P01) as psycopg reports it."""
    return getattr(error.orig, "sqlstate", None) == "40P01"


@bp.route("/assignments/<int:assignment_id>/respond", methods=["POST"])
@login_required
def respond(assignment_id: int):
    """Accept or decline an invitation."""
    assignment = own_assignment(assignment_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    accept = request.form.get("answer") == "accept"
    try:
        services.respond(assignment, accept)
    except services.BookingError as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(url_for("volunteers.my_shifts"))
    return done("已接受邀请。" if accept else "已谢绝邀请。", "volunteers.my_shifts")
