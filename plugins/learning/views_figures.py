"""Evidence pages behind the learning report figures (``?unit_id=&start=&end=``)."""

from __future__ import annotations

from flask import render_template
from flask_login import login_required

from core.figures import evidence_request
from plugins.learning.blueprint import bp
from plugins.learning.figures import completion_rows, learner_rows, rate_rows


@bp.route("/reports/learners")
@login_required
def report_learners():
    """The people behind 网上学员 for a unit and period (staff of that unit)."""
    ev = evidence_request("learning.assign")
    rows = learner_rows(ev.start, ev.end, ev.unit_ids)
    return render_template("learning/report_learners.html", ev=ev, rows=rows)


@bp.route("/reports/completions")
@login_required
def report_completions():
    """The certificates behind 学完课程 for a unit and period."""
    ev = evidence_request("learning.assign")
    rows = completion_rows(ev.start, ev.end, ev.unit_ids)
    return render_template("learning/report_completions.html", ev=ev, rows=rows)


@bp.route("/reports/completion-rate")
@login_required
def report_completion_rate():
    """The assigned members behind 指派学习完成率: each one, completed or not."""
    ev = evidence_request("learning.assign")
    rows = rate_rows(ev.start, ev.end, set(ev.unit_ids))
    done = sum(1 for row in rows if row[2])
    rate = round(100 * done / len(rows), 1) if rows else 0.0
    return render_template("learning/report_rate.html", ev=ev, rows=rows, done=done, rate=rate)
