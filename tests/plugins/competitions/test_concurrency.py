"""Under real concurrency (PostgreSQL): nothing lost, nothing doubled, one open attempt."""

from __future__ import annotations

import threading
from functools import partial

import pytest
from sqlalchemy import func, select

from core import signals
from core.extensions import db as _db
from core.models import User
from plugins.competitions import services
from plugins.competitions.live import services as live
from plugins.competitions.live.models import LiveAnswer, LiveParticipant, LiveSession
from plugins.competitions.models import Answer, Attempt
from tests.plugins.competitions.helpers import add_questions, make_contest
from tests.threads import run_together

pytestmark = pytest.mark.postgres_only


@pytest.fixture(autouse=True)
def _need_postgres(app):
    with app.app_context():
        if _db.engine.dialect.name != "postgresql":
            pytest.skip("needs PostgreSQL row locks")


def test_concurrent_starts_make_one_open_attempt(app, town, make_user):
    with app.app_context():
        add_questions(3)
        contest_id = make_contest(town).id
    user_id = make_user("resident", town.village_a_id)
    seen = set()

    def work(_):
        from plugins.competitions.models import Contest

        attempt = services.start_attempt(
            _db.session.get(Contest, contest_id), _db.session.get(User, user_id)
        )
        seen.add(attempt.id)

    assert run_together(app, [partial(work, i) for i in range(12)]) == []
    with app.app_context():
        assert _db.session.scalar(select(func.count(Attempt.id))) == 1
    assert len(seen) == 1


def test_many_participants_answer_and_submit_at_once(app, town, make_user):
    with app.app_context():
        add_questions(5)
        contest = make_contest(town, count=5)
        users = [_db.session.get(User, make_user("resident", town.village_a_id)) for _ in range(40)]
        attempts = [services.start_attempt(contest, user) for user in users]
        plans = [(a.id, {item["question_id"]: [0] for item in a.drawn}) for a in attempts]
    received = []
    lock = threading.Lock()

    def on_finish(payload):
        with lock:
            received.append(payload.attempt_id)

    signals.connect(signals.contest_finished, on_finish, app)

    def work(i):
        attempt_id, choices = plans[i % 40]
        # Each attempt gets two racing saves and two racing submits.
        try:
            services.save_answers(attempt_id, choices)
        except services.ContestError as error:  # the twin already submitted: refused, fine
            assert "已经交卷" in str(error)
        services.finish_attempt(attempt_id, "submit")

    assert run_together(app, [partial(work, i) for i in range(80)]) == []
    with app.app_context():
        assert _db.session.scalar(select(func.count(Answer.id))) == 40 * 5
        assert (
            _db.session.scalar(
                select(func.count(Attempt.id)).where(Attempt.finished_at.is_not(None))
            )
            == 40
        )
    assert sorted(received) == sorted(p[0] for p in plans)  # exactly once each


def test_hundred_phones_answer_live_at_once(app, town, make_user):
    host = make_user("village_coordinator", town.village_a_id)
    with app.app_context():
        ids = add_questions(3)
        quiz = LiveSession(
            code="TEST01",
            title="百人问答",
            org_unit_id=town.village_a_id,
            host_id=host,
            question_ids=ids,
            seconds_per_question=120,
        )
        _db.session.add(quiz)
        _db.session.commit()
        quiz_id = quiz.id
        participants = [live.join(quiz, f"村民{i}", town.village_a_id).id for i in range(100)]
        live.advance(quiz_id, _db.session.get(User, host))

    def work(i):
        participant = _db.session.get(LiveParticipant, participants[i % 100])
        live.answer(participant, ids[0], "A" if i % 2 else "B")

    assert run_together(app, [partial(work, i) for i in range(200)]) == []  # every phone taps twice
    with app.app_context():
        assert _db.session.scalar(select(func.count(LiveAnswer.id))) == 100
        quiz = _db.session.get(LiveSession, quiz_id)
        assert live.answer_count(quiz) == 100
        assert len(live.scoreboard(quiz)) == 100


def test_hundred_phones_through_http(app, client, town, login_as):
    """Join and answer through the real views: 100 phones, each tapping twice at once."""
    with app.app_context():
        add_questions(3)
    login_as("village_coordinator", town.village_a_id)
    client.post(
        "/contests/live/new",
        data={
            "title": "百人现场问答",
            "org_unit_id": town.village_a_id,
            "category": "law",
            "question_count": 3,
            "seconds_per_question": 120,
        },
    )
    with app.app_context():
        quiz = _db.session.scalar(select(LiveSession))
        quiz_id, code = quiz.id, quiz.code
    phones = []
    for i in range(100):
        phone = app.test_client()
        response = phone.post(
            "/contests/live/join",
            data={"code": code, "name": f"手机{i}", "village_id": town.village_a_id},
        )
        assert response.status_code == 302
        phones.append(phone)
    client.post(f"/contests/live/{quiz_id}/advance")
    with app.app_context():
        question_id = _db.session.get(LiveSession, quiz_id).current_question_id
    statuses = []

    def work(i):
        response = phones[i % 100].post(
            f"/contests/live/play/{code}/answer",
            data={"question_id": question_id, "choice": "AB"[i % 2]},
        )
        statuses.append(response.status_code)

    assert run_together(app, [partial(work, i) for i in range(200)]) == []
    assert set(statuses) == {302}
    with app.app_context():
        assert _db.session.scalar(select(func.count(LiveAnswer.id))) == 100
    state = client.get(f"/contests/live/{quiz_id}/host/state.json").get_json()
    assert state["answers"] == 100
