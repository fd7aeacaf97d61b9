"""The evidence behind the 竞赛参与人次 report figure: who took part, where, when."""

from __future__ import annotations

from flask import render_template
from flask_login import login_required
from sqlalchemy import select

from core.extensions import db
from core.figures import evidence_request
from plugins.competitions.blueprint import bp
from plugins.competitions.hooks import attempts_counted, players_counted
from plugins.competitions.live.models import LiveParticipant, LiveSession
from plugins.competitions.models import Attempt, Contest


@bp.route("/participation")
@login_required
def participation():
    """Attempts that count as taking part and live-quiz players of a unit and the units below it, in [start, end):
    the rows ``hooks.report_metrics`` counts, found with the same conditions."""
    ev = evidence_request("competitions.host")
    inside = ev.unit_ids
    attempts = db.session.execute(
        select(Attempt, Contest.title)
        .join(Contest, Contest.id == Attempt.contest_id)
        .where(Attempt.home_unit_id.in_(inside), attempts_counted(ev.start, ev.end))
        .order_by(Attempt.finished_at)
    ).all()
    players = db.session.execute(
        select(LiveParticipant, LiveSession.title)
        .join(LiveSession, LiveSession.id == LiveParticipant.session_id)
        .where(LiveParticipant.village_id.in_(inside), players_counted(ev.start, ev.end))
        .order_by(LiveParticipant.joined_at)
    ).all()
    return render_template(
        "competitions/participation.html",
        unit=ev.unit,
        attempts=attempts,
        players=players,
        start=ev.start.isoformat(),
        end=ev.last.isoformat(),
    )
