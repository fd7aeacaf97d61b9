"""People's mediation pages: request, list, case page, schedule, recusal, outcome."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from core import accounts, notify, orgunits, respond
from core.extensions import db
from core.forms.admin import ConfirmForm
from core.models import OrgUnit, User
from core.permissions import can, require
from core.statemachine import TransitionRefused
from core.timeutil import from_local, to_local
from plugins.volunteers.blueprint import bp
from plugins.volunteers.mediation import services as mediation
from plugins.volunteers.mediation.forms import (
    MediationRequestForm,
    OutcomeForm,
    RecuseForm,
    ScheduleForm,
)
from plugins.volunteers.mediation.models import (
    CASE_STATES,
    DISPUTE_TYPES,
    OUTCOMES,
    MediationCase,
)
from plugins.volunteers.mediation.workflow import CASES, has_conflict
from plugins.volunteers.models import Profile, Skill

LABELS = {"states": CASE_STATES, "types": DISPUTE_TYPES, "outcomes": OUTCOMES}


@bp.route("/mediation")
@login_required
def mediation_list():
    """My requests, the cases I mediate, and for the justice office every case."""
    cases = mediation.visible_cases(current_user)
    readable = [c for c in cases if mediation.can_see_case(current_user, c)]
    return render_template(
        "volunteers/mediation_list.html",
        cases=readable,
        helping=[(c, "volunteer") for c in cases if c not in readable],  # time and place only
        labels=LABELS,
    )


@bp.route("/mediation/new", methods=["GET", "POST"])
@login_required
def mediation_new():
    """A resident or village coordinator asks for a mediation session."""
    form = MediationRequestForm()
    villages = [
        v for v in orgunits.villages() if can(current_user, "volunteers.request_mediation", v)
    ]
    if not villages:
        abort(403)
    form.org_unit_id.choices = [(v.id, v.name) for v in villages]
    form.party_villages.choices = [(v.id, v.name) for v in orgunits.villages()]
    if form.validate_on_submit():
        require("volunteers.request_mediation", form.org_unit_id.data)
        case = MediationCase(
            requester_id=current_user.id,
            org_unit_id=form.org_unit_id.data,
            dispute_type=form.dispute_type.data,
            parties_count=form.parties_count.data,
            parties=form.parties.data or "",
            preferred_times=form.preferred_times.data or "",
            description=form.description.data,
        )
        case.party_villages = list(
            db.session.scalars(select(OrgUnit).where(OrgUnit.id.in_(form.party_villages.data)))
        )
        db.session.add(case)
        db.session.flush()
        for office_user in accounts.users_with_role("mediator", case.org_unit):
            notify.notify(
                office_user.id,
                "新的人民调解申请",
                f"{case.org_unit.name}提出一项{DISPUTE_TYPES[case.dispute_type]}调解申请。",
                link=("volunteers.mediation_detail", {"case_id": case.id}),
                dedupe_key=f"volunteers:mediation-new:{case.id}:{office_user.id}",
            )
        return respond.done(
            _("调解申请已提交，司法所会尽快联系您。"),
            "volunteers.mediation_detail",
            case_id=case.id,
        )
    return render_template("volunteers/mediation_new.html", form=form)


def _people_choices(case: MediationCase) -> tuple[list, list]:
    """Mediators (role holders and volunteers with the mediation skill) and other volunteers."""
    mediators = {u.id: u for u in accounts.users_with_role("mediator")}
    skilled = db.session.scalars(
        select(Profile)
        .where(Profile.status == "approved")
        .join(Profile.skills)
        .where(Skill.code == "mediation")
        .options(selectinload(Profile.user).selectinload(User.home_unit))
    ).all()
    for profile in skilled:
        mediators.setdefault(profile.user_id, profile.user)
    volunteers = db.session.scalars(
        select(Profile)
        .where(Profile.status == "approved")
        .options(selectinload(Profile.user).selectinload(User.home_unit))
    ).all()

    def label(user: User) -> str:
        home = user.home_unit.name if user.home_unit else "-"
        flag = "（同村，应回避）" if has_conflict(user, case) else ""
        return f"{user.display_name}（{home}）{flag}"

    return (
        [(uid, label(u)) for uid, u in sorted(mediators.items())],
        [(p.user_id, label(p.user)) for p in volunteers if p.user_id not in mediators],
    )


@bp.route("/mediation/<int:case_id>", methods=["GET", "POST"])
@login_required
def mediation_detail(case_id: int):
    """The case; private parts only for mediators, the justice office and admins.

    A helping volunteer gets a page of its own: the session's time, place and their task.
    """
    case = mediation.get_visible(case_id, current_user)
    if not mediation.can_see_case(current_user, case):
        return render_template("volunteers/mediation_helper.html", case=case, labels=LABELS)
    private = mediation.can_see_private(current_user, case)
    office = mediation.is_office(current_user, case)
    schedule_form = ScheduleForm(prefix="s")
    outcome_form = OutcomeForm(prefix="o")
    if office:
        mediator_choices, helper_choices = _people_choices(case)
        schedule_form.mediators.choices = mediator_choices
        schedule_form.helpers.choices = helper_choices
        if not schedule_form.is_submitted() and case.starts_at:
            schedule_form.starts_at.data = to_local(case.starts_at).replace(tzinfo=None)
            schedule_form.ends_at.data = to_local(case.ends_at).replace(tzinfo=None)
            schedule_form.venue.data = case.venue
    return render_template(
        "volunteers/mediation_detail.html",
        case=case,
        private=private,
        office=office,
        actions=CASES.allowed_actions(current_user, case),  # the buttons: the table's steps
        schedule_form=schedule_form,
        outcome_form=outcome_form,
        recuse_form=RecuseForm(prefix="r"),
        action_form=ConfirmForm(),
        labels=LABELS,
    )


def _office_case(case_id: int) -> MediationCase:
    case = db.session.get(MediationCase, case_id)
    if case is None:
        abort(404)
    if not mediation.is_office(current_user, case):
        abort(404 if not mediation.can_view(current_user, case) else 403)
    return case


def _step(case: MediationCase, action: str, **data) -> bool:
    """Take a workflow step for the signed-in officer; a refusal is flashed, nothing kept."""
    try:
        CASES.apply(case, action, current_user, **data)
    except TransitionRefused as error:
        db.session.rollback()
        flash(error.message, "error")
        return False
    db.session.commit()
    return True


@bp.route("/mediation/<int:case_id>/schedule", methods=["POST"])
@login_required
def mediation_schedule(case_id: int):
    case = _office_case(case_id)
    form = ScheduleForm(prefix="s")
    form.mediators.choices, form.helpers.choices = _people_choices(case)
    if form.validate_on_submit():
        if _step(
            case,
            "schedule",
            starts_at=from_local(form.starts_at.data),
            ends_at=from_local(form.ends_at.data),
            venue=form.venue.data,
            mediator_ids=form.mediators.data,
            volunteer_ids=form.helpers.data,
        ):
            flagged = [m.user.display_name for m in case.active_mediators if m.conflict]
            if flagged:
                flash(f"注意：{'、'.join(flagged)} 与当事人同村，建议回避并更换。", "error")
            flash(_("调解已安排。"), "success")
        return redirect(url_for("volunteers.mediation_detail", case_id=case.id))
    for errors in form.errors.values():
        for error in errors:
            flash(error, "error")
    return redirect(url_for("volunteers.mediation_detail", case_id=case.id))


@bp.route("/mediation/<int:case_id>/recuse", methods=["POST"])
@login_required
def mediation_recuse(case_id: int):
    case = _office_case(case_id)
    form = RecuseForm(prefix="r")
    if not form.validate_on_submit():
        abort(400)
    row = next((m for m in case.mediators if m.id == form.mediator_row_id.data), None)
    if _step(case, "recuse", row=row, reason=form.reason.data):
        flash(_("已回避，请另行指定调解员。"), "success")
    return redirect(url_for("volunteers.mediation_detail", case_id=case.id))


@bp.route("/mediation/<int:case_id>/outcome", methods=["POST"])
@login_required
def mediation_outcome(case_id: int):
    case = _office_case(case_id)
    form = OutcomeForm(prefix="o")
    if not form.validate_on_submit():
        flash(_("请检查填写的内容。"), "error")
    elif _step(
        case,
        "conclude",
        outcome=form.outcome.data,
        note=form.note.data or "",
        follow_up_on=form.follow_up_on.data,
    ):
        flash(_("调解结果已记录。"), "success")
    return redirect(url_for("volunteers.mediation_detail", case_id=case.id))


@bp.route("/mediation/<int:case_id>/cancel", methods=["POST"])
@login_required
def mediation_cancel(case_id: int):
    case = _office_case(case_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if _step(case, "cancel"):
        flash(_("已取消。"), "success")
    return redirect(url_for("volunteers.mediation_detail", case_id=case.id))
