"""Contest attempts: start, draw, answer, finish, rank. The only place that scores an attempt.

Integrity lives in the database: one open attempt per person (unique on an ``is_open`` marker),
one answer row per (attempt, question) written by upsert, the attempt row locked while answers
are written or the attempt is finished, and finishing done by a conditional UPDATE so the
``contest_finished`` signal goes out exactly once.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError

from core import signals
from core.extensions import db
from core.models import OrgUnit, User
from core.timeutil import utcnow
from plugins.competitions.models import Answer, Attempt, Contest, Question
from plugins.competitions.qtypes import LETTERS, get_type

_random = random.SystemRandom()


class ContestError(ValueError):
    """A refused contest action; the message is shown to the participant as it is."""


class AttemptFinished(ContestError):
    """Answers sent for an attempt that has already been handed in."""


def upsert(model, values: dict | list[dict], keys: list[str], update_columns: list[str] | None):
    """INSERT … ON CONFLICT (keys) DO UPDATE/NOTHING for PostgreSQL and SQLite alike.

    ``values`` may be a list of rows: one statement, one round trip."""
    insert = pg_insert if db.engine.dialect.name == "postgresql" else sqlite_insert
    statement = insert(model.__table__).values(values)
    if update_columns:
        statement = statement.on_conflict_do_update(
            index_elements=keys, set_={name: statement.excluded[name] for name in update_columns}
        )
    else:
        statement = statement.on_conflict_do_nothing(index_elements=keys)
    # rowcount (how many rows went in) is kept for INSERTs only on request (psycopg gives -1).
    return db.session.execute(statement.execution_options(preserve_rowcount=True))


def is_eligible(contest: Contest, user: User) -> bool:
    """Everyone, or people whose home unit lies within the contest's eligible unit."""
    if contest.eligible_unit_id is None:
        return True
    if user.home_unit is None:
        return False
    eligible = db.session.get(OrgUnit, contest.eligible_unit_id)
    return user.home_unit.path.startswith(eligible.path)


def available_counts() -> dict[tuple[str, int], int]:
    """How many active questions each (category, difficulty) has, for quota checks."""
    rows = db.session.execute(
        select(Question.category, Question.difficulty, func.count(Question.id))
        .where(Question.active.is_(True))
        .group_by(Question.category, Question.difficulty)
    )
    return {(category, difficulty): n for category, difficulty, n in rows}


def draw(contest: Contest) -> list[dict]:
    """Questions for one participant by the contest's quotas, in random order, options shuffled."""
    drawn: list[dict] = []
    for quota in contest.quotas:
        ids = list(
            db.session.scalars(
                select(Question.id).where(
                    Question.active.is_(True),
                    Question.category == quota["category"],
                    Question.difficulty == int(quota["difficulty"]),
                )
            )
        )
        count = min(int(quota["count"]), len(ids))
        drawn.extend({"question_id": qid} for qid in _random.sample(ids, count))
    _random.shuffle(drawn)
    shapes = {
        qid: (options, kind)
        for qid, options, kind in db.session.execute(
            select(Question.id, Question.options, Question.kind).where(
                Question.id.in_([d["question_id"] for d in drawn])
            )
        )
    }
    for item in drawn:
        options, kind = shapes[item["question_id"]]
        order = list(range(len(options)))
        if kind != "true_false":
            _random.shuffle(order)
        item["order"] = order
    return drawn


def open_attempt(contest: Contest, user: User) -> Attempt | None:
    return db.session.scalar(
        select(Attempt).where(
            Attempt.contest_id == contest.id, Attempt.user_id == user.id, Attempt.is_open.is_(True)
        )
    )


def finished_attempts(contest: Contest, user: User) -> list[Attempt]:
    return list(
        db.session.scalars(
            select(Attempt)
            .where(
                Attempt.contest_id == contest.id,
                Attempt.user_id == user.id,
                Attempt.finished_at.is_not(None),
            )
            .order_by(Attempt.attempt_no)
        )
    )


