"""Award rounds: nominate with evidence, judge against weighted criteria, publish, print."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from core import audit, respond
from core.accounts import find_by_phone, normalise_phone
from core.extensions import db
from core.orgunits import unit_choices
from core.permissions import can, permission_required, require, unit_ids_where
from core.statemachine import TransitionRefused
from core.uploads import serve
from plugins.competitions.awards import services as awards
from plugins.competitions.awards.forms import EvidenceForm, JudgeForm, NominationForm, RoundForm
from plugins.competitions.awards.models import (
    AwardJudge,
    AwardRound,
    Evidence,
    JudgeScore,
    Nomination,
)
from plugins.competitions.awards.workflow import ROUND_TABLE
from plugins.competitions.blueprint import bp
from plugins.competitions.services import ContestError
from plugins.competitions.views_manage import manager_root

STATE_LABELS = ROUND_TABLE.states


@bp.route("/awards")
def awards_index():
    rounds = db.session.scalars(select(AwardRound).order_by(AwardRound.id.desc())).all()
    judging = set()
    if current_user.is_authenticated:
        judging = set(
            db.session.scalars(
                select(AwardJudge.round_id).where(AwardJudge.user_id == current_user.id)
            )
        )
    return render_template(
        "competitions/awards.html", rounds=rounds, labels=STATE_LABELS, judging=judging
    )


@bp.route("/awards/new", methods=["GET", "POST"])
@permission_required("competitions.manage")
def round_new():
    form = RoundForm()
    if form.validate_on_submit():
        award_round = AwardRound(
            title=form.title.data,
            award_type=form.award_type.data,
            year=form.year.data,
            winners_count=form.winners_count.data,
            criteria=form.parsed_criteria,
            tie_rule=form.tie_rule.data,
            org_unit_id=manager_root().id,
        )
        db.session.add(award_round)
        db.session.flush()
        audit.record("competitions.round_created", award_round, f"新建评比 {award_round.title}")
        db.session.commit()
        return redirect(url_for("competitions.round_detail", round_id=award_round.id))
    return render_template("competitions/round_form.html", form=form)


def _visible_nominations(award_round: AwardRound) -> list[Nomination]:
    """Managers and judges see all; nominators their units'; others only published winners."""
    query = select(Nomination).where(Nomination.round_id == award_round.id).order_by(Nomination.id)
    if can(current_user, "competitions.manage", award_round) or awards.is_judge(
        award_round, current_user
    ):
        return list(db.session.scalars(query))
    if award_round.state == "published":
        return awards.winners(award_round)
    ids = unit_ids_where(current_user, "competitions.nominate")
    return list(db.session.scalars(query.where(Nomination.nominee_unit_id.in_(ids))))


@bp.route("/awards/<int:round_id>")
def round_detail(round_id: int):
    award_round = db.get_or_404(AwardRound, round_id)
    judges = db.session.scalars(select(AwardJudge).where(AwardJudge.round_id == round_id)).all()
    mine = {}
    if current_user.is_authenticated:
        mine = dict(
            db.session.execute(
                select(JudgeScore.nomination_id, JudgeScore.weighted).where(
                    JudgeScore.judge_id == current_user.id
                )
            ).all()
        )
    nominations = _visible_nominations(award_round)
    return render_template(
        "competitions/round.html",
        award_round=award_round,
        labels=STATE_LABELS,
        nominations=nominations,
        tied=awards.tied_ranks(nominations),
        judges=judges,
        mine=mine,
        manager=can(current_user, "competitions.manage", award_round),
        is_judge=awards.is_judge(award_round, current_user),
        judge_form=JudgeForm(),
    )


@bp.route("/awards/<int:round_id>/state", methods=["POST"])
@permission_required("competitions.manage")
def round_state(round_id: int):
    """Start judging, go back to nominating, or publish the results, as ROUND_TABLE allows."""
    award_round = db.get_or_404(AwardRound, round_id)
    require("competitions.manage", award_round)
    target = request.form.get("state", "")
    if target not in STATE_LABELS:
        abort(400)
    action = ROUND_TABLE.action_to(award_round, target)
    try:
        if action is None:
            raise TransitionRefused("当前阶段不能进行这个操作。")
        ROUND_TABLE.apply(award_round, action, current_user)
    except TransitionRefused as refused:
        flash(refused.message, "error")
        return redirect(url_for("competitions.round_detail", round_id=round_id)), 303
    db.session.commit()
    flash(_("评比已改为“%(state)s”。", state=_(STATE_LABELS[target])), "success")
    if target == "published" and award_round.result_note:
        flash(award_round.result_note, "info")
    return redirect(url_for("competitions.round_detail", round_id=round_id))


@bp.route("/awards/<int:round_id>/judges", methods=["POST"])
@permission_required("competitions.manage")
def round_judges(round_id: int):
    award_round = db.get_or_404(AwardRound, round_id)
    require("competitions.manage", award_round)
    form = JudgeForm()
    user = find_by_phone(normalise_phone(form.phone.data or "")) if form.validate() else None
    if user is None:
        flash(_("没有这个手机号的用户。"), "error")
    elif not awards.is_judge(award_round, user):
        db.session.add(AwardJudge(round_id=round_id, user_id=user.id))
        audit.record("competitions.judge_added", award_round, f"指派评委 {user.display_name}")
        db.session.commit()
        flash(_("已指派评委 %(name)s。", name=user.display_name), "success")
    return redirect(url_for("competitions.round_detail", round_id=round_id))


