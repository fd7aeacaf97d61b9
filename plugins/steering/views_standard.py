"""The demonstration standard pages: the standard and milestones, items, a village's
self-assessment and the town's score."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from core import orgunits, respond
from core.extensions import db
from core.permissions import can, permission_required, require, unit_ids_where
from core.statemachine import TransitionRefused
from plugins.steering import rules, standard
from plugins.steering.blueprint import bp, unit_or_404
from plugins.steering.forms import CsrfForm, MilestoneForm, StandardForm
from plugins.steering.services import TaskError


def _year() -> int:
    chosen = request.args.get("year", type=int)
    return chosen if chosen and 2000 <= chosen <= 2100 else standard.this_year()


@bp.route("/standard")
@permission_required("steering.view")
def standard_page():
    """The year's standard, every visible village's result, and the milestones with the gap."""
    year = _year()
    visible = unit_ids_where(current_user, "steering.view")
    villages = [village for village in orgunits.villages() if village.id in visible]
    results = {
        record.org_unit_id: record
        for record in standard.history([v.id for v in villages])
        if record.year == year
    }
    return render_template(
        "steering/standard.html",
        year=year,
        items=standard.items(year),
        villages=villages,
        results=results,
        milestones=standard.milestones(),
        pass_mark=standard.pass_mark(),
        milestone_form=MilestoneForm(),
        may_manage=can(current_user, "steering.manage"),
    )


@bp.route("/standard/items", methods=["GET", "POST"])
@permission_required("steering.manage")
def standard_items():
    """Define the year's weighted checklist (points sum to 100): the town's managers only."""
    require("steering.manage", rules.TOWN_WIDE)
    year = _year()
    labels = standard.metric_labels(year)
    existing = standard.items(year)
    form = StandardForm(
        data={
            "rows": [
                {
                    "title": item.title,
                    "points": item.points,
                    "evidence": item.evidence,
                    "metric_key": item.metric_key or "",
                    "metric_target": item.metric_target,
                }
                for item in existing
            ]
        }
    )
    for entry in form.rows:
        entry.form.metric_key.choices = [("", _("不引用")), *labels.items()]
    status = 200
    if request.method == "POST":
        status = 400
        if form.validate():
            rows, missing = [], False
            for entry in form.rows:
                data = entry.form
                if not data.title.data:
                    continue
                if data.points.data is None:
                    data.points.errors = [*data.points.errors, _("请填写分值。")]
                    missing = True
                    continue
                rows.append(
                    standard.ItemRow(
                        data.title.data,
                        data.points.data,
                        data.evidence.data or "",
                        data.metric_key.data or None,
                        data.metric_target.data,
                    )
                )
            if not missing:
                try:
                    standard.save_items(year, rows, set(labels))
                except TaskError as error:
                    db.session.rollback()
                    form.form_errors.append(error.message)
                else:
                    return respond.done(_("评估标准已保存。"), "steering.standard_page", year=year)
    return render_template("steering/standard_items.html", form=form, year=year), status


@bp.route("/standard/milestones", methods=["POST"])
@permission_required("steering.manage")
def standard_milestone():
    """Set how many demonstration villages there should be by the end of a year."""
    require("steering.manage", rules.TOWN_WIDE)
    form = MilestoneForm()
    if form.validate():
        standard.set_milestone(form.year.data, form.villages.data or 0, form.full_coverage.data)
        db.session.commit()
        flash(_("目标已保存。"), "success")
    else:
        for errors in form.errors.values():
            for error in errors:
                flash(str(error), "error")
    return redirect(url_for("steering.standard_page"))


def _village(unit_id: int):
    unit = unit_or_404(unit_id)
    if not unit.kind.is_village:
        unit_or_404(None)
    require("steering.view", unit)
    return unit


def _points(prefix: str, ids) -> dict[int, Decimal | None]:
    found: dict[int, Decimal | None] = {}
    for item_id in ids:
        try:
            found[item_id] = Decimal(request.form.get(f"{prefix}-{item_id}", "").strip())
        except InvalidOperation:
            found[item_id] = None
        if found[item_id] is not None and not found[item_id].is_finite():
            found[item_id] = None
    return found


def _unit_page(unit, year: int, error: str | None = None, status: int = 200):
    items = standard.items(year)
    record = standard.assessment(unit.id, year)
    answers = {answer.item_id: answer for answer in record.answers} if record else {}
    keys = {item.metric_key for item in items if item.metric_key}
    values = standard.metric_values(unit.id, year, keys)
    suggested = {
        item.id: min(
            Decimal(item.points),
            Decimal(item.points)
            * Decimal(str(values.get(item.metric_key, 0)))
            / item.metric_target,
        ).quantize(Decimal("0.1"))
        for item in items
        if item.metric_key and item.metric_target
    }
    return render_template(
        "steering/standard_unit.html",
        unit=unit,
        year=year,
        items=items,
        record=record,
        answers=answers,
        values=values,
        suggested=suggested,
        history=standard.history([unit.id]),
        error=error,
        form=CsrfForm(),
        may_self=can(current_user, "steering.self_assess", unit)
        and not (record and record.state == "scored"),
        may_score=can(current_user, "steering.manage", unit) and record is not None,
    ), status


@bp.route("/standard/units/<int:unit_id>")
@permission_required("steering.view")
def standard_unit(unit_id: int):
    """A village against the standard: its claims with evidence, the town's points, history."""
    return _unit_page(_village(unit_id), _year())


@bp.route("/standard/units/<int:unit_id>/self", methods=["POST"])
@permission_required("steering.self_assess")
def standard_self(unit_id: int):
    unit = _village(unit_id)
    require("steering.self_assess", unit)
    year = _year()
    if not CsrfForm().validate():
        return _unit_page(unit, year, _("页面已过期，请重新提交。"), 400)
    ids = [item.id for item in standard.items(year)]
    points = _points("self", ids)
    claims = {i: (points[i], request.form.get(f"evidence-{i}", "")) for i in ids}
    try:
        standard.self_assess(unit, year, current_user, claims)
    except (TaskError, TransitionRefused) as error:
        db.session.rollback()
        return _unit_page(unit, year, error.message, getattr(error, "status", 400))
    return respond.done(_("自评已提交。"), "steering.standard_unit", unit_id=unit.id, year=year)


@bp.route("/standard/units/<int:unit_id>/score", methods=["POST"])
@permission_required("steering.manage")
def standard_score(unit_id: int):
    unit = _village(unit_id)
    require("steering.manage", unit)
    year = _year()
    record = standard.assessment(unit.id, year)
    if record is None:
        return _unit_page(unit, year, _("该村（社区）还没有自评。"), 409)
    if not CsrfForm().validate():
        return _unit_page(unit, year, _("页面已过期，请重新提交。"), 400)
    try:
        standard.score(record, current_user, _points("town", [a.item_id for a in record.answers]))
    except (TaskError, TransitionRefused) as error:
        db.session.rollback()
        return _unit_page(unit, year, error.message, getattr(error, "status", 400))
    return respond.done(_("评分已保存。"), "steering.standard_unit", unit_id=unit.id, year=year)
