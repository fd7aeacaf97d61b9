"""Builders shared by the competitions tests."""

from __future__ import annotations

from datetime import timedelta

from core.extensions import db
from core.timeutil import utcnow
from plugins.competitions.importer import stem_key
from plugins.competitions.models import Contest, Question


def add_questions(n: int = 6, category: str = "law", difficulty: int = 1, kind: str = "single"):
    """``n`` questions whose key is always option A (B for true/false: 错误)."""
    ids = []
    for i in range(n):
        stem = f"{category}-{difficulty}-{kind} 测试题 {i} {utcnow().timestamp()}"
        if kind == "true_false":
            options, answer = ["正确", "错误"], "B"
        elif kind == "multiple":
            options, answer = ["甲", "乙", "丙", "丁"], "AC"
        else:
            options, answer = ["对的", "错的一", "错的二", "错的三"], "A"
        question = Question(
            kind=kind,
            category=category,
            difficulty=difficulty,
            stem=stem,
            stem_key=stem_key(stem),
            options=options,
            answer=answer,
            explanation=f"解析{i}: 这是秘密解析",
        )
        db.session.add(question)
        db.session.flush()
        ids.append(question.id)
    db.session.commit()
    return ids


def make_contest(town, count: int = 3, **overrides) -> Contest:
    """An open, published contest drawing ``count`` law/1 questions."""
    now = utcnow()
    values = {
        "title": "普法知识竞赛",
        "org_unit_id": town.town_id,
        "opens_at": now - timedelta(hours=1),
        "closes_at": now + timedelta(days=1),
        "time_limit_minutes": 20,
        "attempts_allowed": 1,
        "counting": "best",
        "quotas": [{"category": "law", "difficulty": 1, "count": count}],
        "points_per_question": 10.0,
        "state": "published",
    }
    values.update(overrides)
    contest = Contest(**values)
    db.session.add(contest)
    db.session.commit()
    return contest


def correct_positions(attempt, question_id: int) -> list[int]:
    """Shown positions of the right options (what a perfect participant clicks)."""
    question = db.session.get(Question, question_id)
    order = next(item["order"] for item in attempt.drawn if item["question_id"] == question_id)
    return [pos for pos, original in enumerate(order) if "ABCDEF"[original] in question.answer]


def answer(attempt, how_many: int | None = None) -> None:
    """Tick the first shown option of the first ``how_many`` drawn questions (all by default)."""
    from plugins.competitions import services

    items = attempt.drawn if how_many is None else attempt.drawn[:how_many]
    services.save_answers(attempt.id, {item["question_id"]: [0] for item in items})
