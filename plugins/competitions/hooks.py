"""What the plugin gives other parts of the site: permissions, calendar entries, metrics, the
dashboard panel, audit labels, uploaded files and the ``competitions`` service (with its
Protocol)."""

from __future__ import annotations

import random
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Protocol, runtime_checkable

from flask import render_template, url_for
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from sqlalchemy import ColumnElement, and_, func, select

from core.extensions import db
from core.figures import figure_bounds
from core.hooktypes import CalendarEntry, Metric
from core.orgunits import roll_up
from core.permissions import Permission
from core.timeutil import utcnow
from plugins.competitions.awards.models import Evidence
from plugins.competitions.importer import stem_key
from plugins.competitions.live.models import LiveParticipant, LiveSession
from plugins.competitions.models import CATEGORIES, Attempt, Contest, Question
from plugins.competitions.qtypes import get_type

PERMISSIONS = [
    Permission("competitions.manage", _l("管理题库、知识竞赛和评比"), ("programme_manager",)),
    Permission(
        "competitions.host",
        _l("主持现场有奖知识问答"),
        ("village_coordinator", "counsellor", "programme_manager"),
    ),
    Permission(
        "competitions.nominate",
        _l("为评比推荐对象并上传材料"),
        ("village_coordinator", "counsellor", "programme_manager"),
    ),
    Permission("competitions.judge", _l("评比评审（按轮次在评委名单中指派，不随角色授予）"), ()),
]

AUDIT_LABELS = {
    "competitions.contest_saved": _l("保存竞赛"),
    "competitions.contest_state": _l("更改竞赛状态"),
    "competitions.evidence_added": _l("上传证明材料"),
    "competitions.judge_added": _l("指派评委"),
    "competitions.live_created": _l("创建有奖问答"),
    "competitions.live_finished": _l("结束有奖问答"),
    "competitions.live_paper": _l("录入纸质答卷"),
    "competitions.nominated": _l("推荐参评"),
    "competitions.question_saved": _l("保存题目"),
    "competitions.question_toggled": _l("停用或启用题目"),
    "competitions.questions_imported": _l("导入题目"),
    "competitions.round_created": _l("新建评比"),
    "competitions.round_state": _l("更改评比状态"),
    "competitions.scored": _l("评委打分"),
    "competitions.winner_marked": _l("确定获奖"),
    "competitions.winner_removed": _l("撤销获奖"),
    "competitions_contest": _l("竞赛"),
    "competitions_question": _l("题目"),
    "competitions_import": _l("题目导入"),
    "competitions_live_session": _l("有奖问答"),
    "competitions_award_round": _l("评比"),
    "competitions_nomination": _l("参评推荐"),
    "competitions_evidence": _l("证明材料"),
    "competitions_award_judge": _l("评委"),
    "competitions_judge_score": _l("评分"),
    "competitions_winner": _l("获奖"),
}

#: Public calendar entries come from these tables; personal ones from who started an attempt.
CALENDAR_TABLES = ["competitions_contest", "competitions_live_session"]
CALENDAR_PERSONAL_TABLES = ["competitions_attempt.user_id"]

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


def _live_length(quiz: LiveSession) -> timedelta:
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


def _max_live_length() -> timedelta:
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


def render_slot(slot: str, user) -> Markup | None:
    """The dashboard panel: open contests, and whether the user already took each."""
    if slot != "dashboard" or user is None or not user.is_authenticated:
        return None
    return Markup(render_template("competitions/_panel.html", **panel(user)))


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


def uploaded_files() -> dict[str, dict[str, str]]:
    """Evidence files of award nominations, under ``UPLOAD_DIR/competitions``."""
    rows = db.session.execute(select(Evidence.id, Evidence.stored_name))
    return {
        "competitions": {name: f"competitions_evidence {row_id}" for row_id, name in rows if name}
    }


