"""The volunteer's profile: sign-up, skills, villages, weekly availability, blackout days."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from core import orgunits
from core.extensions import db
from core.forms.admin import ConfirmForm
from plugins.volunteers import matching, profiles
from plugins.volunteers.blueprint import bp
from plugins.volunteers.forms import AvailabilityForm, BlackoutForm, ProfileForm
from plugins.volunteers.models import VolunteerAvailability, VolunteerBlackout


@bp.route("/profile", methods=["GET", "POST"])
@login_required
def profile_edit():
    """Sign up as a volunteer or change the profile: skills, teams, villages, monthly maximum."""
    profiles.ensure_skills()
    profile = profiles.profile_of(current_user.id)
    form = ProfileForm(obj=profile)
    villages = orgunits.villages()
    form.home_unit_id.choices = [(v.id, v.name) for v in villages]
    form.villages.choices = [(v.id, v.name) for v in villages]
    form.skills.choices = [(s.id, s.name) for s in profiles.active_skills()]
    form.teams.choices = [(t.id, t.name) for t in profiles.all_teams()]
    if request.method == "GET":
        form.home_unit_id.data = (profile.home_unit_id if profile else None) or (
            current_user.home_unit_id
        )
        if profile:
            form.skills.data = [s.id for s in profile.skills]
            form.teams.data = [t.id for t in profile.teams]
            form.villages.data = [v.id for v in profile.villages]
    if form.validate_on_submit():
        profile, created = profiles.save_profile(current_user, form.data)
        db.session.commit()
        if created and profile.status == "pending":
            flash(_("已提交志愿者登记，等待审核。"), "success")
        else:
            flash(_("志愿者资料已保存。"), "success")
        return redirect(url_for("volunteers.profile_edit"))
    return render_template(
        "volunteers/profile.html",
        form=form,
        profile=profile,
        availability_form=AvailabilityForm(),
        blackout_form=BlackoutForm(),
        action_form=ConfirmForm(),
        weekday=matching.weekday_label,
    )


def _own_profile():
    profile = profiles.profile_of(current_user.id)
    if profile is None:
        flash(_("请先填写志愿者资料。"), "error")
        abort(redirect(url_for("volunteers.profile_edit")))
    return profile


@bp.route("/profile/availability", methods=["POST"])
@login_required
def availability_add():
    """Add a weekly window; the end must be after the start."""
    profile = _own_profile()
    form = AvailabilityForm()
    if form.validate_on_submit():
        profile.availability.append(
            VolunteerAvailability(
                weekday=form.weekday.data,
                start_time=form.start_time.data,
                end_time=form.end_time.data,
            )
        )
        db.session.commit()
        flash(_("已添加可服务时间。"), "success")
        return redirect(url_for("volunteers.profile_edit"))
    for errors in form.errors.values():
        for error in errors:
            flash(error, "error")
    return redirect(url_for("volunteers.profile_edit"))


@bp.route("/profile/availability/<int:row_id>/delete", methods=["POST"])
@login_required
def availability_delete(row_id: int):
    profile = _own_profile()
    row = db.session.get(VolunteerAvailability, row_id)
    if row is None or row.profile_id != profile.id or not ConfirmForm().validate_on_submit():
        abort(404)
    db.session.delete(row)
    db.session.commit()
    return redirect(url_for("volunteers.profile_edit"))


@bp.route("/profile/blackouts", methods=["POST"])
@login_required
def blackout_add():
    profile = _own_profile()
    form = BlackoutForm()
    if form.validate_on_submit():
        if form.day.data not in {b.day for b in profile.blackouts}:
            profile.blackouts.append(VolunteerBlackout(day=form.day.data))
            db.session.commit()
        flash(_("已添加不能服务的日期。"), "success")
    elif form.day.data:  # a real date, but in the past
        flash(str(form.day.errors[-1]), "error")
    else:
        flash(_("请选择有效的日期。"), "error")
    return redirect(url_for("volunteers.profile_edit"))


@bp.route("/profile/blackouts/<int:row_id>/delete", methods=["POST"])
@login_required
def blackout_delete(row_id: int):
    profile = _own_profile()
    row = db.session.get(VolunteerBlackout, row_id)
    if row is None or row.profile_id != profile.id or not ConfirmForm().validate_on_submit():
        abort(404)
    db.session.delete(row)
    db.session.commit()
    return redirect(url_for("volunteers.profile_edit"))
