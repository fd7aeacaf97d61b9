"""A participant's contest rules, shared by the pages and the API: which contests they see,
their own attempts, the drawn sheet (questions and shuffled options, never the key) and when
the review with the key may be shown."""

from __future__ import annotations

from sqlalchemy import select

from core.extensions import db
from core.permissions import can
from plugins.competitions.models import Answer, Attempt, Contest, Question
from plugins.competitions.qtypes import LETTERS


def visible_contest(contest_id: int, user) -> Contest | None:
    """Published contests for everyone; drafts only for their managers."""
    contest = db.session.get(Contest, contest_id)
    if contest is None:
        return None
    if contest.state != "published" and not can(user, "competitions.manage", contest):
        return None
    return contest


def own_attempt(attempt_id: int, user_id: int) -> Attempt | None:
    """The attempt if it is ``user_id``'s; someone else's is None (a 404, never a leak)."""
    attempt = db.session.get(Attempt, attempt_id)
    if attempt is None or attempt.user_id != user_id:
        return None
    return attempt


def sheet(attempt: Attempt) -> list[tuple[int, Question, list[tuple[int, str, bool]]]]:
    """[(number, question, [(position, option text, chosen)])] in the drawn order."""
    ids = [item["question_id"] for item in attempt.drawn]
    questions = {q.id: q for q in db.session.scalars(select(Question).where(Question.id.in_(ids)))}
    chosen = dict(
        db.session.execute(
            select(Answer.question_id, Answer.chosen).where(Answer.attempt_id == attempt.id)
        ).all()
    )
    rows = []
    for number, item in enumerate(attempt.drawn, start=1):
        question = questions[item["question_id"]]
        letters = chosen.get(question.id, "")
        options = [
            (position, question.options[original], LETTERS[original] in letters)
            for position, original in enumerate(item["order"])
        ]
        rows.append((number, question, options))
    return rows


def review_allowed(attempt: Attempt, now, finished: int | None = None) -> bool:
    """The key may be shown once the attempt is finished and cannot help a later attempt.

    ``finished``: how many finished attempts the person has in this contest, when known."""
    if attempt.finished_at is None:
        return False
    contest = attempt.contest
    if contest.phase(now) == "closed":
        return True
    if finished is not None:
        return finished >= contest.attempts_allowed
    finished = db.session.scalar(
        select(db.func.count(Attempt.id)).where(
            Attempt.contest_id == contest.id,
            Attempt.user_id == attempt.user_id,
            Attempt.finished_at.is_not(None),
        )
    )
    return finished >= contest.attempts_allowed
