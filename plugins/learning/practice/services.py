"""每日一练： five bank questions a day per person, weak categories drawn more often.

The day is the local (Asia/Shanghai) date of the moment of answering, from ``core.timeutil``:
a streak crosses midnight in Shanghai, not in UTC. A day's row and each answer are unique in
the database, and finishing is a conditional UPDATE, so nothing counts twice and the
``daily_practice_done`` signal (a small credit within the credits plugin's caps) goes out once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import case, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from core import signals
from core.extensions import db
from core.models import User
from core.plugins import get_service
from core.timeutil import to_local, utcnow
from plugins.learning.practice.models import QUESTIONS_PER_DAY, PracticeAnswer, PracticeDay
from plugins.learning.services import LearningError


def local_day(now: datetime | None = None) -> date:
    """The local date of ``now`` (default: this moment)."""
    return to_local(now or utcnow()).date()


def check_day(day: date, now: datetime | None = None) -> None:
    """Only today's practice may be started or answered."""
    today = local_day(now)
    if day > today:
        raise LearningError("还没到这一天：明天的每日一练请明天再来。")
    if day < today:
        raise LearningError("过去的每日一练已经结束，不能补答。请做今天的题。")


def category_weights(user_id: int) -> dict[str, float]:
    """1 + 3 × the share answered wrong, per category the person has met: weak ones come more."""
    rows = db.session.execute(
        select(
            PracticeAnswer.category,
            func.count(PracticeAnswer.id),
            func.sum(case((PracticeAnswer.is_correct.is_(False), 1), else_=0)),
        )
        .where(PracticeAnswer.user_id == user_id)
        .group_by(PracticeAnswer.category)
    )
    return {category: 1 + 3 * (wrong or 0) / total for category, total, wrong in rows if total}


def day_row(user_id: int, day: date) -> PracticeDay | None:
    """The person's practice of ``day`` with its answers (one round trip)."""
    return (
        db.session.execute(
            select(PracticeDay)
            .where(PracticeDay.user_id == user_id, PracticeDay.day == day)
            .options(joinedload(PracticeDay.answers))
        )
        .unique()
        .scalar()
    )


def start(user: User, day: date, now: datetime | None = None) -> PracticeDay:
    """The person's practice for ``day`` (today only), drawn on the first visit."""
    check_day(day, now)
    found = day_row(user.id, day)
    if found is not None:
        return found
    bank = get_service("competitions")
    if bank is None:
        raise LearningError("题库没有启用，暂时不能做每日一练。")
    recent = db.session.scalars(
        select(PracticeAnswer.question_id)
        .where(PracticeAnswer.user_id == user.id)
        .order_by(PracticeAnswer.id.desc())
        .limit(50)
    )
    drawn = bank.draw_questions(QUESTIONS_PER_DAY, category_weights(user.id), set(recent))
    if not drawn:
        raise LearningError("题库里还没有题目，请稍后再来。")
    try:
        with db.session.begin_nested():
            db.session.add(
                PracticeDay(
                    user_id=user.id,
                    home_unit_id=user.home_unit_id,
                    day=day,
                    question_ids=drawn,
                    started_at=now or utcnow(),
                )
            )
    except IntegrityError:  # drawn by another request of the same person at the same moment
        pass
    db.session.commit()
    return day_row(user.id, day)


@dataclass(frozen=True)
class Marked:
    right: bool
    answer: str
    explanation: str
    finished_now: bool


def answer(
    user: User, day: date, question_id: int, chosen: str, now: datetime | None = None
) -> Marked:
    """Mark one answer of the day's practice and show its explanation at once."""
    now = now or utcnow()
    check_day(day, now)
    practice = day_row(user.id, day)
    if practice is None:
        raise LearningError("请先打开今天的每日一练。")
    if question_id not in practice.question_ids:
        raise LearningError("这道题不是今天抽给您的题目。")
    bank = get_service("competitions")
    found = bank.questions([question_id]) if bank else []
    question = found[0] if found else None
    if question is None:
        raise LearningError("这道题已不在题库中。")
    right = bool(bank.is_right(question_id, chosen))
    try:
        with db.session.begin_nested():
            db.session.add(
                PracticeAnswer(
                    practice_id=practice.id,
                    user_id=user.id,
                    question_id=question_id,
                    category=question["category"],
                    chosen=chosen,
                    is_correct=right,
                    answered_at=now,
                )
            )
    except IntegrityError:
        db.session.rollback()
        raise LearningError("这道题已经答过了，每题只计一次。") from None
    if right:
        db.session.execute(
            update(PracticeDay)
            .where(PracticeDay.id == practice.id)
            .values(correct=PracticeDay.correct + 1)
        )
    db.session.commit()
    finished = _finish_if_complete(practice.id, now)
    return Marked(right, question["answer"], question["explanation"], finished)


def _finish_if_complete(practice_id: int, now: datetime) -> bool:
    practice = db.session.get(PracticeDay, practice_id, populate_existing=True)
    answered = db.session.scalar(
        select(func.count(PracticeAnswer.id)).where(PracticeAnswer.practice_id == practice_id)
    )
    if answered < len(practice.question_ids):
        return False
    result = db.session.execute(
        update(PracticeDay)
        .where(PracticeDay.id == practice_id, PracticeDay.finished_at.is_(None))
        .values(finished_at=now)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        db.session.rollback()
        return False
    signals.send(
        signals.daily_practice_done,
        signals.DailyPracticeDone(
            practice_id=practice.id,
            user_id=practice.user_id,
            org_unit_id=practice.home_unit_id,
            day=practice.day,
            correct=practice.correct,
            question_count=len(practice.question_ids),
            finished_at=now,
        ),
    )
    db.session.commit()
    return True


def finished_days(user_id: int, since: date) -> set[date]:
    return set(
        db.session.scalars(
            select(PracticeDay.day).where(
                PracticeDay.user_id == user_id,
                PracticeDay.day >= since,
                PracticeDay.finished_at.is_not(None),
            )
        )
    )


def streak(user_id: int, now: datetime | None = None, done: set[date] | None = None) -> int:
    """Local days in a row with the practice finished, up to today (or yesterday, when today's
    is not done yet: the streak is still alive until midnight in Shanghai). ``done``: the
    finished days when already read (``streak_and_week``)."""
    today = local_day(now)
    if done is None:
        done = finished_days(user_id, today - timedelta(days=400))
    day = today if today in done else today - timedelta(days=1)
    count = 0
    while day in done:
        count += 1
        day -= timedelta(days=1)
    return count


def week(
    user_id: int, now: datetime | None = None, done: set[date] | None = None
) -> list[tuple[date, bool]]:
    """The last seven local days, oldest first, each with whether the practice was finished."""
    today = local_day(now)
    if done is None:
        done = finished_days(user_id, today - timedelta(days=6))
    days = [today - timedelta(days=n) for n in range(6, -1, -1)]
    return [(day, day in done) for day in days]


def streak_and_week(user_id: int, now: datetime | None = None):
    """(streak, week) from one read of the finished days."""
    done = finished_days(user_id, local_day(now) - timedelta(days=400))
    return streak(user_id, now, done), week(user_id, now, done)
