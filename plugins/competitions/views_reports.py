"""The evidence behind the 竞赛参与人次 report figure: who took part, where, when."""

from __future__ import annotations

from datetime import date, datetime

from flask import abort, render_template, request
from flask_login import login_required
from sqlalchemy import select

from core.extensions import db
from core.models import OrgUnit
from core.permissions import require
from core.timeutil import as_moment
from plugins.competitions.blueprint import bp
from plugins.competitions.models import Attempt, Contest
from plugins.competitions.models_live import LiveParticipant, LiveSession


def _day(name: str) -> datetime:
    try:
        return as_moment(date.fromisoformat(request.args.get(name, "")))  # local midnight
    except ValueError:
        abort(400)


@bp.route("/participation")
@login_required
def participation():
    """Attempts that count as taking part and live-quiz players of a unit and the units below it, in [start, end)."""
    unit = db.get_or_404(OrgUnit, request.args.get("unit_id", type=int) or 0)
    require("competitions.host", unit)
    start, end = _day("start"), _day("end")
    inside = select(OrgUnit.id).where(OrgUnit.path.startswith(unit.path))
    attempts = db.session.execute(
        select(Attempt, Contest.title)
        .join(Contest, Contest.id == Attempt.contest_id)
        .where(
            Attempt.home_unit_id.in_(inside),
            Attempt.finished_at >= start,
            Attempt.finished_at < end,
            Attempt.participated.is_(True),
        )
        .order_by(Attempt.finished_at)
    ).all()
    players = db.session.execute(
        select(LiveParticipant, LiveSession.title)
        .join(LiveSession, LiveSession.id == LiveParticipant.session_id)
        .where(
            LiveParticipant.village_id.in_(inside),
            LiveParticipant.joined_at >= start,
            LiveParticipant.joined_at < end,
        )
        .order_by(LiveParticipant.joined_at)
    ).all()
    return render_template(
        "competitions/participation.html",
        unit=unit,
        attempts=attempts,
        players=players,
        start=request.args["start"],
        end=request.args["end"],
    )
