"""The state machines, exhaustively, and the forbidden paths for contest management."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from core.extensions import db as _db
from core.models import AuditLog
from core.timeutil import utcnow
from plugins.competitions import awards, live
from plugins.competitions.models import CONTEST_TRANSITIONS, Contest
from plugins.competitions.models_awards import ROUND_TRANSITIONS, AwardRound
from plugins.competitions.models_live import LIVE_TRANSITIONS, LiveSession
from plugins.competitions.services import ContestError
from tests.plugins.competitions.helpers import add_questions, make_contest

CONTEST_STATES = ["draft", "published", "cancelled"]


@pytest.mark.parametrize("source,target", list(itertools.product(CONTEST_STATES, repeat=2)))
def test_contest_transitions(app, client, town, login_as, source, target):
    login_as("programme_manager", town.town_id)
    with app.app_context():
        contest_id = make_contest(town, state=source).id
    response = client.post(f"/contests/manage/{contest_id}/state", data={"state": target})
    with app.app_context():
        state = _db.session.get(Contest, contest_id).state
    if (source, target) in CONTEST_TRANSITIONS:
        assert response.status_code == 302 and state == target
    else:
        assert response.status_code == 303 and state == source


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


LIVE_STATES = ["waiting", "question", "reveal", "finished"]


def test_live_transitions_follow_table(app, town, make_user):
    host = make_user("village_coordinator", town.village_a_id)
    with app.app_context():
        ids = add_questions(2)
        for source in LIVE_STATES:
            quiz = LiveSession(
                code=live.new_code(),
                title="t",
                org_unit_id=town.village_a_id,
                host_id=host,
                question_ids=ids,
                state=source,
                current_index=0,
                question_started_at=utcnow(),
                question_deadline=utcnow() + timedelta(seconds=30),
            )
            _db.session.add(quiz)
            _db.session.commit()
            try:
                moved = live.advance(quiz.id).state
            except ContestError:
                moved = None
            if moved is not None:
                assert (source, moved) in LIVE_TRANSITIONS
            else:
                assert source == "finished"


@pytest.mark.parametrize(
    "source,target", list(itertools.product(["nominating", "judging", "published"], repeat=2))
)
def test_round_transitions(app, town, source, target):
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
        if (source, target) in ROUND_TRANSITIONS:
            awards.move(award_round, target)
            assert award_round.state == target
        else:
            with pytest.raises(ContestError):
                awards.move(award_round, target)
