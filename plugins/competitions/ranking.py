"""Leaderboards and reviews of finished contests: which attempt counts, and who leads."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from core.extensions import db
from core.models import OrgUnit
from plugins.competitions.models import Answer, Attempt, Contest, Question, Winner
from plugins.competitions.qtypes import LETTERS, get_type


@dataclass
class PersonRow:
    rank: int
    attempt: Attempt
    prize: str | None


@dataclass
class VillageRow:
    unit: OrgUnit
    participants: int
    average: float
    population: int | None

    @property
    def rate(self) -> float | None:
        """Participants per resident, in percent."""
        if not self.population:
            return None
        return 100.0 * self.participants / self.population


def counted_attempts(contest: Contest) -> list[Attempt]:
    """Per person the attempt that counts (best: highest score then fastest; last: latest)."""
    attempts = db.session.scalars(
        select(Attempt)
        .where(Attempt.contest_id == contest.id, Attempt.finished_at.is_not(None))
        .order_by(Attempt.user_id, Attempt.attempt_no)
        .options(selectinload(Attempt.user))
    ).all()
    chosen: dict[int, Attempt] = {}
    for attempt in attempts:
        current = chosen.get(attempt.user_id)
        if (
            current is None
            or contest.counting == "last"
            or (attempt.score, -(attempt.duration_seconds or 0))
            > (
                current.score,
                -(current.duration_seconds or 0),
            )
        ):
            chosen[attempt.user_id] = attempt
    return list(chosen.values())


def people_board(contest: Contest, counted: list[Attempt] | None = None) -> list[PersonRow]:
    """Ranked by score, ties broken by the shorter time; equal both → equal rank.

    ``counted``: ``counted_attempts(contest)`` when the caller already has it."""
    if counted is None:
        counted = counted_attempts(contest)
    attempts = sorted(counted, key=lambda a: (-a.score, a.duration_seconds or 0, a.id))
    prizes = dict(
        db.session.execute(
            select(Winner.user_id, Winner.prize).where(Winner.contest_id == contest.id)
        ).all()
    )
    rows: list[PersonRow] = []
    for position, attempt in enumerate(attempts, start=1):
        previous = rows[-1] if rows else None
        same = previous and (previous.attempt.score, previous.attempt.duration_seconds) == (
            attempt.score,
            attempt.duration_seconds,
        )
        rows.append(
            PersonRow(previous.rank if same else position, attempt, prizes.get(attempt.user_id))
        )
    return rows


def village_board(contest: Contest, counted: list[Attempt] | None = None) -> list[VillageRow]:
    """Per home village: participants, average counted score, participation rate. Only
    counted attempts that count as taking part (``Attempt.participated``) are included.

    ``counted``: ``counted_attempts(contest)`` when the caller already has it."""
    if counted is None:
        counted = counted_attempts(contest)
    groups: dict[int, list[Attempt]] = {}
    for attempt in counted:
        if attempt.home_unit_id is not None and attempt.participated:
            groups.setdefault(attempt.home_unit_id, []).append(attempt)
    units = {
        unit.id: unit
        for unit in db.session.scalars(select(OrgUnit).where(OrgUnit.id.in_(list(groups))))
    }
    rows = [
        VillageRow(
            unit=units[unit_id],
            participants=len(items),
            average=sum(a.score for a in items) / len(items),
            population=units[unit_id].population,
        )
        for unit_id, items in groups.items()
    ]
    return sorted(rows, key=lambda r: (-r.average, -(r.rate or 0), r.unit.name))


@dataclass
class ReviewItem:
    number: int
    question: Question
    shown_options: list[tuple[str, str, bool, bool]]  # (letter, text, is_key, was_chosen)
    right: bool
    answered: bool

    @property
    def verdict(self) -> str:
        """right / wrong / unanswered: a question left blank is not a wrong answer."""
        if not self.answered:
            return "unanswered"
        return "right" if self.right else "wrong"


def review(attempt: Attempt) -> list[ReviewItem]:
    """The drawn questions as shown, with the key, the person's choice and the explanation.

    Only for finished attempts: the caller checks, this is where the key leaves the server.
    """
    answers = dict(
        db.session.execute(
            select(Answer.question_id, Answer.chosen).where(Answer.attempt_id == attempt.id)
        ).all()
    )
    ids = [item["question_id"] for item in attempt.drawn]
    questions = {q.id: q for q in db.session.scalars(select(Question).where(Question.id.in_(ids)))}
    items = []
    for number, item in enumerate(attempt.drawn, start=1):
        question = questions[item["question_id"]]
        chosen = answers.get(question.id, "")
        shown = []
        for position, original in enumerate(item["order"]):
            letter = LETTERS[original]
            shown.append(
                (
                    LETTERS[position],
                    question.options[original],
                    letter in question.answer,
                    letter in chosen,
                )
            )
        right = get_type(question.kind).score(question.answer, chosen) > 0
        items.append(ReviewItem(number, question, shown, right, bool(chosen)))
    return items