@runtime_checkable
class CompetitionsServiceProtocol(Protocol):
    """What ``get_service("competitions")`` offers: attempts and figures for credits and
    reports, the question bank for learning's check questions and daily practice."""

    def attempt_summary(self, attempt_id: int) -> dict | None: ...

    def participation(self, unit_ids, start: datetime, end: datetime) -> dict[int, float]: ...

    def questions(self, ids: list[int]) -> list[dict]: ...

    def is_right(self, question_id: int, chosen: str) -> bool | None: ...

    def draw_questions(
        self, count: int, weights: dict[str, float] | None = None, exclude: Iterable[int] = ()
    ) -> list[int]: ...

    def question_choices(self) -> list[tuple[int, str]]: ...

    def add_question(
        self,
        kind: str,
        category: str,
        stem: str,
        options: list[str],
        answer: str,
        explanation: str = "",
    ) -> int: ...


_random = random.SystemRandom()


def _question_dict(question: Question) -> dict:
    return {
        "id": question.id,
        "kind": question.kind,
        "category": question.category,
        "category_label": question.category_label,
        "stem": question.stem,
        "options": list(question.options or []),
        "answer": question.answer,
        "explanation": question.explanation,
        "active": question.active,
    }


class CompetitionsService:
    """The ``competitions`` service. Questions leave as plain dicts, never rows; answers are
    checked by the bank's own question types, so a check question in a lesson is marked
    exactly as in a contest."""

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

    def questions(self, ids: list[int]) -> list[dict]:
        """The questions with these ids, in the order given; unknown ids are left out."""
        found = {q.id: q for q in db.session.scalars(select(Question).where(Question.id.in_(ids)))}
        return [_question_dict(found[qid]) for qid in ids if qid in found]

    def is_right(self, question_id: int, chosen: str) -> bool | None:
        """Whether ``chosen`` (letters such as "B" or "AC") answers the question fully; None
        when the question is unknown."""
        question = db.session.get(Question, question_id)
        if question is None:
            return None
        return get_type(question.kind).score(question.answer, "".join(sorted(chosen))) == 1

    def draw_questions(
        self, count: int, weights: dict[str, float] | None = None, exclude: Iterable[int] = ()
    ) -> list[int]:
        """``count`` distinct active question ids, each category picked with its weight (1 for
        categories not named), without the ids in ``exclude`` when enough others remain."""
        weights = weights or {}
        pool: dict[str, list[int]] = {}
        for qid, category in db.session.execute(
            select(Question.id, Question.category).where(Question.active.is_(True))
        ):
            pool.setdefault(category, []).append(qid)
        excluded = set(exclude)
        fresh = {c: [q for q in ids if q not in excluded] for c, ids in pool.items()}
        if sum(len(ids) for ids in fresh.values()) >= count:
            pool = {c: ids for c, ids in fresh.items() if ids}
        chosen: list[int] = []
        while pool and len(chosen) < count:
            categories = sorted(pool)
            category = _random.choices(
                categories, [max(weights.get(c, 1.0), 0.01) for c in categories]
            )[0]
            ids = pool[category]
            chosen.append(ids.pop(_random.randrange(len(ids))))
            if not ids:
                del pool[category]
        return chosen

    def question_choices(self) -> list[tuple[int, str]]:
        """(id, "[category] stem") of every active question, for a staff form's select."""
        rows = db.session.execute(
            select(Question.id, Question.category, Question.stem)
            .where(Question.active.is_(True))
            .order_by(Question.category, Question.id)
        )
        return [(qid, f"[{CATEGORIES.get(cat, cat)}] {stem[:60]}") for qid, cat, stem in rows]

    def add_question(
        self,
        kind: str,
        category: str,
        stem: str,
        options: list[str],
        answer: str,
        explanation: str = "",
    ) -> int:
        """Put a question into the bank (demo content of other plugins); the id of the question
        with the same stem when there is one already. The caller commits."""
        key = stem_key(stem)
        existing = db.session.scalar(select(Question.id).where(Question.stem_key == key))
        if existing is not None:
            return existing
        problem = get_type(kind).answer_problem(answer, len(options))
        if problem or category not in CATEGORIES:
            raise ValueError(problem or f"unknown category {category!r}")
        question = Question(
            kind=kind,
            category=category,
            difficulty=1,
            stem=stem,
            stem_key=key,
            options=options,
            answer=answer,
            explanation=explanation,
        )
        db.session.add(question)
        db.session.flush()
        return question.id
