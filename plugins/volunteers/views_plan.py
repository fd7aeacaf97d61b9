"""Matching and invitations, auto-fill with confirmation, approvals, skills and teams."""

from __future__ import annotations

from datetime import date, timedelta

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from core.extensions import db
from core.forms.admin import ConfirmForm
from core.permissions import permission_required, require, unit_ids_where
from core.timeutil import as_moment, local_today
from plugins.volunteers import matching, planning, profiles, services, workflow
from plugins.volunteers.blueprint import bp
from plugins.volunteers.forms import AutofillForm, SkillForm, TeamForm
from plugins.volunteers.models import Profile, ShiftRole, Skill
from plugins.volunteers.views_manage import MANAGE


@bp.route("/manage/roles/<int:role_id>/match")
@permission_required(MANAGE)
def match(role_id: int):
    """Ranked volunteers for a role, with the reasons behind each place in the list."""
    role = db.session.get(ShiftRole, role_id)
    if role is None:
        abort(404)
    require(MANAGE, role.shift)
    return render_template(
        "volunteers/match.html", role=role, matches=matching.rank(role), form=ConfirmForm()
    )


@bp.route("/manage/roles/<int:role_id>/invite/<int:user_id>", methods=["POST"])
@permission_required(MANAGE)
def invite(role_id: int, user_id: int):
    role = db.session.get(ShiftRole, role_id)
    if role is None:
        abort(404)
    require(MANAGE, role.shift)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        services.invite(role_id, user_id, current_user.id)
    except services.BookingError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(_("邀请已发送。"), "success")
    return redirect(url_for("volunteers.match", role_id=role_id))


def next_monday(today: date) -> date:
    return today + timedelta(days=7 - today.weekday())


@bp.route("/manage/autofill", methods=["GET", "POST"])
@permission_required(MANAGE)
def autofill():
    """Propose people for every open place in a period (default: next week); confirm to book."""
    units = unit_ids_where(current_user, MANAGE)
    if request.method == "POST":
        form = ConfirmForm()
        if not form.validate_on_submit():
            abort(400)
        pairs = []
        for raw in request.form.getlist("pair"):
            role_id, _, user_id = raw.partition(":")
            if role_id.isdigit() and user_id.isdigit():
                pairs.append((int(role_id), int(user_id)))
        booked, problems = planning.apply(pairs, units, current_user)
        db.session.commit()
        flash(f"已按方案安排 {booked} 人次。", "success")
        for problem in problems[:10]:
            flash(problem, "error")
        return redirect(url_for("volunteers.manage"))
    form = AutofillForm(request.args)
    start = (form.start.data if form.validate() and form.start.data else None) or next_monday(
        local_today()
    )
    days = form.days.data if form.days.data and not form.days.errors else 7
    begin = as_moment(start)
    shifts = planning.shifts_between(units, begin, begin + timedelta(days=days))
    plan = planning.build_plan(shifts)
    return render_template(
        "volunteers/autofill.html",
        form=form,
        plan=plan,
        start=start,
        days=days,
        confirm_form=ConfirmForm(),
    )


@bp.route("/manage/volunteers")
@permission_required("volunteers.approve_volunteers")
def volunteers_list():
    """Volunteers at my units; pending ones can be approved."""
    units = unit_ids_where(current_user, "volunteers.approve_volunteers")
    rows = list(
        db.session.scalars(
            select(Profile)
            .where(Profile.home_unit_id.in_(units))
            .options(
                selectinload(Profile.user),
                selectinload(Profile.home_unit),
                selectinload(Profile.skills),
            )
            .order_by(Profile.status.desc(), Profile.id)
        )
    )
    return render_template("volunteers/volunteers.html", rows=rows, form=ConfirmForm())


def _profile_to_review(profile_id: int) -> Profile:
    """The profile an approve/reject post names, if this reviewer may decide on it."""
    profile = db.session.get(Profile, profile_id)
    if profile is None:
        abort(404)
    require("volunteers.approve_volunteers", profile)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    return profile


@bp.route("/manage/volunteers/<int:profile_id>/approve", methods=["POST"])
@permission_required("volunteers.approve_volunteers")
def approve(profile_id: int):
    profile = _profile_to_review(profile_id)
    if workflow.APPROVAL.can(current_user, profile, "approve"):  # a second click does nothing
        profiles.approve(profile, current_user)
        db.session.commit()
    flash(_("已审核通过。"), "success")
    return redirect(url_for("volunteers.volunteers_list"))


@bp.route("/manage/volunteers/<int:profile_id>/reject", methods=["POST"])
@permission_required("volunteers.approve_volunteers")
def reject(profile_id: int):
    profile = _profile_to_review(profile_id)
    if workflow.APPROVAL.can(current_user, profile, "reject"):
        reason = (request.form.get("reason") or "").strip()[:200]
        profiles.reject(profile, current_user, reason)
        db.session.commit()
    flash(_("已退回。"), "success")
    return redirect(url_for("volunteers.volunteers_list"))


@bp.route("/manage/skills", methods=["GET", "POST"])
@permission_required("volunteers.manage_skills")
def skills():
    """The managed skill list and the volunteer teams."""
    profiles.ensure_skills()
    skill_form, team_form = SkillForm(prefix="skill"), TeamForm(prefix="team")
    if _posted("skill") and skill_form.validate():
        try:
            profiles.add_skill(skill_form.name.data)
        except profiles.NameTaken:
            skill_form.name.errors.append(_("已有同名技能。"))
        except profiles.NoFreeCode:
            skill_form.name.errors.append(_("同时添加的技能太多，请再提交一次。"))
        else:
            db.session.commit()
            return redirect(url_for("volunteers.skills"))
    if _posted("team") and team_form.validate():
        try:
            profiles.add_team(team_form.name.data, team_form.description.data or "")
        except profiles.NameTaken:
            team_form.name.errors.append(_("已有同名志愿队。"))
        else:
            db.session.commit()
            return redirect(url_for("volunteers.skills"))
    return render_template(
        "volunteers/skills.html",
        skills=db.session.scalars(select(Skill).order_by(Skill.id)).all(),
        teams=profiles.all_teams(),
        skill_form=skill_form,
        team_form=team_form,
    )


def _posted(which: str) -> bool:
    """Which of the two forms on the skills page was sent."""
    return request.method == "POST" and request.form.get("which") == which
