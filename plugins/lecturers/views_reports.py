"""The manager's dispatch dashboard and the coverage report (HTML with SVG chart, XLSX)."""

from __future__ import annotations

from datetime import date, timedelta

from flask import abort, current_app, render_template, request, send_file
from flask_login import current_user, login_required
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from core import charts, permissions
from core.extensions import db
from core.figures import evidence_request
from core.models import OrgUnit
from core.orgunits import VILLAGE_KINDS
from core.permissions import permission_required
from core.timeutil import local_today, utcnow
from plugins.lecturers import reports, services
from plugins.lecturers.blueprint import bp
from plugins.lecturers.models import Lecturer
from plugins.lecturers.requests.models import STATES, LectureRequest


def _villages(permission: str, within: int | None = None) -> list[OrgUnit]:
    ids = permissions.unit_ids_where(current_user, permission)
    query = (
        select(OrgUnit)
        .where(OrgUnit.id.in_(ids), OrgUnit.kind.in_(VILLAGE_KINDS), OrgUnit.active.is_(True))
        .order_by(OrgUnit.name)
    )
    if within:
        unit = db.session.get(OrgUnit, within)
        if unit is None:
            abort(404)
        query = query.where(OrgUnit.path.startswith(unit.path))
    return list(db.session.scalars(query))


@bp.route("/manage")
@permission_required("lecturers.manage")
def manage():
    """The dispatch queue (overdue highlighted) and open requests by village and status."""
    villages = _villages("lecturers.manage")
    ids = [v.id for v in villages]
    days = current_app.config.get("LECTURERS_OVERDUE_DAYS", 3)
    limit = utcnow() - timedelta(days=days)
    waiting = list(
        db.session.scalars(
            select(LectureRequest)
            .where(
                LectureRequest.state.in_(("submitted", "assigned")),
                LectureRequest.org_unit_id.in_(ids),
            )
            .order_by(LectureRequest.state_changed_at)
            .options(
                selectinload(LectureRequest.topic),
                selectinload(LectureRequest.village),
                selectinload(LectureRequest.slots),
                selectinload(LectureRequest.lecturer).selectinload(Lecturer.user),
            )
        )
    )
    queue = [r for r in waiting if r.state == "submitted"]
    unanswered = [r for r in waiting if r.state == "assigned"]
    matrix: dict[int, dict[str, int]] = {v.id: {} for v in villages}
    for unit_id, state, count in db.session.execute(
        select(LectureRequest.org_unit_id, LectureRequest.state, func.count(LectureRequest.id))
        .where(LectureRequest.org_unit_id.in_(ids))
        .group_by(LectureRequest.org_unit_id, LectureRequest.state)
    ):
        matrix[unit_id][state] = count
    pending = db.session.scalar(select(func.count(Lecturer.id)).where(Lecturer.status == "applied"))
    return render_template(
        "lecturers/manage.html",
        queue=queue,
        unanswered=unanswered,
        overdue_before=limit,
        overdue_days=days,
        now=utcnow(),
        villages=villages,
        matrix=matrix,
        states=STATES,
        pending=pending,
    )


def _period_from_args() -> reports.Period:
    args = request.args
    start, end = args.get("start"), args.get("end")
    if start and end:
        try:
            first, last = date.fromisoformat(start[:10]), date.fromisoformat(end[:10])
        except ValueError:
            abort(400)
        if last <= first or (last - first).days > 3700:
            abort(400)
        return reports.custom_period(first, last)
    today = local_today()
    kind = args.get("period", "month")
    number_default = {"month": today.month, "quarter": (today.month - 1) // 3 + 1}.get(kind, 1)
    return reports.make_period(
        kind, args.get("year", today.year, type=int), args.get("n", number_default, type=int)
    )


def _report() -> reports.Coverage:
    villages = _villages("lecturers.view_reports", request.args.get("unit_id", type=int))
    return reports.coverage(villages, _period_from_args())


@bp.route("/reports/coverage")
@permission_required("lecturers.view_reports")
def coverage():
    """Lectures delivered per village in a month/quarter/year; villages with none stand out."""
    report = _report()
    chart = charts.bar_chart(
        f"各村送讲场次 {report.period.label}",
        [(row["name"], row["lectures"]) for row in report.villages],
    )
    return render_template(
        "lecturers/coverage.html",
        report=report,
        chart=chart,
        periods=reports.PERIODS,
        args=request.args,
    )


@bp.route("/reports/coverage.xlsx")
@permission_required("lecturers.view_reports")
def coverage_xlsx():
    """The same report as an Excel file."""
    report = _report()
    from io import BytesIO

    return send_file(
        BytesIO(reports.xlsx_bytes(report)),
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        as_attachment=True,
        download_name=f"lecture-coverage-{report.period.first.isoformat()}.xlsx",
    )


def _delivered(measure: str):
    # Coordinators see their own village's lectures (they ordered them); staff their units'.
    ev = evidence_request("lecturers.view_reports", "lecturers.request")
    lectures = services.delivered_lectures(ev.start, ev.end, ev.unit_ids)
    if measure == "audience":
        total = sum(lecture.attendance or 0 for lecture in lectures)
    else:
        total = len(lectures)
    return render_template(
        "lecturers/delivered.html", ev=ev, lectures=lectures, measure=measure, total=total
    )


@bp.route("/reports/delivered")
@login_required
def report_delivered():
    """The lectures behind 送讲场次: delivered, ended in the period, in the unit."""
    return _delivered("lectures")


@bp.route("/reports/audience")
@login_required
def report_audience():
    """The same lectures with their audience: the evidence behind 听讲人次."""
    return _delivered("audience")
