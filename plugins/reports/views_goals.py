"""Goals and weights: progress against them, and the managers' forms that set them."""

from __future__ import annotations

from flask import abort, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from core import audit, respond, timeutil
from core.extensions import db
from core.permissions import holds_at_top, permission_required
from plugins.reports import metrics, services, tables
from plugins.reports.blueprint import bp
from plugins.reports.forms import DemonstrationForm, targets_form, weights_form, year

PROGRESS_STATES = {
    tables.DONE: _l("已完成"),
    tables.ON_TRACK: _l("达标"),
    tables.BEHIND: _l("落后"),
}


def metric_labels(chosen: int) -> dict[str, str]:
    """Labels of the metrics on offer this year, plus any key already given a target or weight."""
    ids = [town.id for town in services.towns()]
    start, end = metrics.year_bounds(chosen)
    found = metrics.collect(ids, start, end)
    labels = {
        key: f"{metric.label}（{metric.unit}）" if metric.unit else metric.label
        for key, metric in found.items()
    }
    for key in [*services.targets(chosen), *services.weights(chosen)]:
        labels.setdefault(key, key)
    return labels


def _field_name(key: str) -> str:
    return key.replace(".", "__")


@bp.route("/progress")
@permission_required("reports.view")
def progress():
    """Each village against the goals; villages behind are highlighted."""
    form, chosen = year()
    villages = services.visible_villages(current_user)
    quarter_cols, cols, rows = tables.progress(villages, chosen, timeutil.local_today())
    return render_template(
        "reports/progress.html",
        form=form,
        year=chosen,
        quarter_cols=quarter_cols,
        cols=cols,
        rows=rows,
        set_up=sum(row.centre_set_up for row in rows),
        active=sum(row.active_this_quarter for row in rows),
        tolerance=round(services.progress_tolerance() * 100),
        states=PROGRESS_STATES,
    )


@bp.route("/goals", methods=["GET", "POST"])
@permission_required("reports.manage")
def goals():
    """Yearly targets per metric and the demonstration villages."""
    _form, chosen = year()
    labels = metric_labels(chosen)
    current = services.targets(chosen)
    form = targets_form(labels, {_field_name(k): v for k, v in current.items()})
    villages = services.managed_villages(current_user)
    flagged = services.demonstration_ids() & {v.id for v in villages}
    demo = DemonstrationForm(prefix="demo", data={"villages": sorted(flagged)})
    demo.villages.choices = [(v.id, v.name) for v in villages]
    whole = holds_at_top(current_user, "reports.manage")
    if request.method == "POST":
        which = request.form.get("which")
        if which == "targets" and not whole:
            abort(403)  # targets are the whole installation's: not for one town's staff
        if which == "targets" and form.validate():
            values = {key: form[_field_name(key)].data for key in labels}
            services.save_targets(chosen, values)
            audit.record(
                "reports.targets_set",
                object_type="reports_target",
                object_id=chosen,
                summary=f"{chosen} 年度目标："
                + ",".join(f"{labels[k]} {v}" for k, v in values.items() if v is not None),
            )
            return respond.done(_("年度目标已保存。"), "reports.goals", year=chosen)
        if which == "demonstration" and demo.validate():
            services.set_demonstration(set(demo.villages.data), villages)
            names = [v.name for v in villages if v.id in set(demo.villages.data)]
            audit.record(
                "reports.demonstration_set",
                object_type="reports_village_goal",
                summary="示范村（社区）：" + ("、".join(names) or "无"),
            )
            return respond.done(_("示范村（社区）已保存。"), "reports.goals", year=chosen)
        db.session.rollback()
        status = 400
    else:
        status = 200
    return render_template(
        "reports/goals.html",
        year=chosen,
        form=form,
        demo=demo,
        labels=labels,
        name=_field_name,
        whole=whole,
    ), status


@bp.route("/weights", methods=["GET", "POST"])
@permission_required("reports.manage")
def weights():
    """The annual assessment's criteria: a weight per metric, summing to 100%."""
    _form, chosen = year()
    labels = metric_labels(chosen)
    form = weights_form(labels, {_field_name(k): v for k, v in services.weights(chosen).items()})
    whole = holds_at_top(current_user, "reports.manage")
    if request.method == "POST":
        if not whole:
            abort(403)  # the weights are the whole installation's: not for one town's staff
        if form.validate():
            values = {key: form[_field_name(key)].data for key in labels}
            values = {key: value for key, value in values.items() if value}
            services.save_weights(chosen, values)
            audit.record(
                "reports.weights_set",
                object_type="reports_weight",
                object_id=chosen,
                summary=f"{chosen} 年度考核权重："
                + ",".join(f"{labels[k]} {v}%" for k, v in values.items()),
            )
            return respond.done(_("考核权重已保存。"), "reports.assessment", year=chosen)
        return render_template(
            "reports/weights.html", year=chosen, form=form, labels=labels, name=_field_name
        ), 400
    return render_template(
        "reports/weights.html",
        year=chosen,
        form=form,
        labels=labels,
        name=_field_name,
        whole=whole,
    )