def start_attempt(contest: Contest, user: User, now: datetime | None = None) -> Attempt:
    """The person's open attempt, or a new one; refuse when closed, ineligible or used up."""
    now = now or utcnow()
    if contest.phase(now) != "open":
        raise ContestError("竞赛现在不在开放时间内。")
    if not is_eligible(contest, user):
        raise ContestError("这项竞赛只面向指定村（社区）或单位的居民。")
    existing = open_attempt(contest, user)
    if existing is not None:
        if finish_if_overdue(existing, now):
            return start_attempt(contest, user, now)
        return existing
    used = db.session.scalar(
        select(func.coalesce(func.max(Attempt.attempt_no), 0)).where(
            Attempt.contest_id == contest.id, Attempt.user_id == user.id
        )
    )
    if used >= contest.attempts_allowed:
        existing = open_attempt(contest, user)  # started by a racing request meanwhile
        if existing is not None:
            return existing
        raise ContestError(f"您已用完 {contest.attempts_allowed} 次答题机会。")
    drawn = draw(contest)
    if not drawn:
        raise ContestError("题库中没有符合本竞赛抽题规则的题目，请联系管理员。")
    deadline = min(now + timedelta(minutes=contest.time_limit_minutes), contest.closes_at)
    attempt = Attempt(
        contest_id=contest.id,
        user_id=user.id,
        home_unit_id=user.home_unit_id,
        attempt_no=used + 1,
        is_open=True,
        drawn=drawn,
        started_at=now,
        deadline=deadline,
        max_score=len(drawn) * contest.points_per_question,
    )
    try:
        with db.session.begin_nested():
            db.session.add(attempt)
    except IntegrityError:
        # Another request (a double click) started one at the same moment: use that one.
        db.session.rollback()
        existing = open_attempt(contest, user)
        if existing is None:
            raise ContestError("请稍后再试。") from None
        return existing
    db.session.commit()
    return attempt


