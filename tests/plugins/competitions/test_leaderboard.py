"""Leaderboards after close: ranking with time tie-break, village rates, winners."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from core.extensions import db as _db
from core.models import Notification, User
from core.timeutil import utcnow
from plugins.competitions import ranking, services
from plugins.competitions.models import Attempt, Contest, Winner
from tests.plugins.competitions.helpers import add_questions, correct_positions, make_contest


def _play(contest, user, right: int, seconds: float, now):
    attempt = services.start_attempt(contest, user, now)
    choices = {}
    for index, item in enumerate(attempt.drawn):
        positions = correct_positions(attempt, item["question_id"])
        wrong = [p for p in range(len(item["order"])) if p not in positions]
        choices[item["question_id"]] = positions if index < right else wrong[:1]
    services.save_answers(attempt.id, choices, now=now)
    services.finish_attempt(attempt.id, now=now + timedelta(seconds=seconds))
    return attempt.id


def test_boards_and_winners(app, client, town, make_user, login_as):
    with app.app_context():
        add_questions(3)
        now = utcnow()
        contest = make_contest(town, count=3, attempts_allowed=2, counting="best")
        people = [
            _db.session.get(User, make_user("resident", village, name=name))
            for name, village in [
                ("快而全对", town.village_a_id),
                ("慢而全对", town.village_a_id),
                ("错一题", town.village_b_id),
            ]
        ]
        _play(contest, people[0], 3, 60, now)
        _play(contest, people[1], 3, 200, now)
        _play(contest, people[2], 2, 30, now)
        _play(contest, people[2], 1, 10, now)  # worse second attempt: best counts
        board = ranking.people_board(contest)
        assert [row.attempt.user.display_name for row in board] == [
            "快而全对",
            "慢而全对",
            "错一题",
        ]
        assert board[2].attempt.score == 20
        villages = {row.unit.name: row for row in ranking.village_board(contest)}
        assert villages["甲村"].participants == 2 and villages["甲村"].average == 30
        assert round(villages["乙村"].rate, 3) == round(100 / 800, 3)
        contest.counting = "last"
        assert {a.score for a in ranking.counted_attempts(contest)} == {30, 10}
        contest.counting = "best"
        contest.closes_at = now + timedelta(minutes=5)
        contest.opens_at = now - timedelta(days=1)
        _db.session.commit()
        contest_id, winner_id = contest.id, people[0].id
    # Still open: residents are sent back; managers may look.
    login_as("resident", town.village_a_id)
    assert client.get(f"/contests/{contest_id}/leaderboard").status_code == 302
    with app.app_context():
        contest = _db.session.get(Contest, contest_id)
        contest.closes_at = utcnow() - timedelta(minutes=1)
        _db.session.commit()
    page = client.get(f"/contests/{contest_id}/leaderboard").get_data(as_text=True)
    assert "快而全对" in page and "参与率" in page
    assert (
        client.post(
            f"/contests/{contest_id}/winners", data={"user_id": winner_id, "prize": "一等奖"}
        ).status_code
        == 403
    )
    login_as("programme_manager", town.town_id)
    client.post(f"/contests/{contest_id}/winners", data={"user_id": winner_id, "prize": "一等奖"})
    client.post(f"/contests/{contest_id}/winners", data={"user_id": winner_id, "prize": "一等奖"})
    stranger = make_user("resident", town.village_a_id)
    assert (
        client.post(
            f"/contests/{contest_id}/winners", data={"user_id": stranger, "prize": "x"}
        ).status_code
        == 404
    )
    with app.app_context():
        assert _db.session.scalar(select(Winner.prize)) == "一等奖"
        assert (
            _db.session.scalar(
                select(func.count(Notification.id)).where(Notification.user_id == winner_id)
            )
            == 1
        )
        notice = _db.session.scalar(select(Notification).where(Notification.user_id == winner_id))
        assert (notice.link_endpoint, notice.url) == (
            "competitions.leaderboard",
            f"/contests/{contest_id}/leaderboard",
        )
        assert _db.session.scalar(select(func.count(Attempt.id))) == 4
