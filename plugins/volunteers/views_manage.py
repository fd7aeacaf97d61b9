"""Organisers: create and change shifts and roles, the roster, attendance and hours."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from core import audit, notify, orgunits, reach, respond
from core.extensions import db
from core.forms.admin import ConfirmForm
from core.permissions import permission_required, require, unit_ids_where
from core.timeutil import from_local, to_local, utcnow
from plugins.volunteers import attendance, calendar_link, profiles, services, workflow
from plugins.volunteers.blueprint import bp
from plugins.volunteers.forms import HoursForm, RoleForm, ShiftForm
from plugins.volunteers.models import Assignment, Shift, ShiftRole, Skill

MANAGE = "volunteers.manage_shifts"


def managed_shift(shift_id: int) -> Shift:
    shift = db.session.get(Shift, shift_id)
    if shift is None:
        abort(404)
    require(MANAGE, shift)
    return shift


@bp.route("/manage")
@permission_required(MANAGE)
def manage():
    """Upcoming shifts at my units, those still short of people first.

    Confirmed people are counted per role in SQL and pending volunteers with COUNT: loading
    every assignment and every pending profile only to count them made this page cost 20×
    /healthz on a busy town (benchmarks/volunteers_pages.py).
    """
    units = unit_ids_where(current_user, MANAGE)
    shifts = list(
        db.session.scalars(
            select(Shift)
            .where(Shift.org_unit_id.in_(units), Shift.ends_at > utcnow())
            .options(selectinload(Shift.roles), selectinload(Shift.org_unit))
            .order_by(Shift.starts_at)
            .limit(200)
        )
    )
    role_ids = [role.id for shift in shifts for role in shift.roles]
    confirmed = (
        dict(
            db.session.execute(
                select(Assignment.role_id, func.count(Assignment.id))
                .where(Assignment.role_id.in_(role_ids), Assignment.status == "confirmed")
                .group_by(Assignment.role_id)
            ).all()
        )
        if role_ids
        else {}
    )
    short = [
        s
        for s in shifts
        if not s.cancelled and any(confirmed.get(r.id, 0) < r.needed for r in s.roles)
    ]
    pending = 0
    if can_approve():
        from plugins.volunteers.models import Profile

        pending = db.session.scalar(
            select(func.count(Profile.id)).where(Profile.status == "pending")
        )
    return render_template(
        "volunteers/manage.html", shifts=shifts, short=short, pending=pending, confirmed=confirmed
    )


def can_approve() -> bool:
    from core.permissions import can

    return can(current_user, "volunteers.approve_volunteers")


def _unit_choices() -> list[tuple[int, str]]:
    units = unit_ids_where(current_user, MANAGE)
    return [(uid, name) for uid, name in orgunits.unit_choices() if uid in units]


def _to_utc(value):
    return from_local(value) if value else None


def _local(value):
    return to_local(value).replace(tzinfo=None) if value else None


@bp.route("/manage/shifts/new", methods=["GET", "POST"])
@bp.route("/manage/shifts/<int:shift_id>/edit", methods=["GET", "POST"])
@permission_required(MANAGE)
def shift_edit(shift_id: int | None = None):
    """Create a shift or change it; a change of time or place raises its calendar sequence."""
    shift = managed_shift(shift_id) if shift_id else None
    form = ShiftForm(obj=shift)
    form.org_unit_id.choices = _unit_choices()
    linked = calendar_link.available()
    if linked:
        dates = calendar_link.choices(unit_ids_where(current_user, MANAGE))
        form.calendar_event_ref.choices = [("", "—"), *dates]
        current = shift.calendar_event_ref if shift else None
        if current and current not in dict(form.calendar_event_ref.choices):
            form.calendar_event_ref.choices.insert(1, (current, current))
    if request.method == "GET" and shift:
        for name in ("starts_at", "ends_at", "signup_opens_at", "signup_closes_at"):
            getattr(form, name).data = _local(getattr(shift, name))
        form.withdraw_deadline.data = _local(shift.withdraw_deadline)
    valid = form.validate_on_submit()
    ref = form.calendar_event_ref.data or None
    unchanged = ref == (shift.calendar_event_ref if shift else None)
    checked = not (valid and linked and ref) or unchanged
    if not checked and not calendar_link.belongs_to(ref, form.org_unit_id.data):
        form.calendar_event_ref.errors.append("所选日历活动不属于这个单位，或已经过去。")
        valid = False
    if valid:
        require(MANAGE, form.org_unit_id.data)
        creating = shift is None
        if creating:
            shift = Shift(created_by_id=current_user.id)
            db.session.add(shift)
        before = (shift.starts_at, shift.ends_at, shift.venue, shift.org_unit_id)
        shift.title, shift.venue = form.title.data, form.venue.data or ""
        shift.org_unit_id, shift.description = form.org_unit_id.data, form.description.data or ""
        shift.public = form.public.data
        if linked:  # without the calendar a stored ref is kept as it is
            shift.calendar_event_ref = ref
        shift.starts_at, shift.ends_at = _to_utc(form.starts_at.data), _to_utc(form.ends_at.data)
        shift.signup_opens_at = _to_utc(form.signup_opens_at.data)
        shift.signup_closes_at = _to_utc(form.signup_closes_at.data)
        shift.withdraw_deadline = _to_utc(form.withdraw_deadline.data)
        moved = not creating and before != (
            shift.starts_at,
            shift.ends_at,
            shift.venue,
            shift.org_unit_id,
        )
        if moved:
            shift.sequence += 1
            _tell_volunteers(shift, "志愿服务班次有变动", "时间或地点已调整，请查看。")
        db.session.flush()
        return respond.done(
            "班次已保存。" + ("请添加岗位。" if creating else ""),
            "volunteers.roster",
            record=(
                "volunteers.shift_created" if creating else "volunteers.shift_changed",
                shift,
                f"{'发布' if creating else '修改'}班次：{shift.title}",
            ),
            shift_id=shift.id,
        )
    return render_template("volunteers/shift_form.html", form=form, shift=shift, linked=linked)


def _tell_volunteers(shift: Shift, subject: str, body: str) -> None:
    stamp = int(utcnow().timestamp())
    for role in shift.roles:
        for a in role.assignments:
            if a.status in ("confirmed", "waitlisted"):
                notify.notify(
                    a.user_id,
                    f"{subject}：{shift.title}",
                    body,
                    link=("volunteers.shift_detail", {"shift_id": shift.id}),
                    dedupe_key=f"volunteers:change:{a.id}:{shift.sequence}:{stamp}",
                )


@bp.route("/manage/shifts/<int:shift_id>/cancel", methods=["POST"])
@permission_required(MANAGE)
def shift_cancel(shift_id: int):
    shift = managed_shift(shift_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if not shift.cancelled:
        shift.cancelled = True
        shift.sequence += 1
        _tell_volunteers(shift, "志愿服务班次取消", "很抱歉，这个班次已取消。")
        audit.record("volunteers.shift_cancelled", shift, f"取消班次：{shift.title}")
        db.session.commit()
    flash(_("班次已取消。"), "success")
    return redirect(url_for("volunteers.roster", shift_id=shift.id))


@bp.route("/manage/shifts/<int:shift_id>", methods=["GET", "POST"])
@permission_required(MANAGE)
def roster(shift_id: int):
    """The shift's roles and people; add a role (count 1..100, required skills)."""
    shift = managed_shift(shift_id)
    profiles.ensure_skills()
    form = RoleForm()
    form.skills.choices = [(s.id, s.name) for s in profiles.active_skills()]
    if form.validate_on_submit():
        role = ShiftRole(name=form.name.data, needed=form.needed.data)
        role.skills = list(db.session.scalars(select(Skill).where(Skill.id.in_(form.skills.data))))
        shift.roles.append(role)
        db.session.flush()
        return respond.done(
            _("岗位已添加。"),
            "volunteers.roster",
            record=("volunteers.role_added", role, f"添加岗位 {role.name} × {role.needed}"),
            shift_id=shift.id,
        )
    return _roster_page(shift, form, status=400 if form.errors else 200)


