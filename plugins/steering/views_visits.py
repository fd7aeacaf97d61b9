"""Inspection visit pages: the list, a new visit from the checklist, one visit."""

from __future__ import annotations

from datetime import date

from flask import redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from core import orgunits, respond
from core.extensions import db
from core.models import OrgUnitKind
from core.permissions import permission_required, require, unit_ids_where
from core.timeutil import local_today
from plugins.steering import services, visits
from plugins.steering.blueprint import bp, get_or_404, unit_or_404
from plugins.steering.forms import visit_form
from plugins.steering.models import CHECK_RESULTS, MATERIALS, TASK_STATES, Visit

VISITED_KINDS = (OrgUnitKind.village, OrgUnitKind.community, OrgUnitKind.school)


def _units():
    allowed = unit_ids_where(current_user, "steering.assign")
    return [
        (uid, name) for uid, name in orgunits.unit_choices(kinds=VISITED_KINDS) if uid in allowed
    ]


@bp.route("/visits")
@permission_required("steering.assign")
def visits_list():
    """Visits to the units one may visit, newest first."""
    rows = visits.visible_visits(unit_ids_where(current_user, "steering.assign"))
    return render_template("steering/visits.html", rows=rows, units=_units())


def _day(name: str, default: date) -> date:
    try:
        return date.fromisoformat(request.args.get(name, "")[:10])
    except ValueError:
        return default


@bp.route("/visits/new", methods=["GET", "POST"])
@permission_required("steering.assign")
def visit_new():
    """The checklist for a unit and period, each material with what the site holds; findings
    may become tasks for the unit in the same step."""
    unit = unit_or_404(request.args.get("unit_id", type=int))
    require("steering.assign", unit)
    if unit.kind not in VISITED_KINDS:
        return redirect(url_for("steering.visits_list"))
    today = local_today()
    form = visit_form(MATERIALS, CHECK_RESULTS)(
        data={
            "visited_on": today,
            "visitors": current_user.display_name,
            "period_start": _day("start", today.replace(month=1, day=1)),
            "period_end": _day("end", today),
        }
    )
    people = services.owner_candidates(unit)
    form.task_owner_id.choices = [("", _("不生成任务"))] + [(u.id, u.display_name) for u in people]
    start = form.period_start.data or today
    end = form.period_end.data or today
    status = 200
    if request.method == "POST":
        status = 400
        if form.validate():
            try:
                visit = visits.record_visit(
                    unit,
                    current_user,
                    visited_on=form.visited_on.data,
                    visitors=form.visitors.data,
                    period_start=form.period_start.data,
                    period_end=form.period_end.data,
                    findings=form.findings.data or "",
                    results={
                        key: (form[f"result_{key}"].data, form[f"note_{key}"].data or "")
                        for key in MATERIALS
                    },
                    task_owner_id=form.task_owner_id.data,
                    task_deadline=form.task_deadline.data,
                )
            except services.TaskError as error:
                db.session.rollback()
                target = {
                    "title": "findings",
                    "owner_id": "task_owner_id",
                    "deadline": "task_deadline",
                }.get(error.field, error.field)
                field = form._fields.get(target, form.findings)
                field.errors = [*field.errors, error.message]
            else:
                return respond.done(_("检查记录已保存。"), "steering.visit", visit_id=visit.id)
    rows, asked = visits.checklist(unit, start, end)
    return render_template(
        "steering/visit_new.html", form=form, unit=unit, rows=rows, asked=asked
    ), status


@bp.route("/visits/<int:visit_id>")
@permission_required("steering.view")
def visit(visit_id: int):
    """One visit: the checklist as found, the findings and the tasks made from them."""
    record = get_or_404(Visit, visit_id)
    require("steering.view", record)
    return render_template(
        "steering/visit.html",
        visit=record,
        tasks=visits.visit_tasks(record),
        materials=MATERIALS,
        results=CHECK_RESULTS,
        states=TASK_STATES,
    )
