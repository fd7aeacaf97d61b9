"""Report pages: overview month by month, a unit's detail, the progress bulletin (HTML, XLSX)."""

from __future__ import annotations

from datetime import timedelta

from flask import render_template, request, send_file
from flask_login import current_user

from core import charts, orgunits
from core.permissions import permission_required, require, unit_ids_where
from plugins.reports import services, tables, xlsx
from plugins.reports.blueprint import bp, period, unit_or_404, year


def _focus_unit():
    """The unit whose months the overview shows: the district or town, else the first village."""
    towns = services.visible_districts(current_user) or services.visible_towns(current_user)
    if towns:
        return towns[0]
    villages = services.visible_villages(current_user)
    return villages[0] if villages else None


@bp.route("/")
@permission_required("reports.view")
def index():
    """The town (or own village) month by month, and every visible village for the period."""
    form, start, end = period()
    focus = _focus_unit()
    villages = services.visible_villages(current_user)
    cols, months, month_total = tables.monthly(focus, start, end) if focus else ([], [], None)
    weights = services.weights(start.year)
    bcols, rows, total = tables.bulletin(villages, villages, start, end, weights)
    chosen = request.args.get("metric") or (bcols[0].key if bcols else "")
    chart_col = next((col for col in bcols if col.key == chosen), bcols[0] if bcols else None)
    bars = trend = None
    if chart_col:
        bars = charts.bar_chart(
            f"{chart_col.label}（各村）",
            [(row.label, row.values[chart_col.key]) for row in rows],
            chart_col.unit,
        )
        trend = charts.trend_chart(
            f"{chart_col.label}（逐月，{focus.name}）",
            [(row.label.split("年")[1], row.values.get(chart_col.key, 0)) for row in months],
            chart_col.unit,
        )
    return render_template(
        "reports/index.html",
        form=form,
        start=start,
        last=end - timedelta(days=1),
        focus=focus,
        cols=cols,
        months=months,
        month_total=month_total,
        bcols=bcols,
        rows=rows,
        total=total,
        chart_col=chart_col,
        bars=bars,
        trend=trend,
    )


@bp.route("/units/<int:unit_id>")
@permission_required("reports.view")
def unit(unit_id: int):
    """One village (or the town) month by month, each number linked to its evidence."""
    target = unit_or_404(unit_id)
    require("reports.view", target)
    form, start, end = period()
    cols, months, month_total = tables.monthly(target, start, end)
    trends = [
        charts.trend_chart(
            col.label,
            [(row.label.split("年")[1], row.values.get(col.key, 0)) for row in months],
            col.unit,
        )
        for col in cols
    ]
    return render_template(
        "reports/unit.html",
        unit=target,
        form=form,
        start=start,
        last=end - timedelta(days=1),
        cols=cols,
        months=months,
        month_total=month_total,
        trends=trends,
    )


def _bulletin_data():
    form, start, end = period()
    villages = services.visible_villages(current_user)
    # Ranked among the reader's towns' villages: a town's staff see no other town's figures.
    peers = services.within_seen_towns(
        orgunits.villages(), unit_ids_where(current_user, "reports.view")
    )
    cols, rows, total = tables.bulletin(villages, peers, start, end, services.weights(start.year))
    # A coordinator's view is their own row; the town total is only for those who see the town.
    show_total = bool(services.visible_towns(current_user))
    return form, start, end, cols, rows, total if show_total else None


@bp.route("/bulletin")
@permission_required("reports.view")
def bulletin():
    """工作进度通报: a row per village, a column per metric, totals and rank; prints on A4."""
    form, start, end, cols, rows, total = _bulletin_data()
    return render_template(
        "reports/bulletin.html",
        form=form,
        start=start,
        last=end - timedelta(days=1),
        cols=cols,
        rows=rows,
        total=total,
    )


@bp.route("/bulletin.xlsx")
@permission_required("reports.view")
def bulletin_xlsx():
    """The same bulletin as a spreadsheet for the progress meeting."""
    _form, start, end, cols, rows, total = _bulletin_data()
    last = end - timedelta(days=1)
    data = xlsx.bulletin(start, last, cols, rows, total)
    return send_file(
        data,
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        as_attachment=True,
        download_name=f"工作进度通报_{start.isoformat()}_{last.isoformat()}.xlsx",
    )


@bp.route("/assessment")
@permission_required("reports.view")
def assessment():
    """年度考核: weighted score and rank per village and per unit, evidence one click away."""
    form, chosen = year()
    weights = services.weights(chosen)
    shown = unit_ids_where(current_user, "reports.view")
    # Rank among the towns the reader sees into, so a town's staff see no other town's figures.
    villages = services.within_seen_towns(orgunits.villages(), shown)
    others = services.within_seen_towns(services.other_units(), shown)
    cols, village_rows, other_rows = [], [], []
    if weights:
        cols, (village_rows, other_rows) = tables.assessment(
            [villages, others], shown, chosen, weights
        )
    return render_template(
        "reports/assessment.html",
        form=form,
        year=chosen,
        weights=weights,
        cols=cols,
        village_rows=village_rows,
        other_rows=other_rows,
    )
