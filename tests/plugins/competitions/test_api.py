"""Contests and the live quiz over the JSON API: the sheet never holds the key, attempts are
their owner's, the review waits like the page's, a live seat belongs to whoever joined."""

from __future__ import annotations

from sqlalchemy import func, select

from core.extensions import db as _db
from core.models import User
from plugins.competitions.live import services as live
from plugins.competitions.live.models import LiveAnswer, LiveSession
from plugins.competitions.models import Answer, Attempt
from tests.api_helpers import assert_problem, bearer
from tests.plugins.competitions.helpers import add_questions, make_contest

API = "/api/v1/contests"


def contest_id(app, town, **overrides) -> int:
    with app.app_context():
        add_questions(6)
        return make_contest(town, count=3, **overrides).id


def test_list_start_sheet_without_key_save_hand_in_and_review(app, client, town, make_user):
    cid = contest_id(app, town)
    headers = bearer(app, make_user())
    assert [c["id"] for c in client.get(API).get_json()["items"]] == [cid]
    started = client.post(f"{API}/{cid}/attempts", headers=headers)
    assert started.status_code == 201
    attempt_id = started.get_json()["id"]
    sheet = client.get(f"{API}/attempts/{attempt_id}", headers=headers)
    questions = sheet.get_json()["questions"]
    assert {key for q in questions for key in q} == {
        "number",
        "question_id",
        "kind",
        "stem",
        "options",
    }
    assert {key for q in questions for o in q["options"] for key in o} == {
        "position",
        "text",
        "chosen",
    }
    assert len(questions) == 3
    first = {str(questions[0]["question_id"]): [0]}
    held = client.post(
        f"{API}/attempts/{attempt_id}/answers",
        json={"answers": first, "submit": True},
        headers=headers,
    ).get_json()
    assert held == {"saved": 1, "late": False, "unanswered": [2, 3], "finished": False}
    done = client.post(
        f"{API}/attempts/{attempt_id}/answers",
        json={"answers": {}, "submit": True, "confirmed": True},
        headers=headers,
    ).get_json()
    assert done["finished"] is True
    review = client.get(f"{API}/attempts/{attempt_id}/review", headers=headers).get_json()
    assert review["review_allowed"] is True  # one attempt allowed, and it is used
    assert [item["number"] for item in review["items"]] == [1, 2, 3]
    assert review["items"][1]["verdict"] == "unanswered"
    again = assert_problem(
        client.post(
            f"{API}/attempts/{attempt_id}/answers", json={"answers": first}, headers=headers
        ),
        409,
    )
    assert "已经交卷" in again["detail"]


def test_resident_cannot_read_or_answer_someone_elses_attempt(app, client, town, make_user):
    cid = contest_id(app, town)
    owner = bearer(app, make_user())
    attempt_id = client.post(f"{API}/{cid}/attempts", headers=owner).get_json()["id"]
    other = bearer(app, make_user())
    assert_problem(client.get(f"{API}/attempts/{attempt_id}", headers=other), 404)
    assert_problem(client.get(f"{API}/attempts/{attempt_id}/review", headers=other), 404)
    assert_problem(
        client.post(
            f"{API}/attempts/{attempt_id}/answers",
            json={"answers": {}, "submit": True, "confirmed": True},
            headers=other,
        ),
        404,
    )
    with app.app_context():
        assert _db.session.get(Attempt, attempt_id).finished_at is None
        assert _db.session.scalar(select(func.count(Answer.id))) == 0


def test_review_waits_while_another_attempt_is_allowed(app, client, town, make_user):
    cid = contest_id(app, town, attempts_allowed=2)
    headers = bearer(app, make_user())
    attempt_id = client.post(f"{API}/{cid}/attempts", headers=headers).get_json()["id"]
    assert_problem(client.get(f"{API}/attempts/{attempt_id}/review", headers=headers), 409)
    client.post(
        f"{API}/attempts/{attempt_id}/answers",
        json={"answers": {}, "submit": True, "confirmed": True},
        headers=headers,
    )
    review = client.get(f"{API}/attempts/{attempt_id}/review", headers=headers).get_json()
    assert review["review_allowed"] is False and review["items"] == []


def test_closed_or_draft_contests_refuse(app, client, town, make_user):
    draft = contest_id(app, town, state="draft")
    headers = bearer(app, make_user())
    assert_problem(client.post(f"{API}/{draft}/attempts", headers=headers), 404)
    with app.app_context():
        from datetime import timedelta

        from core.timeutil import utcnow

        closed = make_contest(town, closes_at=utcnow() - timedelta(minutes=1)).id
    body = assert_problem(client.post(f"{API}/{closed}/attempts", headers=headers), 409)
    assert "不在开放时间" in body["detail"]


