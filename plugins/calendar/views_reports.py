"""Evidence pages of the calendar's report figures: the activities held and the attendances
behind 举办活动 and 参与人次, for one unit (and the units below it) and one period."""

from __future__ import annotations

from flask import render_template
from flask_login import login_required

from core.figures import evidence_request
from plugins.calendar import metrics, services
from plugins.calendar.blueprint import bp

VIEW = "calendar.view_reports"


@bp.route("/reports/held")
@login_required
def report_held():
    """Every occurrence counted in 举办活动, with its attendance count."""
    ev = evidence_request(VIEW)
    occurrences = metrics.held(ev.start, ev.end, ev.unit_ids)
    counts: dict[tuple, int] = {}
    for row in metrics.attended(occurrences):
        key = (row.event_id, row.original_start)
        counts[key] = counts.get(key, 0) + 1
    rows = [
        (
            services.replace(occurrence, url=services.occurrence_url(occurrence)),
            counts.get((occurrence.event_id, occurrence.original_start), 0),
        )
        for occurrence in occurrences
    ]
    return render_template("calendar/report_held.html", ev=ev, rows=rows)


@bp.route("/reports/attended")
@login_required
def report_attended():
    """Every check-in counted in 参与人次: who, at which held occurrence, how recorded."""
    ev = evidence_request(VIEW)
    occurrences = {
        (o.event_id, o.original_start): services.replace(o, url=services.occurrence_url(o))
        for o in metrics.held(ev.start, ev.end, ev.unit_ids)
    }
    rows = [
        (occurrences[(row.event_id, row.original_start)], row)
        for row in metrics.attended(list(occurrences.values()))
    ]
    return render_template("calendar/report_attended.html", ev=ev, rows=rows)