def lock(attempt_id: int) -> Attempt | None:
    """Re-read the attempt with a row lock (PostgreSQL) so answers and finishing serialise."""
    return db.session.scalar(
        select(Attempt)
        .where(Attempt.id == attempt_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


@dataclass
class SaveResult:
    saved: int
    late: bool = False
    #: Numbers (1-based, as on the sheet) of questions still unanswered when a hand-in was held
    #: back for confirmation; empty when nothing is waiting.
    unanswered: list[int] = field(default_factory=list)


def unanswered_numbers(attempt: Attempt) -> list[int]:
    """Sheet numbers of the drawn questions that have no stored answer."""
    answered = set(
        db.session.scalars(select(Answer.question_id).where(Answer.attempt_id == attempt.id))
    )
    return [
        number
        for number, item in enumerate(attempt.drawn, start=1)
        if item["question_id"] not in answered
    ]


def save_answers(
    attempt_id: int,
    choices: dict[int, list[int]],
    now: datetime | None = None,
    submit: bool = False,
    user_id: int | None = None,
    confirmed: bool = True,
) -> SaveResult:
    """Store choices given as SHOWN option positions per question id; with ``submit`` also
    finish the attempt in the same transaction; commit. ``user_id``: the attempt must be theirs
    (else LookupError, shown as 404). ``confirmed=False``: hand in only if every question has
    an answer; otherwise keep the answers, leave the attempt open and list what is missing.

    Refuses questions not drawn for this attempt; after the deadline nothing is stored and the
    attempt is finished by timeout (``late`` is then True).
    """
    now = now or utcnow()
    attempt = lock(attempt_id)
    if attempt is None or (user_id is not None and attempt.user_id != user_id):
        db.session.rollback()
        raise LookupError(attempt_id)
    if attempt.finished_at is not None:
        db.session.rollback()
        raise AttemptFinished("这次答题已经交卷，不能再修改答案。")
    if now > attempt.deadline:
        db.session.rollback()
        finish_attempt(attempt_id, "timeout", now)
        return SaveResult(0, late=True)
    orders = {item["question_id"]: item["order"] for item in attempt.drawn}
    rows = []
    for question_id, shown in choices.items():
        if question_id not in orders:
            db.session.rollback()
            raise ContestError("这道题不是抽给您的题目。")
        order = orders[question_id]
        if not shown:
            continue
        if any(not 0 <= position < len(order) for position in shown):
            db.session.rollback()
            raise ContestError("选项无效。")
        letters = "".join(sorted({LETTERS[order[position]] for position in shown}))
        rows.append(
            {
                "attempt_id": attempt_id,
                "question_id": question_id,
                "chosen": letters,
                "answered_at": now,
            }
        )
    if rows:
        upsert(Answer, rows, ["attempt_id", "question_id"], ["chosen", "answered_at"])
    if submit and not confirmed:
        missing = unanswered_numbers(attempt)
        if missing:
            db.session.commit()
            return SaveResult(len(rows), unanswered=missing)
    if submit:
        finish_attempt(attempt_id, "submit", now, locked=attempt)
    else:
        db.session.commit()
    return SaveResult(len(rows))


def score_and_answered(attempt: Attempt) -> tuple[float, int]:
    """Points and the number of questions answered, from the stored answers in one query
    (a right multiple choice needs every right letter)."""
    ids = [item["question_id"] for item in attempt.drawn]
    rows = db.session.execute(
        select(Question.kind, Question.answer, Answer.chosen)
        .outerjoin(Answer, (Answer.question_id == Question.id) & (Answer.attempt_id == attempt.id))
        .where(Question.id.in_(ids))
    ).all()
    points = attempt.max_score / len(ids) if ids else 0.0
    score = sum(get_type(kind).score(answer, chosen) * points for kind, answer, chosen in rows)
    return score, sum(1 for _kind, _answer, chosen in rows if chosen)


def finish_attempt(
    attempt_id: int,
    by: str = "submit",
    now: datetime | None = None,
    locked: Attempt | None = None,
) -> bool:
    """Finish once: True only for the call that actually finished it (then the signal is sent).

    ``locked``: the attempt already locked in this transaction (by ``save_answers``)."""
    now = now or utcnow()
    attempt = locked or lock(attempt_id)
    if attempt is None or attempt.finished_at is not None:
        db.session.rollback()
        return False
    ended = min(now, attempt.deadline)
    score, answered = score_and_answered(attempt)
    participated = signals.contest_participated(answered, attempt.question_count)
    result = db.session.execute(
        update(Attempt)
        .where(Attempt.id == attempt_id, Attempt.finished_at.is_(None))
        .values(
            finished_at=now,
            is_open=None,
            finished_by=by,
            score=score,
            duration_seconds=max((ended - attempt.started_at).total_seconds(), 0.0),
            answered=answered,
            participated=participated,
        )
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        db.session.rollback()
        return False
    payload = signals.ContestFinished(
        attempt_id=attempt.id,
        contest_id=attempt.contest_id,
        user_id=attempt.user_id,
        org_unit_id=attempt.home_unit_id,
        score=score,
        max_score=attempt.max_score,
        finished_at=now,
        answered=answered,
        question_count=attempt.question_count,
    )
    signals.send(signals.contest_finished, payload)  # heard once the commit has gone through
    db.session.commit()
    return True


def finish_if_overdue(attempt: Attempt, now: datetime | None = None) -> bool:
    now = now or utcnow()
    if attempt.finished_at is None and now > attempt.deadline:
        return finish_attempt(attempt.id, "timeout", now)
    return False


def finish_overdue(now: datetime | None = None) -> int:
    """Finish every attempt past its deadline (cron: ``flask competitions finish-overdue``)."""
    now = now or utcnow()
    ids = list(
        db.session.scalars(
            select(Attempt.id).where(Attempt.finished_at.is_(None), Attempt.deadline < now)
        )
    )
    return sum(finish_attempt(attempt_id, "timeout", now) for attempt_id in ids)
