"""Managers' pages for contests: create, edit, publish, cancel."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from core import respond
from core.extensions import db
from core.models import OrgUnit
from core.orgunits import unit_choices
from core.permissions import permission_required, require, unit_ids_where
from core.statemachine import TransitionRefused
from core.timeutil import from_local, to_local, utcnow
from plugins.competitions import services
from plugins.competitions.blueprint import bp
from plugins.competitions.forms import CATEGORIES, ContestForm
from plugins.competitions.models import Contest
from plugins.competitions.workflow import CONTEST_TABLE

STATE_LABELS = CONTEST_TABLE.states


def manager_root() -> OrgUnit | None:
    """The highest unit where the current user manages contests (owner unit of new contests)."""
    ids = unit_ids_where(current_user, "competitions.manage")
    units = db.session.scalars(select(OrgUnit).where(OrgUnit.id.in_(ids))).all()
    return min(units, key=lambda unit: len(unit.path), default=None)


@bp.route("/manage")
@permission_required("competitions.manage")
def manage():
    """Every contest the manager's units own."""
    ids = unit_ids_where(current_user, "competitions.manage")
    contests = db.session.scalars(
        select(Contest).where(Contest.org_unit_id.in_(ids)).order_by(Contest.opens_at.desc())
    ).all()
    return render_template(
        "competitions/manage.html", contests=contests, now=utcnow(), labels=STATE_LABELS
    )


def _form(contest: Contest | None) -> ContestForm:
    form = ContestForm(obj=None)
    form.eligible_unit_id.choices = [(0, _("所有人")), *unit_choices()]
    if contest is not None and request.method == "GET":
        form.title.data, form.description.data = contest.title, contest.description
        form.eligible_unit_id.data = contest.eligible_unit_id or 0
        form.opens_at.data = to_local(contest.opens_at).replace(tzinfo=None)
        form.closes_at.data = to_local(contest.closes_at).replace(tzinfo=None)
        form.time_limit_minutes.data = contest.time_limit_minutes
        form.attempts_allowed.data = contest.attempts_allowed
        form.counting.data = contest.counting
        form.points_per_question.data = int(contest.points_per_question)
        form.quotas.data = "\n".join(
            f"{CATEGORIES[q['category']]} {q['difficulty']} {q['count']}" for q in contest.quotas
        )
    return form


def _quota_problems(quotas: list[dict]) -> list[str]:
    counts = services.available_counts()
    return [
        f"{CATEGORIES[q['category']]} 难度{q['difficulty']} 只有 "
        f"{counts.get((q['category'], q['difficulty']), 0)} 题，不够抽 {q['count']} 题。"
        for q in quotas
        if counts.get((q["category"], q["difficulty"]), 0) < q["count"]
    ]


@bp.route("/manage/new", methods=["GET", "POST"])
@bp.route("/manage/<int:contest_id>/edit", methods=["GET", "POST"])
@permission_required("competitions.manage")
def edit_contest(contest_id: int | None = None):
    """Create or change a contest; time changes raise the calendar sequence."""
    contest = db.get_or_404(Contest, contest_id) if contest_id else None
    if contest is not None:
        require("competitions.manage", contest)
    form = _form(contest)
    if form.is_submitted():
        ok = form.validate()  # parses the quotas even when another field is wrong
        problems = _quota_problems(form.parsed_quotas)
        if problems:
            form.quotas.errors = [*form.quotas.errors, *problems]
        elif ok:
            if contest is None:
                root = manager_root()
                contest = Contest(org_unit_id=root.id, state="draft")
                db.session.add(contest)
            opens, closes = from_local(form.opens_at.data), from_local(form.closes_at.data)
            if contest.id and (contest.opens_at, contest.closes_at) != (opens, closes):
                contest.sequence += 1
            contest.title, contest.description = form.title.data, form.description.data or ""
            contest.eligible_unit_id = form.eligible_unit_id.data or None
            contest.opens_at, contest.closes_at = opens, closes
            contest.time_limit_minutes = form.time_limit_minutes.data
            contest.attempts_allowed = form.attempts_allowed.data
            contest.counting = form.counting.data
            contest.points_per_question = float(form.points_per_question.data)
            contest.quotas = form.parsed_quotas
            db.session.flush()
            return respond.done(
                _("竞赛已保存。"),
                "competitions.contest",
                record=("competitions.contest_saved", contest, f"保存竞赛 {contest.title}"),
                contest_id=contest.id,
            )
    return render_template("competitions/contest_form.html", form=form, contest=contest)


@bp.route("/manage/<int:contest_id>/state", methods=["POST"])
@permission_required("competitions.manage")
def contest_state(contest_id: int):
    """Publish, withdraw to draft, or cancel, as CONTEST_TABLE allows."""
    contest = db.get_or_404(Contest, contest_id)
    require("competitions.manage", contest)
    target = request.form.get("state", "")
    if target not in STATE_LABELS:
        abort(400)
    action = CONTEST_TABLE.action_to(contest, target)
    label = _(STATE_LABELS[target])
    if action is None:
        flash(_("当前状态不能改为“%(state)s”。", state=label), "error")
        return redirect(url_for("competitions.contest", contest_id=contest.id)), 303
    try:
        CONTEST_TABLE.apply(contest, action, current_user)
    except TransitionRefused as refused:
        flash(refused.message, "error")
        return redirect(url_for("competitions.contest", contest_id=contest.id)), 303
    return respond.done(
        _("竞赛已改为“%(state)s”。", state=label), "competitions.contest", contest_id=contest.id
    )
