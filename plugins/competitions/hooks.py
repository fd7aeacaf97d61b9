"""What the plugin gives other parts of the site: calendar entries, metrics, panel, service."""

from __future__ import annotations

from datetime import date, datetime

from flask import url_for
from sqlalchemy import ColumnElement, and_, func, select

from core.extensions import db
from core.figures import figure_bounds
from core.hooktypes import CalendarEntry, Metric
from core.orgunits import roll_up
from core.timeutil import utcnow
from plugins.competitions import bank_service
from plugins.competitions.models import Attempt, Contest
from plugins.competitions.models_live import LiveParticipant, LiveSession

#: What the calendar shows as these entries' category (message ids of this plugin's catalog).
CONTEST_LABEL, QUIZ_LABEL = "知识竞赛", "有奖知识问答"


def _contest_entry(contest: Contest) -> CalendarEntry:
    return CalendarEntry(
        uid=f"competitions-contest-{contest.id}@xiangxuetong",
        source="competitions",
        title=f"知识竞赛：{contest.title}",
        start=contest.opens_at,
        end=contest.closes_at,
        url=url_for("competitions.contest", contest_id=contest.id),
        category="knowledge_contest",
        category_label=CONTEST_LABEL,
        colour="#8a3b12",
        description=contest.description[:500],
        org_unit_id=contest.eligible_unit_id or contest.org_unit_id,
        cancelled=contest.state == "cancelled",
        sequence=contest.sequence,
        last_modified=contest.updated_at,
    )


def _live_entry(quiz: LiveSession) -> CalendarEntry:
    return CalendarEntry(
        uid=f"competitions-live-{quiz.id}@xiangxuetong",
        source="competitions",
        title=f"有奖知识问答：{quiz.title}",
        start=quiz.scheduled_at,
        end=quiz.scheduled_at + _live_length(quiz),
        url=url_for("competitions.live_join", code=quiz.code),
        category="prize_quiz",
        category_label=QUIZ_LABEL,
        colour="#b8860b",
        location=quiz.location,
        org_unit_id=quiz.org_unit_id,
        sequence=quiz.sequence,
        last_modified=quiz.updated_at,
    )


def _live_length(quiz: LiveSession):
    from datetime import timedelta

    return timedelta(seconds=max(len(quiz.question_ids) * (quiz.seconds_per_question + 30), 1800))


def calendar_entries(start: datetime, end: datetime, viewer, personal: bool) -> list[CalendarEntry]:
    """Published (and cancelled) contests open→close, and scheduled live quizzes.

    Personal: only contests the viewer has started an attempt at (their own feed holds what
    they signed up for, not every contest open to them)."""
    contests = db.session.scalars(
        select(Contest).where(
            Contest.state.in_(("published", "cancelled")),
            Contest.opens_at < end,
            Contest.closes_at > start,
        )
    ).all()
    if personal:
        if viewer is None or not getattr(viewer, "id", None):
            return []
        taken = set(
            db.session.scalars(select(Attempt.contest_id).where(Attempt.user_id == viewer.id))
        )
        return [_contest_entry(c) for c in contests if c.id in taken]
    entries = [_contest_entry(c) for c in contests]
    quizzes = db.session.scalars(
        select(LiveSession).where(
            LiveSession.scheduled_at.is_not(None),
            LiveSession.scheduled_at < end,
            LiveSession.scheduled_at >= start - _max_live_length(),
        )
    ).all()
    entries += [_live_entry(q) for q in quizzes if q.scheduled_at + _live_length(q) > start]
    return entries


def _max_live_length():
    from datetime import timedelta

    return timedelta(hours=6)


def attempts_counted(start: date | datetime, end: date | datetime) -> ColumnElement[bool]:
    """Contest attempts a period counts: handed in inside [start, end) and before now, with at
    least half the questions answered (``Attempt.participated``)."""
    first, cutoff = figure_bounds(start, end)
    return and_(
        Attempt.finished_at >= first,
        Attempt.finished_at < cutoff,
        Attempt.participated.is_(True),
    )


def players_counted(start: date | datetime, end: date | datetime) -> ColumnElement[bool]:
    """Live-quiz players a period counts: joined inside [start, end) and before now."""
    first, cutoff = figure_bounds(start, end)
    return and_(LiveParticipant.joined_at >= first, LiveParticipant.joined_at < cutoff)


def report_metrics(unit_ids, start, end) -> list[Metric]:
    """竞赛参与人次: attempts that count as taking part plus live-quiz participants, by home village;
    a unit's value includes every unit below it. The evidence page lists the same rows."""
    per_unit: dict[int, int] = {}
    attempts = db.session.execute(
        select(Attempt.home_unit_id, func.count(Attempt.id))
        .where(attempts_counted(start, end))
        .group_by(Attempt.home_unit_id)
    ).all()
    players = db.session.execute(
        select(LiveParticipant.village_id, func.count(LiveParticipant.id))
        .where(players_counted(start, end))
        .group_by(LiveParticipant.village_id)
    ).all()
    for unit_id, count in [*attempts, *players]:
        if unit_id is not None:
            per_unit[unit_id] = per_unit.get(unit_id, 0) + count
    values = {unit_id: float(n) for unit_id, n in roll_up(unit_ids, per_unit).items()}
    return [
        Metric(
            "competitions.participants",
            "竞赛参与人次",
            values,
            "人次",
            evidence_endpoint="competitions.participation",
        )
    ]


def panel(user) -> dict:
    """Open contests for the dashboard panel, with whether the user already took each."""
    now = utcnow()
    contests = db.session.scalars(
        select(Contest)
        .where(Contest.state == "published", Contest.opens_at <= now, Contest.closes_at > now)
        .order_by(Contest.closes_at)
        .limit(5)
    ).all()
    taken = set(
        db.session.scalars(
            select(Attempt.contest_id).where(
                Attempt.user_id == user.id, Attempt.finished_at.is_not(None)
            )
        )
    )
    return {"contests": contests, "taken": taken}


class CompetitionsService:
    """Public facade for other plugins (credits, reports)."""

    def attempt_summary(self, attempt_id: int) -> dict | None:
        attempt = db.session.get(Attempt, attempt_id)
        if attempt is None:
            return None
        return {
            "contest_id": attempt.contest_id,
            "user_id": attempt.user_id,
            "score": attempt.score,
            "max_score": attempt.max_score,
            "finished_at": attempt.finished_at,
        }

    def participation(self, unit_ids, start: datetime, end: datetime) -> dict[int, float]:
        return dict(report_metrics(unit_ids, start, end)[0].values)

    # The question bank for other plugins (learning's check questions and daily practice).
    def questions(self, ids: list[int]) -> list[dict]:
        """Questions as dicts, in the order of ``ids``."""
        return bank_service.questions(ids)

    def is_right(self, question_id: int, chosen: str) -> bool | None:
        """Whether ``chosen`` letters fully answer the question (None: no such question)."""
        return bank_service.is_right(question_id, chosen)

    def draw_questions(self, count: int, weights: dict[str, float] | None = None, exclude=()):
        """Ids of ``count`` active questions, categories weighted by ``weights``."""
        return bank_service.draw(count, weights, exclude)

    def question_choices(self) -> list[tuple[int, str]]:
        """(id, label) of every active question, for a form."""
        return bank_service.choices()

    def add_question(self, *args, **kwargs) -> int:
        """Add a question (or find the same stem); see ``bank_service.add_question``."""
        return bank_service.add_question(*args, **kwargs)
