"""Live prize quiz logic: every state change is a row update, so many workers agree.

Each host action locks the session row; answers are inserted with ON CONFLICT DO NOTHING on
(participant, question), so a double tap counts once and 100 phones at once lose nothing.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from core.extensions import db
from core.models import OrgUnit
from core.statemachine import TransitionRefused
from core.timeutil import utcnow
from plugins.competitions.live import poll
from plugins.competitions.live.models import (
    LiveAnswer,
    LiveParticipant,
    LiveSession,
    seat_label,
)
from plugins.competitions.live.workflow import LIVE_TABLE
from plugins.competitions.models import Question
from plugins.competitions.qtypes import LETTERS, get_type
from plugins.competitions.services import ContestError, upsert

CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: read aloud in a hall


def new_code() -> str:
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(6))
        if not db.session.scalar(select(LiveSession.id).where(LiveSession.code == code)):
            return code


def by_code(code: str) -> LiveSession | None:
    return db.session.scalar(
        select(LiveSession).where(LiveSession.code == (code or "").strip().upper())
    )


def _locked(session_id: int) -> LiveSession:
    return db.session.scalar(
        select(LiveSession)
        .where(LiveSession.id == session_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


def advance(session_id: int, user, now: datetime | None = None) -> LiveSession:
    """The host's next step: show the next question, reveal the current one, or finish after
    the last. Raises ``TransitionRefused`` (the quiz unchanged) when there is none."""
    quiz = _locked(session_id)
    if quiz.state == "finished":
        raise TransitionRefused("问答已经结束。", 409)
    if quiz.state == "question":
        action = "reveal"
    elif quiz.current_index + 1 >= len(quiz.question_ids):
        action = "finish"
    else:
        action = "show"
    LIVE_TABLE.apply(quiz, action, user, now=now)
    db.session.commit()
    poll.publish(quiz)  # the phones' next poll sees the step (no database read there)
    return quiz


def finish(session_id: int, user) -> LiveSession:
    """End the quiz now (the host's 提前结束)."""
    quiz = _locked(session_id)
    LIVE_TABLE.apply(quiz, "finish", user)
    db.session.commit()
    poll.publish(quiz)
    return quiz


def join(
    quiz: LiveSession, name: str, village_id: int | None, seat_token: str | None = None
) -> LiveParticipant:
    """The phone's seat: its own again when ``seat_token`` (from its cookie) holds a seat of
    this name and village; otherwise a new seat. Never somebody else's seat: a second phone
    giving the same name and village becomes a new player, shown as “张三（2）”."""
    if quiz.state == "finished":
        raise ContestError("这场问答已经结束，不能再加入。")
    if seat_token:
        mine = db.session.scalar(
            select(LiveParticipant).where(
                LiveParticipant.session_id == quiz.id, LiveParticipant.token == seat_token
            )
        )
        if mine is not None and (mine.name, mine.village_id) == (name, village_id):
            return mine
    return _new_seat(quiz, name, village_id, "phone")


def _new_seat(quiz: LiveSession, name: str, village_id: int | None, source: str):
    """A new participant with the next free seat number for the name and village."""
    for _try in range(5):
        taken = db.session.scalar(
            select(func.coalesce(func.max(LiveParticipant.seat), 0)).where(
                LiveParticipant.session_id == quiz.id,
                LiveParticipant.name == name,
                LiveParticipant.village_id == village_id,
            )
        )
        participant = LiveParticipant(
            session_id=quiz.id,
            name=name,
            village_id=village_id,
            seat=taken + 1,
            source=source,
            token=secrets.token_urlsafe(24),
        )
        try:
            with db.session.begin_nested():
                db.session.add(participant)
        except IntegrityError:  # the same name joined at the same moment: take the next seat
            continue
        db.session.commit()
        return participant
    db.session.rollback()
    raise ContestError("加入的人太多，请稍后再试。")


def answer(
    participant: LiveParticipant, question_id: int, chosen: str, now: datetime | None = None
) -> bool:
    """Record the first answer; False if it was a repeat. Refused outside the countdown."""
    now = now or utcnow()
    quiz = db.session.get(LiveSession, participant.session_id)
    db.session.refresh(quiz)
    if quiz.state != "question" or quiz.current_question_id != question_id:
        raise ContestError("这道题已经结束或还没开始。")
    if now > quiz.question_deadline:
        raise ContestError("时间到了，这道题不再接受答案。")
    question = db.session.get(Question, question_id)
    qtype = get_type(question.kind)
    letters = qtype.normalise_answer(chosen)
    if not letters or any(ch not in LETTERS[: len(question.options)] for ch in letters):
        raise ContestError("请选择答案。")
    result = upsert(
        LiveAnswer,
        {
            "session_id": quiz.id,
            "participant_id": participant.id,
            "question_id": question_id,
            "chosen": letters,
            "correct": qtype.score(question.answer, letters) > 0,
            "seconds": (now - quiz.question_started_at).total_seconds(),
            "answered_at": now,
        },
        ["participant_id", "question_id"],
        None,
    )
    db.session.commit()
    return result.rowcount == 1


def add_paper(quiz: LiveSession, name: str, village_id: int | None, letters: list[str]) -> int:
    """Type in a paper sheet: one answer per question in order ("" = blank). Returns saved count."""
    if not name:
        raise ContestError("请填写姓名。")
    # Typing the same paper sheet again corrects it; it never joins a phone player's seat.
    participant = db.session.scalar(
        select(LiveParticipant).where(
            LiveParticipant.session_id == quiz.id,
            LiveParticipant.name == name,
            LiveParticipant.village_id == village_id,
            LiveParticipant.source == "paper",
        )
    ) or _new_seat(quiz, name, village_id, "paper")
    questions = {
        q.id: q
        for q in db.session.scalars(select(Question).where(Question.id.in_(quiz.question_ids)))
    }
    rows = []
    for question_id, raw in zip(quiz.question_ids, letters, strict=False):
        if not raw.strip():
            continue
        question = questions[question_id]
        qtype = get_type(question.kind)
        chosen = qtype.normalise_answer(raw)
        problem = qtype.answer_problem(chosen, len(question.options))
        if problem and qtype.name != "multiple":
            db.session.rollback()
            raise ContestError(f"第 {quiz.question_ids.index(question_id) + 1} 题：{problem}")
        rows.append(
            {
                "session_id": quiz.id,
                "participant_id": participant.id,
                "question_id": question_id,
                "chosen": chosen,
                "correct": qtype.score(question.answer, chosen) > 0,
                "seconds": 0.0,
                "answered_at": utcnow(),
            }
        )
    if rows:  # one statement for the whole sheet (question_ids hold no duplicates)
        upsert(LiveAnswer, rows, ["participant_id", "question_id"], ["chosen", "correct"])
    db.session.commit()
    return len(rows)


@dataclass
class BoardRow:
    rank: int
    participant_id: int
    name: str
    village: str
    source: str
    correct: int
    seconds: float


def scoreboard(quiz: LiveSession, limit: int | None = None) -> list[BoardRow]:
    """Most right answers first; ties go to the quicker total answering time."""
    rows = db.session.execute(
        select(
            LiveParticipant.id,
            LiveParticipant.name,
            LiveParticipant.seat,
            OrgUnit.name,
            LiveParticipant.source,
            func.count(LiveAnswer.id).filter(LiveAnswer.correct.is_(True)),
            func.coalesce(func.sum(LiveAnswer.seconds).filter(LiveAnswer.correct.is_(True)), 0.0),
        )
        .outerjoin(LiveAnswer, LiveAnswer.participant_id == LiveParticipant.id)
        .outerjoin(OrgUnit, OrgUnit.id == LiveParticipant.village_id)
        .where(LiveParticipant.session_id == quiz.id)
        .group_by(LiveParticipant.id, OrgUnit.name)
    ).all()
    ordered = sorted(rows, key=lambda r: (-r[5], r[6], r[1], r[2]))
    board: list[BoardRow] = []
    for position, row in enumerate(ordered, start=1):
        participant_id, name, seat, village, source, correct, seconds = row
        same = board and (board[-1].correct, board[-1].seconds) == (correct, float(seconds))
        rank = board[-1].rank if same else position
        board.append(
            BoardRow(
                rank,
                participant_id,
                seat_label(name, seat),
                village or "",
                source,
                correct,
                float(seconds),
            )
        )
    return board[:limit] if limit else board


def answer_count(quiz: LiveSession) -> int:
    question_id = quiz.current_question_id
    if question_id is None:
        return 0
    return db.session.scalar(
        select(func.count(LiveAnswer.id)).where(
            LiveAnswer.session_id == quiz.id, LiveAnswer.question_id == question_id
        )
    )


def seconds_left(quiz: LiveSession, now: datetime | None = None) -> int:
    if quiz.state != "question" or quiz.question_deadline is None:
        return 0
    return max(int((quiz.question_deadline - (now or utcnow())).total_seconds() + 0.999), 0)


def participant_count(quiz: LiveSession) -> int:
    """Seats taken so far (phones and paper sheets), for the screens' polling."""
    return db.session.scalar(
        select(func.count(LiveParticipant.id)).where(LiveParticipant.session_id == quiz.id)
    )
