"""Manager reports: roster by village and skill, hours for a period, XLSX export, evidence."""

from __future__ import annotations

from datetime import date, timedelta

from flask import Response, abort, render_template, request
from flask_login import current_user

from core.extensions import db
from core.models import OrgUnit
from core.permissions import permission_required, require, unit_ids_where
from core.timeutil import local_today
from plugins.volunteers import reports
from plugins.volunteers.blueprint import bp
from plugins.volunteers.forms import PeriodForm

VIEW = "volunteers.view_reports"


def _period() -> tuple[PeriodForm, date, date, OrgUnit | None]:
    form = PeriodForm(request.args)
    form.validate()
    today = local_today()
    start = form.start.data or today.replace(day=1)
    end = form.end.data or today + timedelta(days=1)
    if end <= start:
        form.end.errors = ["结束日期必须晚于开始日期。"]
        end = start + timedelta(days=1)
    unit = None
    unit_id = request.args.get("unit_id", type=int)
    if unit_id:
        unit = db.session.get(OrgUnit, unit_id)
        if unit is None:
            abort(404)
        require(VIEW, unit)
    return form, start, end, unit


@bp.route("/reports/hours")
@permission_required(VIEW)
def report_hours():
    """Hours by volunteer, team and village for a period (also the metric's evidence page)."""
    form, start, end, unit = _period()
    units = unit_ids_where(current_user, VIEW)
    records = reports.hour_records(unit.path if unit else None, units, start, end)
    if request.args.get("format") == "xlsx":
        data = reports.export_xlsx(records, start, end)
        return Response(
            data,
            mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            headers={
                "Content-Disposition": f"attachment; filename=volunteer-hours-{start}-{end}.xlsx"
            },
        )
    return render_template(
        "volunteers/report_hours.html",
        form=form,
        start=start,
        end=end,
        unit=unit,
        records=records,
        summary=reports.summarise(records),
        total=round(sum(r.hours or 0 for r in records), 2),
    )


@bp.route("/reports/roster")
@permission_required(VIEW)
def report_roster():
    """How many approved volunteers each village has, by skill."""
    skills, rows = reports.roster_table(unit_ids_where(current_user, VIEW))
    return render_template("volunteers/report_roster.html", skills=skills, rows=rows)


@bp.route("/reports/mediation")
@permission_required(VIEW)
def report_mediation():
    """Mediation sessions in a period: date, village, state and outcome only (no private detail)."""
    form, start, end, unit = _period()
    units = unit_ids_where(current_user, VIEW)
    return render_template(
        "volunteers/report_mediation.html",
        form=form,
        start=start,
        end=end,
        unit=unit,
        cases=reports.mediation_sessions(unit.path if unit else None, units, start, end),
    )
