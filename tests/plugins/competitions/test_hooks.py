"""Hooks: calendar entries, report metrics, dashboard panel, demo data, plugin switched off."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from core.extensions import db as _db
from core.models import User
from core.plugins import registry
from core.timeutil import utcnow
from plugins.competitions import services
from plugins.competitions.awards.models import AwardRound
from plugins.competitions.models import Attempt, Contest, Question
from tests.plugins.competitions.helpers import add_questions, answer, make_contest


def test_calendar_entries(app, town, make_user):
    with app.app_context():
        add_questions(3)
        contest = make_contest(town)
        make_contest(town, state="draft", title="草稿")
        now = utcnow()
        hook = registry(app).hook
        with app.test_request_context():
            entries = [
                e
                for group in hook.calendar_entries(
                    start=now - timedelta(days=2),
                    end=now + timedelta(days=2),
                    viewer=None,
                    personal=False,
                )
                for e in group
            ]
            assert [e.uid for e in entries] == [f"competitions-contest-{contest.id}@xiangxuetong"]
            assert entries[0].start == contest.opens_at and entries[0].end == contest.closes_at
            user = _db.session.get(User, make_user("resident", town.village_a_id))
            mine = [
                e
                for group in hook.calendar_entries(
                    start=now - timedelta(days=2),
                    end=now + timedelta(days=2),
                    viewer=user,
                    personal=True,
                )
                for e in group
            ]
            assert mine == []  # open to them, but not entered: not in their own feed
            assert entries[0].category_label == "知识竞赛"
            services.start_attempt(contest, user)
            mine = [
                e
                for group in hook.calendar_entries(
                    start=now - timedelta(days=2),
                    end=now + timedelta(days=2),
                    viewer=user,
                    personal=True,
                )
                for e in group
            ]
            assert [e.uid for e in mine] == [f"competitions-contest-{contest.id}@xiangxuetong"]


def test_report_metrics_roll_up(app, town, make_user):
    with app.app_context():
        add_questions(3)
        contest = make_contest(town)
        for village in (town.village_a_id, town.village_a_id, town.village_b_id):
            user = _db.session.get(User, make_user("resident", village))
            attempt = services.start_attempt(contest, user)
            answer(attempt, 2)  # 2 of 3: taking part
            services.finish_attempt(attempt.id)
        # Handed in blank, and with 1 of 3 answered: finished, but not taking part.
        for how_many in (0, 1):
            user = _db.session.get(User, make_user("resident", town.village_b_id))
            attempt = services.start_attempt(contest, user)
            answer(attempt, how_many)
            services.finish_attempt(attempt.id)
        now = utcnow()
        metrics = [
            m
            for group in registry(app).hook.report_metrics(
                unit_ids=[town.town_id, town.village_a_id, town.village_b_id],
                start=now - timedelta(days=1),
                end=now + timedelta(days=1),
            )
            for m in group
        ]
        metric = next(m for m in metrics if m.key == "competitions.participants")
        assert metric.values == {town.town_id: 3, town.village_a_id: 2, town.village_b_id: 1}
        assert metric.unit == "人次"


@pytest.mark.demo_town
def test_demo_data_twice(app, runner):
    with app.app_context():
        counts = (
            _db.session.scalar(select(func.count(Question.id))),
            _db.session.scalar(select(func.count(Contest.id))),
            _db.session.scalar(select(func.count(Attempt.id))),
            _db.session.scalar(select(func.count(AwardRound.id))),
        )
        assert counts[0] >= 100 and counts[1] == 2 and counts[2] > 5 and counts[3] == 1
    result = runner.invoke(args=["demo-data"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        again = (
            _db.session.scalar(select(func.count(Question.id))),
            _db.session.scalar(select(func.count(Contest.id))),
            _db.session.scalar(select(func.count(Attempt.id))),
            _db.session.scalar(select(func.count(AwardRound.id))),
        )
    assert again == counts


@pytest.mark.demo_town
def test_demo_pages_render(app, client, runner):
    from tests.conftest import log_in

    with app.app_context():
        manager = _db.session.scalar(select(User).where(User.phone == "13800000002"))
        finished = _db.session.scalar(select(Contest).where(Contest.title.like("%健康%")))
        log_in(client, app, manager.id)
        board = client.get(f"/contests/{finished.id}/leaderboard")
        assert board.status_code == 200 and "一等奖" in board.get_data(as_text=True)
    for url in [
        "/contests/",
        "/contests/manage",
        "/contests/bank",
        "/contests/awards",
        "/contests/live",
        "/dashboard",
        "/contests/bank/import",
        "/contests/manage/new",
        "/contests/awards/new",
        "/contests/live/new",
        "/contests/live/join",
    ]:
        assert client.get(url).status_code == 200, url


def test_app_without_competitions(make_app):
    for plugins in ("", "calendar,lecturers,volunteers,credits,reports"):
        app = make_app(plugins=plugins)
        client = app.test_client()
        assert client.get("/").status_code == 200
        assert client.get("/contests/").status_code == 404


def test_competitions_alone(make_app):
    app = make_app(plugins="competitions")
    assert app.test_client().get("/contests/").status_code == 200


def test_participation_evidence_page(app, client, town, login_as, make_user):
    with app.app_context():
        add_questions(3)
        contest = make_contest(town)
        user = _db.session.get(User, make_user("resident", town.village_a_id, name="参赛人甲"))
        attempt = services.start_attempt(contest, user)
        answer(attempt)
        services.finish_attempt(attempt.id)
        blank = _db.session.get(User, make_user("resident", town.village_a_id, name="白卷人乙"))
        services.finish_attempt(services.start_attempt(contest, blank).id)
        day = utcnow().date()
    query = (
        f"unit_id={town.village_a_id}&start={day - timedelta(days=1)}&end={day + timedelta(days=2)}"
    )
    login_as("village_coordinator", town.village_a_id)
    page = client.get(f"/contests/participation?{query}")
    assert page.status_code == 200 and "参赛人甲" in page.get_data(as_text=True)
    assert "白卷人乙" not in page.get_data(as_text=True)  # the metric does not count a blank
    assert (
        client.get(f"/contests/participation?unit_id={town.village_a_id}&start=x&end=y").status_code
        == 400
    )
    login_as("village_coordinator", town.village_b_id)
    assert client.get(f"/contests/participation?{query}").status_code == 403


def test_english_catalog(app, client):
    client.post("/language", data={"locale": "en", "next": "/contests/"})
    page = client.get("/contests/").get_data(as_text=True)
    assert "Open now" in page and "Knowledge contests" in page
