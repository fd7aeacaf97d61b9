"""The lecturers' JSON API: topics, orders, state and rating, by the workflow table's rules."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from core.extensions import db as _db
from core.timeutil import utcnow
from plugins.lecturers.requests.models import LectureRequest
from tests.api_helpers import assert_problem, bearer
from tests.plugins.lecturers.conftest import build_request

API = "/api/v1/lectures"


def slots(days: int = 5) -> list[dict]:
    start = utcnow().replace(microsecond=0) + timedelta(days=days)
    return [
        {
            "start": (start + timedelta(days=n)).isoformat(),
            "end": (start + timedelta(days=n, hours=1)).isoformat(),
        }
        for n in range(2)
    ]


def order_body(village_id: int, topic_id: int, **extra) -> dict:
    return {
        "village_id": village_id,
        "topic_id": topic_id,
        "format": "briefing",
        "audience_size": 60,
        "slots": slots(),
        **extra,
    }


def count_requests(app) -> int:
    with app.app_context():
        return _db.session.scalar(select(func.count(LectureRequest.id)))


def test_topics_are_the_menu(app, client, people):
    topics = client.get(f"{API}/topics?per_page=100").get_json()["items"]
    names = [t["name"] for t in topics]
    assert "保健护理" in names and "法治宣讲" in names
    assert set(next(t for t in topics if t["name"] == "保健护理")["formats"]) == {
        "briefing",
        "training",
        "forum",
        "courtyard",
    }


def test_coordinator_orders_for_own_village_once_per_client_key(app, client, town, people):
    headers = bearer(app, people.coordinator)
    body = order_body(town.village_a_id, people.topic, client_key="order-0001")
    made = client.post(f"{API}/requests", json=body, headers=headers)
    assert made.status_code == 201
    assert made.get_json()["state"] == "submitted" and made.get_json()["village"] == "甲村"
    twin = client.post(f"{API}/requests", json=body, headers=headers)
    assert twin.get_json()["id"] == made.get_json()["id"]
    assert count_requests(app) == 1
    listed = client.get(f"{API}/requests", headers=headers).get_json()
    assert [r["id"] for r in listed["items"]] == [made.get_json()["id"]]


def test_coordinator_cannot_order_for_another_village(app, client, town, people):
    response = client.post(
        f"{API}/requests",
        json=order_body(town.village_b_id, people.topic),
        headers=bearer(app, people.coordinator),
    )
    assert_problem(response, 403)
    assert count_requests(app) == 0


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"slots": slots()[:1]}, "slots"),
        (
            {
                "slots": [
                    {"start": "2020-01-01T10:00:00+08:00", "end": "2020-01-01T11:00:00+08:00"}
                ]
                * 2
            },
            "slots",
        ),
        ({"audience_size": 0}, "audience_size"),
        ({"audience_size": "多"}, "audience_size"),
        ({"format": "party"}, "format"),
        ({"topic_id": 999999}, "topic_id"),
    ],
    ids=["one-slot", "past-slots", "zero-audience", "text-audience", "bad-format", "no-topic"],
)
def test_bad_orders_are_422_and_create_nothing(app, client, town, people, change, field):
    body = {**order_body(town.village_a_id, people.topic), **change}
    problem = assert_problem(
        client.post(f"{API}/requests", json=body, headers=bearer(app, people.coordinator)), 422
    )
    assert field in problem["errors"]["json"]
    assert count_requests(app) == 0


def test_coordinator_token_cannot_touch_another_villages_order(app, client, town, people):
    with app.app_context():
        theirs = build_request(people, town.village_b_id, "delivered").id
    headers = bearer(app, people.coordinator)  # village A's coordinator
    assert_problem(client.get(f"{API}/requests/{theirs}", headers=headers), 404)
    assert_problem(
        client.post(f"{API}/requests/{theirs}/rating", json={"rating": 5}, headers=headers), 404
    )
    assert_problem(
        client.post(
            f"{API}/requests/{theirs}/actions/cancel", json={"reason": "x"}, headers=headers
        ),
        404,
    )
    assert (
        client.get(f"{API}/requests?village_id={town.village_b_id}", headers=headers).get_json()[
            "items"
        ]
        == []
    )
    with app.app_context():
        row = _db.session.get(LectureRequest, theirs)
        assert (row.state, row.rating) == ("delivered", None)


def test_rating_follows_the_workflow(app, client, town, people):
    with app.app_context():
        delivered = build_request(people, town.village_a_id, "delivered").id
        submitted = build_request(people, town.village_a_id, "submitted", days=4).id
    headers = bearer(app, people.coordinator)
    detail = client.get(f"{API}/requests/{delivered}", headers=headers).get_json()
    assert "rate" in detail["allowed_actions"]
    rated = client.post(
        f"{API}/requests/{delivered}/rating",
        json={"rating": 5, "comment": "很实用"},
        headers=headers,
    )
    assert rated.status_code == 200 and rated.get_json()["state"] == "rated"
    assert rated.get_json()["rating"] == 5
    early = assert_problem(
        client.post(f"{API}/requests/{submitted}/rating", json={"rating": 5}, headers=headers), 409
    )
    assert "不能评价" in early["detail"]
    assert_problem(
        client.post(f"{API}/requests/{delivered}/rating", json={"rating": 9}, headers=headers), 422
    )


def test_resident_cannot_list_orders_and_lecturer_accepts_own(app, client, town, people):
    assert_problem(client.get(f"{API}/requests", headers=bearer(app, people.resident)), 403)
    with app.app_context():
        lecture = build_request(people, town.village_a_id, "assigned")
        request_id, slot_id = lecture.id, lecture.slots[0].id
    other = bearer(app, people.other_lecturer_user)
    assert_problem(
        client.post(
            f"{API}/requests/{request_id}/actions/accept", json={"slot_id": slot_id}, headers=other
        ),
        404,
    )
    mine = bearer(app, people.lecturer_user)
    accepted = client.post(
        f"{API}/requests/{request_id}/actions/accept", json={"slot_id": slot_id}, headers=mine
    )
    assert accepted.status_code == 200 and accepted.get_json()["state"] == "accepted"


def test_unknown_action_is_404(app, client, town, people):
    with app.app_context():
        request_id = build_request(people, town.village_a_id).id
    response = client.post(
        f"{API}/requests/{request_id}/actions/deliver", json={}, headers=bearer(app, people.manager)
    )
    assert_problem(response, 404)
