"""Evidence pages behind the steering report figures (``?unit_id=&start=&end=``)."""

from __future__ import annotations

from flask import render_template
from flask_babel import gettext as _
from flask_login import login_required

from core.figures import evidence_request
from plugins.steering import figures
from plugins.steering.blueprint import bp
from plugins.steering.models import TASK_STATES


def _tasks(title: str, rule: str, finder):
    ev = evidence_request("steering.view")
    rows = finder(ev.unit_ids, ev.start, ev.end)
    return render_template(
        "steering/figure_tasks.html", ev=ev, rows=rows, title=title, rule=rule, states=TASK_STATES
    )


@bp.route("/figures/overdue")
@login_required
def figure_overdue():
    """The tasks behind 逾期任务."""
    return _tasks(
        _("逾期任务"),
        _("只计办结期限在统计期间内、在今天之前已过，而到期限当天仍未验收的任务。"),
        figures.overdue_tasks,
    )


@bp.route("/figures/on-time")
@login_required
def figure_on_time():
    """The tasks behind 按期办结任务."""
    return _tasks(
        _("按期办结任务"),
        _("只计在统计期间内验收通过、并且不晚于办结期限的任务。"),
        figures.closed_on_time,
    )


@bp.route("/figures/visits")
@login_required
def figure_visits():
    """The visits behind 检查指导."""
    ev = evidence_request("steering.view")
    rows = figures.visits(ev.unit_ids, ev.start, ev.end)
    return render_template("steering/figure_visits.html", ev=ev, rows=rows)


@bp.route("/figures/training")
@login_required
def figure_training():
    """The trainings behind 业务培训学时."""
    ev = evidence_request("steering.view")
    rows = figures.trainings(ev.unit_ids, ev.start, ev.end)
    total = sum(hours for _meeting, _people, hours in rows)
    return render_template("steering/figure_training.html", ev=ev, rows=rows, total=total)