def _roster_page(
    shift: Shift,
    form: RoleForm,
    hours_form: HoursForm | None = None,
    hours_row: int | None = None,
    status: int = 200,
):
    """The roster; ``hours_form`` holds the refused hours of assignment ``hours_row``."""
    return render_template(
        "volunteers/roster.html",
        shift=shift,
        form=form,
        hours_form=hours_form,
        hours_row=hours_row,
        action_form=ConfirmForm(),
        labels=workflow.STATUS_LABELS,
        suggested=attendance.suggested_hours,
        limits=attendance.hours_limits,
        now=utcnow(),
        unreachable=reach.unreachable(
            [a.user_id for r in shift.roles for a in r.assignments if a.status == "confirmed"],
            "reminder",
        ),
    ), status


@bp.route("/manage/roles/<int:role_id>/needed", methods=["POST"])
@permission_required(MANAGE)
def role_needed(role_id: int):
    """Change how many people a role needs; a rise promotes from the waiting list."""
    role = services.lock_role(role_id)
    if role is None:
        abort(404)
    require(MANAGE, role.shift)
    form = RoleForm()
    form.skills.choices = [(s.id, s.name) for s in role.skills]
    form.name.data = role.name
    if not form.validate_on_submit():
        db.session.rollback()
        flash(form.needed.errors[0] if form.needed.errors else "输入有误。", "error")
        return redirect(url_for("volunteers.roster", shift_id=role.shift_id))
    if form.needed.data < services.confirmed_count(role.id):
        db.session.rollback()
        flash(_("需要人数不能少于已确认的人数，请先调整人员。"), "error")
        return redirect(url_for("volunteers.roster", shift_id=role.shift_id))
    role.needed = form.needed.data
    db.session.flush()
    services.promote_waiting(role)
    return respond.done(
        _("人数已更新。"),
        "volunteers.roster",
        record=("volunteers.role_changed", role, f"岗位 {role.name} 需要 {role.needed} 人"),
        shift_id=role.shift_id,
    )