@bp.route("/awards/<int:round_id>/nominate", methods=["GET", "POST"])
@permission_required("competitions.nominate")
def nominate(round_id: int):
    """A unit or village puts someone forward, with an optional evidence file."""
    award_round = db.get_or_404(AwardRound, round_id)
    allowed = unit_ids_where(current_user, "competitions.nominate")
    form = NominationForm()
    form.nominee_unit_id.choices = [(i, n.strip()) for i, n in unit_choices() if i in allowed]
    if award_round.state != "nominating":
        flash(_("本轮评比已停止推荐。"), "error")
        return redirect(url_for("competitions.round_detail", round_id=round_id))
    if form.validate_on_submit():
        require("competitions.nominate", form.nominee_unit_id.data)
        nomination = Nomination(
            round_id=round_id,
            nominee_name=form.nominee_name.data,
            nominee_unit_id=form.nominee_unit_id.data,
            nominated_by_id=current_user.id,
            reason=form.reason.data,
        )
        db.session.add(nomination)
        upload = form.evidence.data
        try:
            if upload and upload.filename:
                awards.store_evidence(
                    nomination, upload.filename, upload.stream.read(awards.MAX_EVIDENCE_BYTES + 1)
                )
        except ContestError as error:
            db.session.rollback()
            form.evidence.errors = [*form.evidence.errors, str(error)]
        else:
            db.session.flush()
            return respond.done(
                _("推荐已提交。"),
                "competitions.nomination",
                record=("competitions.nominated", nomination, f"推荐 {nomination.nominee_name}"),
                nomination_id=nomination.id,
            )
    return render_template("competitions/nominate.html", form=form, award_round=award_round)


def _may_see(nomination: Nomination) -> bool:
    award_round = nomination.round
    return (
        can(current_user, "competitions.manage", award_round)
        or awards.is_judge(award_round, current_user)
        or can(current_user, "competitions.nominate", nomination)
    )


@bp.route("/awards/nominations/<int:nomination_id>", methods=["GET", "POST"])
@login_required
def nomination(nomination_id: int):
    """Details, evidence, and for judges the score form (refused on a conflict of interest)."""
    nomination = db.get_or_404(Nomination, nomination_id)
    if not _may_see(nomination):
        abort(404)
    award_round = nomination.round
    judge = awards.is_judge(award_round, current_user)
    error, status = None, 200
    if request.method == "POST":
        if not judge:
            abort(403)
        marks = {}
        for criterion in award_round.criteria:
            raw = request.form.get(f"c{award_round.criteria.index(criterion)}", "").strip()
            marks[criterion["name"]] = int(raw) if raw.isdigit() else None
        try:
            awards.score(
                nomination, current_user, marks, (request.form.get("comment") or "")[:1000]
            )
        except ContestError as refused:
            db.session.rollback()
            error, status = str(refused), 400
        else:
            return respond.done(
                _("评分已保存。"),
                "competitions.round_detail",
                record=("competitions.scored", nomination, f"评分 {nomination.nominee_name}"),
                round_id=award_round.id,
            )
    mine = db.session.scalar(
        select(JudgeScore).where(
            JudgeScore.nomination_id == nomination.id, JudgeScore.judge_id == current_user.id
        )
    )
    return render_template(
        "competitions/nomination.html",
        nomination=nomination,
        award_round=award_round,
        judge=judge,
        conflict=awards.conflict(current_user, nomination) if judge else None,
        error=error,
        mine=mine,
        evidence_form=EvidenceForm(),
    ), status


@bp.route("/awards/nominations/<int:nomination_id>/evidence", methods=["POST"])
@login_required
def add_evidence(nomination_id: int):
    nomination = db.get_or_404(Nomination, nomination_id)
    require("competitions.nominate", nomination)
    form = EvidenceForm()
    if form.validate_on_submit():
        try:
            awards.store_evidence(
                nomination,
                form.evidence.data.filename,
                form.evidence.data.stream.read(awards.MAX_EVIDENCE_BYTES + 1),
            )
        except ContestError as error:
            flash(str(error), "error")
            return redirect(url_for("competitions.nomination", nomination_id=nomination.id)), 303
        audit.record(
            "competitions.evidence_added", nomination, f"上传材料 {nomination.nominee_name}"
        )
        db.session.commit()
        flash(_("材料已上传。"), "success")
    else:
        flash(_("请选择文件。"), "error")
    return redirect(url_for("competitions.nomination", nomination_id=nomination.id))


@bp.route("/awards/evidence/<int:evidence_id>")
@login_required
def evidence(evidence_id: int):
    """Evidence files are only served to people who may see the nomination."""
    item = db.get_or_404(Evidence, evidence_id)
    if not _may_see(item.nomination):
        abort(404)
    return serve(awards.evidence_dir(), item.stored_name, item.content_type, item.filename)


@bp.route("/awards/<int:round_id>/certificates")
def certificates(round_id: int):
    """Printable certificates of the winners, once results are published."""
    award_round = db.get_or_404(AwardRound, round_id)
    if award_round.state != "published":
        abort(404)
    winners = awards.winners(award_round)
    return render_template(
        "competitions/certificates.html",
        award_round=award_round,
        winners=winners,
        tied=awards.tied_ranks(winners),
    )
