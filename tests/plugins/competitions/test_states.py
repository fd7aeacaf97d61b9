"""The state machines, exhaustively, and the forbidden paths for contest management.

Each machine's rows are written out here ((state, action) → target, who, audit action) and
compared with its ``core.statemachine.Table``; then every (from, to) pair is tried through the
page or the service that moves it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from core.extensions import db as _db
from core.models import AuditLog, User
from core.statemachine import TransitionRefused
from core.timeutil import utcnow
from plugins.competitions.awards.models import AwardRound
from plugins.competitions.awards.workflow import ROUND_TABLE
from plugins.competitions.live import services as live
from plugins.competitions.live.models import LiveSession
from plugins.competitions.live.workflow import LIVE_TABLE
from plugins.competitions.models import Contest
from plugins.competitions.workflow import CONTEST_TABLE
from tests.plugins.competitions.helpers import add_questions, make_contest


def _rows(table) -> dict:
    return {
        key: (step.target, set(step.actors), step.audit) for key, step in table.transitions.items()
    }


#: The contest table, row by row: (state, action) → (target, actors, audit action).
CONTEST_ROWS = {
    ("draft", "publish"): ("published", {"manager"}, "competitions.contest_state"),
    ("draft", "cancel"): ("cancelled", {"manager"}, "competitions.contest_state"),
    ("published", "withdraw"): ("draft", {"manager"}, "competitions.contest_state"),
    ("published", "cancel"): ("cancelled", {"manager"}, "competitions.contest_state"),
}
#: The live quiz table: only finishing is audited.
LIVE_ROWS = {
    ("waiting", "show"): ("question", {"host"}, False),
    ("question", "reveal"): ("reveal", {"host"}, False),
    ("reveal", "show"): ("question", {"host"}, False),
    ("waiting", "finish"): ("finished", {"host"}, "competitions.live_finished"),
    ("question", "finish"): ("finished", {"host"}, "competitions.live_finished"),
    ("reveal", "finish"): ("finished", {"host"}, "competitions.live_finished"),
}
#: The award round table.
ROUND_ROWS = {
    ("nominating", "judge"): ("judging", {"manager"}, "competitions.round_state"),
    ("judging", "reopen"): ("nominating", {"manager"}, "competitions.round_state"),
    ("judging", "publish"): ("published", {"manager"}, "competitions.round_state"),
}


@pytest.mark.parametrize(
    ("table", "rows"),
    [(CONTEST_TABLE, CONTEST_ROWS), (LIVE_TABLE, LIVE_ROWS), (ROUND_TABLE, ROUND_ROWS)],
)
def test_tables_hold_exactly_the_rows_written_here(table, rows):
    assert _rows(table) == rows


#: (from, to) → allowed? Written out here, not read from CONTEST_TABLE.
CONTEST_MOVES = {
    ("draft", "draft"): False,
    ("draft", "published"): True,
    ("draft", "cancelled"): True,
    ("published", "draft"): True,
    ("published", "published"): False,
    ("published", "cancelled"): True,
    ("cancelled", "draft"): False,
    ("cancelled", "published"): False,
    ("cancelled", "cancelled"): False,
}


def test_contest_states_are_the_ones_in_the_table():
    from plugins.competitions.views_manage import STATE_LABELS

    assert {state for pair in CONTEST_MOVES for state in pair} == set(STATE_LABELS)


@pytest.mark.parametrize(
    ("source", "target", "allowed"), [(*k, v) for k, v in CONTEST_MOVES.items()]
)
def test_contest_transitions(app, client, town, login_as, source, target, allowed):
    login_as("programme_manager", town.town_id)
    with app.app_context():
        contest_id = make_contest(town, state=source).id
    response = client.post(f"/contests/manage/{contest_id}/state", data={"state": target})
    with app.app_context():
        state = _db.session.get(Contest, contest_id).state
        audited = _db.session.scalars(select(AuditLog.action)).all()
    if allowed:
        assert response.status_code == 302 and state == target
        assert audited == ["competitions.contest_state"]
    else:
        assert response.status_code == 303 and state == source and audited == []


def test_contest_state_forbidden_and_csrf(app, client, town, login_as):
    with app.app_context():
        contest_id = make_contest(town, state="draft").id
    login_as("village_coordinator", town.village_a_id)
    assert (
        client.post(f"/contests/manage/{contest_id}/state", data={"state": "published"}).status_code
        == 403
    )
    login_as("programme_manager", town.town_id)
    missing = client.post(
        f"/contests/manage/{contest_id}/state", data={"state": "published"}, csrf=False
    )
    assert missing.status_code == 400
    assert client.post("/contests/manage/999/state", data={"state": "published"}).status_code == 404
    with app.app_context():
        assert _db.session.get(Contest, contest_id).state == "draft"


def test_create_contest_form(app, client, town, login_as):
    login_as("programme_manager", town.town_id)
    with app.app_context():
        add_questions(2)
    base = {
        "title": "新竞赛",
        "eligible_unit_id": 0,
        "opens_at": "2026-12-01T08:00",
        "closes_at": "2026-12-10T20:00",
        "time_limit_minutes": 20,
        "attempts_allowed": 1,
        "counting": "best",
        "points_per_question": 10,
    }
    too_many = client.post("/contests/manage/new", data={**base, "quotas": "法律 1 5"})
    assert "不够抽" in too_many.get_data(as_text=True)
    bad = client.post("/contests/manage/new", data={**base, "quotas": "天文 9 x"})
    assert "分类 难度 题数" in bad.get_data(as_text=True)
    backwards = client.post(
        "/contests/manage/new", data={**base, "closes_at": "2026-11-01T08:00", "quotas": "法律 1 2"}
    )
    assert "必须晚于" in backwards.get_data(as_text=True)
    with app.app_context():
        assert _db.session.scalar(select(func.count(Contest.id))) == 0
    ok = client.post("/contests/manage/new", data={**base, "quotas": "法律 1 2"})
    assert ok.status_code == 302
    with app.app_context():
        contest = _db.session.scalar(select(Contest))
        assert contest.state == "draft" and contest.quotas == [
            {"category": "law", "difficulty": 1, "count": 2}
        ]
        assert contest.opens_at.hour == 0  # 08:00 in Shanghai is 00:00 UTC
        assert _db.session.scalar(select(func.count(AuditLog.id))) == 1


#: What the host's "next" does from each state while the first of two questions is current
#: (None: refused).
LIVE_ADVANCE_AT_FIRST = {
    "waiting": "question",
    "question": "reveal",
    "reveal": "question",
    "finished": None,
}
#: The same while the last question is current: nothing is left to show, so it finishes.
LIVE_ADVANCE_AT_LAST = {
    "waiting": "finished",
    "question": "reveal",
    "reveal": "finished",
    "finished": None,
}
#: What "finish" does from each state.
LIVE_FINISH = {
    "waiting": "finished",
    "question": "finished",
    "reveal": "finished",
    "finished": None,
}


def _live_quiz(town, host: int, question_ids: list[int], state: str, index: int) -> int:
    quiz = LiveSession(
        code=live.new_code(),
        title="t",
        org_unit_id=town.village_a_id,
        host_id=host,
        question_ids=question_ids,
        state=state,
        current_index=index,
        question_started_at=utcnow(),
        question_deadline=utcnow() + timedelta(seconds=30),
    )
    _db.session.add(quiz)
    _db.session.commit()
    return quiz.id


def test_live_states_are_the_ones_in_the_table():
    from plugins.competitions.live.views import STATE_LABELS

    assert set(LIVE_ADVANCE_AT_FIRST) == set(STATE_LABELS)


def test_live_transitions_follow_the_table(app, town, make_user):
    host_id = make_user("village_coordinator", town.village_a_id)
    cases = [
        ("advance", 0, LIVE_ADVANCE_AT_FIRST, live.advance),
        ("advance", 1, LIVE_ADVANCE_AT_LAST, live.advance),
        ("finish", 0, LIVE_FINISH, live.finish),
    ]
    with app.app_context():
        ids = add_questions(2)
        host = _db.session.get(User, host_id)
        for step, index, table, move in cases:
            for source, expected in table.items():
                quiz_id = _live_quiz(town, host_id, ids, source, index)
                case = (step, index, source)
                if expected is None:
                    with pytest.raises(TransitionRefused):
                        move(quiz_id, host)
                    _db.session.rollback()
                    assert _db.session.get(LiveSession, quiz_id).state == source, case
                else:
                    assert move(quiz_id, host).state == expected, case
        finished = _db.session.scalars(select(AuditLog.action)).all()
        # finishing is audited (from waiting, reveal at the last question, and 3× finish)
        assert finished == ["competitions.live_finished"] * 5


def test_only_a_host_of_the_quiz_moves_it(app, town, make_user):
    with app.app_context():
        ids = add_questions(2)
        quiz_id = _live_quiz(
            town, make_user("village_coordinator", town.village_a_id), ids, "waiting", -1
        )
        other = _db.session.get(User, make_user("village_coordinator", town.village_b_id))
        with pytest.raises(TransitionRefused) as refused:
            live.advance(quiz_id, other)
        assert refused.value.status == 403
        _db.session.rollback()
        assert _db.session.get(LiveSession, quiz_id).state == "waiting"


#: (from, to) → allowed? Written out here, not read from ROUND_TABLE.
ROUND_MOVES = {
    ("nominating", "nominating"): False,
    ("nominating", "judging"): True,
    ("nominating", "published"): False,
    ("judging", "nominating"): True,
    ("judging", "judging"): False,
    ("judging", "published"): True,
    ("published", "nominating"): False,
    ("published", "judging"): False,
    ("published", "published"): False,
}


def test_round_states_are_the_ones_in_the_table():
    from plugins.competitions.awards.views import STATE_LABELS

    assert {state for pair in ROUND_MOVES for state in pair} == set(STATE_LABELS)


@pytest.mark.parametrize(("source", "target", "allowed"), [(*k, v) for k, v in ROUND_MOVES.items()])
def test_round_transitions(app, client, town, login_as, source, target, allowed):
    login_as("programme_manager", town.town_id)
    with app.app_context():
        award_round = AwardRound(
            title="r",
            award_type="quality_course",
            year=2026,
            org_unit_id=town.town_id,
            criteria=[{"name": "a", "weight": 100}],
            state=source,
        )
        _db.session.add(award_round)
        _db.session.commit()
        round_id = award_round.id
    response = client.post(f"/contests/awards/{round_id}/state", data={"state": target})
    with app.app_context():
        state = _db.session.get(AwardRound, round_id).state
        audited = _db.session.scalars(select(AuditLog.action)).all()
    if allowed:
        assert response.status_code == 302 and state == target
        assert audited == ["competitions.round_state"]
    else:
        assert response.status_code == 303 and state == source and audited == []
        page = client.get(f"/contests/awards/{round_id}").get_data(as_text=True)
        assert "当前阶段不能进行这个操作。" in page


def test_contest_form_shows_quota_shortfall_with_field_errors(app, client, town, login_as):
    """Closing before opening and too few questions for the quotas: both said at once."""
    login_as("programme_manager", town.town_id)
    with app.app_context():
        add_questions(2)
    response = client.post(
        "/contests/manage/new",
        data={
            "title": "新竞赛",
            "eligible_unit_id": 0,
            "opens_at": "2026-12-01T08:00",
            "closes_at": "2026-11-01T08:00",
            "time_limit_minutes": 20,
            "attempts_allowed": 1,
            "counting": "best",
            "points_per_question": 10,
            "quotas": "法律 1 5",
        },
    )
    page = response.get_data(as_text=True)
    assert "必须晚于" in page and "不够抽" in page
    with app.app_context():
        assert _db.session.scalar(select(func.count(Contest.id))) == 0