def managed_assignment(assignment_id: int) -> Assignment:
    assignment = attendance.lock_assignment(assignment_id)
    if assignment is None:
        abort(404)
    require(MANAGE, assignment)
    return assignment


@bp.route("/manage/assignments/<int:assignment_id>/hours", methods=["POST"])
@permission_required(MANAGE)
def confirm_hours(assignment_id: int):
    """The organiser confirms hours served (once; the hours signal is sent then).

    Refused hours come back on the roster beside the field, with the reason field when the
    hours pass the bound, and status 400.
    """
    assignment = managed_assignment(assignment_id)
    shift = assignment.shift
    form = HoursForm()
    if form.validate_on_submit():
        try:
            attendance.confirm_hours(
                assignment.id, form.hours.data, current_user.id, reason=form.reason.data or ""
            )
        except attendance.HoursError as error:
            getattr(form, error.field).errors.append(str(error))
        except services.BookingError as error:
            db.session.rollback()
            flash(str(error), "error")
            return redirect(url_for("volunteers.roster", shift_id=shift.id))
        else:
            return respond.done(_("服务时长已确认。"), "volunteers.roster", shift_id=shift.id)
    db.session.rollback()
    shift = db.session.get(Shift, shift.id)
    role_form = RoleForm(formdata=None)
    role_form.skills.choices = [(s.id, s.name) for s in profiles.active_skills()]
    return _roster_page(shift, role_form, form, assignment_id, status=400)


@bp.route("/manage/assignments/<int:assignment_id>/no-show", methods=["POST"])
@permission_required(MANAGE)
def no_show(assignment_id: int):
    assignment = managed_assignment(assignment_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        attendance.mark_no_show(assignment)
    except services.BookingError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(_("已记为缺席。"), "success")
    return redirect(url_for("volunteers.roster", shift_id=assignment.shift.id))
