"""A volunteer's pages: eligible shifts, profile and availability, sign-up and withdrawal."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import selectinload

from core.extensions import db
from core.forms.admin import ConfirmForm
from core.permissions import can
from core.timeutil import utcnow
from plugins.volunteers import calendar_link, matching, profiles, services
from plugins.volunteers.blueprint import bp
from plugins.volunteers.forms import SignupForm
from plugins.volunteers.models import Assignment, Shift, ShiftRole


def upcoming_shifts(limit: int = 60) -> list[Shift]:
    now = utcnow()
    return list(
        db.session.scalars(
            select(Shift)
            .where(Shift.cancelled.is_(False), Shift.starts_at > now)
            .options(
                selectinload(Shift.roles).selectinload(ShiftRole.skills),
                selectinload(Shift.roles).selectinload(ShiftRole.assignments),
                selectinload(Shift.org_unit),
            )
            .order_by(Shift.starts_at, Shift.id)
            .limit(limit)
        )
    )


def booked_shifts(user_id: int) -> list[Shift]:
    """The volunteer's confirmed shifts from last month on (for clash and monthly hints)."""
    since = services.local_month_bounds(utcnow())[0]
    return list(
        db.session.scalars(services.confirmed_shifts_query(user_id).where(Shift.starts_at >= since))
    )


def why_blocked(profile, shift: Shift, booked: list[Shift]) -> str | None:
    """Why signing up would be refused (overlap or monthly maximum), to show before a click."""
    for other in booked:
        if (
            other.id != shift.id
            and other.starts_at < shift.ends_at
            and other.ends_at > shift.starts_at
        ):
            return f"与“{other.title}”时间重叠"
    first, following = services.local_month_bounds(shift.starts_at)
    in_month = sum(1 for other in booked if first <= other.starts_at < following)
    if in_month >= profile.monthly_max_shifts:
        return "本月班次已达上限"
    return None


def role_options(profile, shift: Shift, booked: list[Shift]) -> list[dict]:
    """Roles of ``shift`` this volunteer may take, with what the button should offer."""
    options = []
    skills = {s.id for s in profile.skills} if profile else set()
    blocked = why_blocked(profile, shift, booked) if profile else None
    for role in shift.roles:
        if not {s.id for s in role.skills} <= skills:
            continue
        mine = next((a for a in role.assignments if a.user_id == current_user.id), None)
        options.append(
            {
                "role": role,
                "mine": mine if mine and mine.status not in ("withdrawn", "declined") else None,
                "full": role.confirmed_count >= role.needed,
                "blocked": blocked,
            }
        )
    return options


@bp.route("/")
def index():
    """Shifts open for sign-up, nearest first; for a volunteer only those they are fit for."""
    now = utcnow()
    profile = profiles.profile_of(current_user.id) if current_user.is_authenticated else None
    rows = []
    booked = booked_shifts(current_user.id) if profile else []
    for shift in upcoming_shifts():
        if not shift.public and not can(current_user, "volunteers.manage_shifts", shift):
            continue
        if profile and profile.status == "approved":
            if not shift.signup_open(now) or not matching.fits_place(profile, shift):
                continue
            options = role_options(profile, shift, booked)
            if not options:
                continue
            rows.append((shift, options))
        else:
            rows.append((shift, []))
    return render_template("volunteers/index.html", rows=rows, profile=profile, form=SignupForm())


def get_shift(shift_id: int) -> Shift:
    shift = db.session.get(Shift, shift_id)
    if shift is None:
        abort(404)
    mine = current_user.is_authenticated and any(
        a.user_id == current_user.id for r in shift.roles for a in r.assignments
    )
    if not shift.public and not mine and not can(current_user, "volunteers.manage_shifts", shift):
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
        labels=services.STATUS_LABELS,
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
    db.session.commit()
    flash("已接受邀请。" if accept else "已谢绝邀请。", "success")
    return redirect(url_for("volunteers.my_shifts"))