def test_bad_answers_are_422(app, client, town, make_user):
    cid = contest_id(app, town)
    headers = bearer(app, make_user())
    attempt_id = client.post(f"{API}/{cid}/attempts", headers=headers).get_json()["id"]
    for body in ({"answers": {"abc": [0]}}, {"answers": {"1": ["A"]}}, {"answers": []}, {}):
        assert_problem(
            client.post(f"{API}/attempts/{attempt_id}/answers", json=body, headers=headers), 422
        )


def test_live_quiz_join_state_answer_from_the_seat(app, client, town, make_user):
    with app.app_context():
        ids = add_questions(3)
        quiz = LiveSession(
            code="ABC123",
            title="院坝会有奖问答",
            org_unit_id=town.village_a_id,
            host_id=make_user("village_coordinator", town.village_a_id),
            question_ids=ids,
        )
        _db.session.add(quiz)
        _db.session.commit()
        quiz_id, host_id = quiz.id, quiz.host_id
    url = "/api/v1/live/ABC123"
    seat = client.post(f"{url}/join", json={"name": "张三", "village_id": town.village_a_id})
    assert seat.status_code == 201
    token = seat.get_json()["seat"]
    assert client.get(f"{url}/state").get_json()["state"] == "waiting"
    with app.app_context():
        live.advance(quiz_id, _db.session.get(User, host_id))
    state = client.get(f"{url}/state").get_json()
    question_id = state["question"]["question_id"]
    assert state["state"] == "question" and "answer" not in state["question"]
    assert_problem(
        client.post(f"{url}/answer", json={"question_id": question_id, "choice": "A"}), 403
    )
    assert_problem(
        client.post(
            f"{url}/answer",
            json={"question_id": question_id, "choice": "A"},
            headers={"X-Live-Seat": "forged"},
        ),
        403,
    )
    first = client.post(
        f"{url}/answer",
        json={"question_id": question_id, "choice": "A"},
        headers={"X-Live-Seat": token},
    )
    assert first.get_json() == {"first": True}
    again = client.post(
        f"{url}/answer",
        json={"question_id": question_id, "choice": "B"},
        headers={"X-Live-Seat": token},
    )
    assert again.get_json() == {"first": False}
    with app.app_context():
        assert _db.session.scalar(select(LiveAnswer.chosen)) == "A"
    assert_problem(client.get("/api/v1/live/NOPE99/state"), 404)
    assert_problem(
        client.post(f"{url}/join", json={"name": "李四", "village_id": town.school_id}), 422
    )


def test_contest_detail_lists_my_attempts_and_a_finished_sheet_is_closed(
    app, client, town, make_user
):
    cid = contest_id(app, town)
    headers = bearer(app, make_user())
    fresh = client.get(f"{API}/{cid}", headers=headers).get_json()
    assert (fresh["eligible"], fresh["running"], fresh["finished"]) == (True, None, [])
    attempt_id = client.post(f"{API}/{cid}/attempts", headers=headers).get_json()["id"]
    assert client.get(f"{API}/{cid}", headers=headers).get_json()["running"]["id"] == attempt_id
    client.post(
        f"{API}/attempts/{attempt_id}/answers",
        json={"answers": {}, "submit": True, "confirmed": True},
        headers=headers,
    )
    detail = client.get(f"{API}/{cid}", headers=headers).get_json()
    assert detail["running"] is None and [a["id"] for a in detail["finished"]] == [attempt_id]
    assert detail["finished"][0]["score"] == 0
    assert_problem(client.get(f"{API}/attempts/{attempt_id}", headers=headers), 409)
    assert_problem(client.get(f"{API}/999999", headers=headers), 404)


def test_live_quiz_refuses_joining_a_finished_quiz_and_answers_out_of_turn(
    app, client, town, make_user
):
    with app.app_context():
        ids = add_questions(2)
        quiz = LiveSession(
            code="XYZ789",
            title="问答",
            org_unit_id=town.village_a_id,
            host_id=make_user("village_coordinator", town.village_a_id),
            question_ids=ids,
        )
        _db.session.add(quiz)
        _db.session.commit()
        quiz_id, host_id = quiz.id, quiz.host_id
    url = "/api/v1/live/XYZ789"
    seat = client.post(
        f"{url}/join", json={"name": "王五", "village_id": town.village_a_id}
    ).get_json()["seat"]
    early = client.post(
        f"{url}/answer", json={"question_id": ids[0], "choice": "A"}, headers={"X-Live-Seat": seat}
    )
    assert "还没开始" in assert_problem(early, 409)["detail"]
    with app.app_context():
        live.finish(quiz_id, _db.session.get(User, host_id))
    late = client.post(f"{url}/join", json={"name": "赵六", "village_id": town.village_a_id})
    assert "已经结束" in assert_problem(late, 409)["detail"]
