"""The volunteer's profile: sign-up, skills, villages (free time: core's /me/availability)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from core import availability, orgunits
from core.extensions import db
from core.forms.admin import ConfirmForm
from plugins.volunteers import profiles
from plugins.volunteers.blueprint import bp
from plugins.volunteers.forms import ProfileForm


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
        action_form=ConfirmForm(),
        free_time=availability.summary(current_user.id) if profile else None,
    )
