"""The question bank as other plugins may use it (through ``get_service("competitions")``).

Questions leave as plain dicts, never rows; answers are checked here, by the bank's own
question types, so a check question in a lesson is marked exactly as in a contest.
"""

from __future__ import annotations

import random

from sqlalchemy import select

from core.extensions import db
from plugins.competitions.importer import stem_key
from plugins.competitions.models import CATEGORIES, Question
from plugins.competitions.qtypes import get_type

_random = random.SystemRandom()


def as_dict(question: Question) -> dict:
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


def questions(ids: list[int]) -> list[dict]:
    """The questions with these ids, in the order given; unknown ids are left out."""
    found = {q.id: q for q in db.session.scalars(select(Question).where(Question.id.in_(ids)))}
    return [as_dict(found[qid]) for qid in ids if qid in found]


def is_right(question_id: int, chosen: str) -> bool | None:
    """Whether ``chosen`` (letters such as "B" or "AC") answers the question fully; None when
    the question is unknown."""
    question = db.session.get(Question, question_id)
    if question is None:
        return None
    return get_type(question.kind).score(question.answer, "".join(sorted(chosen))) == 1


def draw(count: int, weights: dict[str, float] | None = None, exclude=()) -> list[int]:
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


def choices() -> list[tuple[int, str]]:
    """(id, "[category] stem") of every active question, for a staff form's select."""
    rows = db.session.execute(
        select(Question.id, Question.category, Question.stem)
        .where(Question.active.is_(True))
        .order_by(Question.category, Question.id)
    )
    return [(qid, f"[{CATEGORIES.get(cat, cat)}] {stem[:60]}") for qid, cat, stem in rows]


def add_question(
    kind: str, category: str, stem: str, options: list[str], answer: str, explanation: str = ""
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
