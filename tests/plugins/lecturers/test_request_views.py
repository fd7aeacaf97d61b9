"""Ordering a lecture and moving it through the pages, with the issue's bad input."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from core.extensions import db as _db
from core.timeutil import to_local, utcnow
from plugins.lecturers.requests.models import LectureRequest, RequestEvent
from tests.conftest import log_in

from .conftest import build_request


def _day(days: int) -> str:
    return to_local(utcnow() + timedelta(days=days)).date().isoformat()


def _form(people, village_id, **overrides) -> dict:
    data = {
        "nonce": "nonce-1",
        "village_id": village_id,
        "topic_id": people.topic,
        "format": "briefing",
        "audience_size": 60,
        "audience_group": "elderly",
        "venue": "",
        "notes": "请讲高血压",
        "slot1_day": _day(5),
        "slot1_start": "09:00",
        "slot1_end": "10:30",
        "slot2_day": _day(6),
        "slot2_start": "14:00",
        "slot2_end": "15:30",
    }
    data.update(overrides)
    return data


def _requests(app) -> int:
    with app.app_context():
        return _db.session.scalar(select(func.count(LectureRequest.id)))


def test_coordinator_orders_for_own_village(app, client, people, town):
    log_in(client, app, people.coordinator)
    page = client.get("/lectures/requests/new")
    assert page.status_code == 200 and "甲村" in page.text and "乙村" not in page.text
    response = client.post("/lectures/requests/new", data=_form(people, town.village_a_id))
    assert response.status_code == 302
    with app.app_context():
        request = _db.session.scalar(select(LectureRequest))
        assert request.state == "submitted" and len(request.slots) == 2
        assert request.venue == "甲村学习中心"  # the village learning centre by default
        assert request.audience_group == "elderly"
        assert [e.action for e in request.events] == ["submit"]
    detail = client.get(response.headers["Location"])
    assert "保健护理" in detail.text and "待派单" in detail.text


def test_double_submission_creates_one_request(app, client, people, town):
    log_in(client, app, people.coordinator)
    first = client.post("/lectures/requests/new", data=_form(people, town.village_a_id))
    second = client.post("/lectures/requests/new", data=_form(people, town.village_a_id))
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"]
    assert _requests(app) == 1
    assert "已经提交过" in client.get(second.headers["Location"]).text


def test_bad_orders_are_refused_and_nothing_saved(app, client, people, town):
    log_in(client, app, people.coordinator)
    cases = [
        ({"audience_size": 0}, "1 到 5000"),
        ({"audience_size": 100000}, "1 到 5000"),
        ({"slot1_day": _day(-2)}, "过去"),
        ({"slot2_end": "13:00"}, "晚于"),
        (
            {
                "slot1_day": "",
                "slot1_start": "",
                "slot1_end": "",
                "slot2_day": "",
                "slot2_start": "",
                "slot2_end": "",
            },
            "两个备选时间",
        ),
        ({"slot2_day": "", "slot2_start": "", "slot2_end": ""}, "两个备选时间"),
        ({"slot2_start": ""}, "填完整"),
    ]
    for overrides, message in cases:
        response = client.post(
            "/lectures/requests/new", data=_form(people, town.village_a_id, **overrides)
        )
        assert response.status_code == 400, overrides
        assert message in response.text, overrides
    assert _requests(app) == 0


def test_other_village_and_missing_csrf_are_refused(app, client, people, town):
    log_in(client, app, people.coordinator)
    response = client.post("/lectures/requests/new", data=_form(people, town.village_b_id))
    assert response.status_code == 403
    response = client.post(
        "/lectures/requests/new", data=_form(people, town.village_a_id), csrf=False
    )
    assert response.status_code == 400
    log_in(client, app, people.resident)
    assert client.get("/lectures/requests/new").status_code == 403
    assert _requests(app) == 0


def test_other_village_cannot_see_or_move_a_request(app, client, people, town):
    with app.app_context():
        request_id = build_request(people, town.village_a_id, "delivered").id
    log_in(client, app, people.other_coordinator)
    assert client.get(f"/lectures/requests/{request_id}").status_code == 404
    response = client.post(f"/lectures/requests/{request_id}/rate", data={"rate-rating": "5"})
    assert response.status_code == 404
    with app.app_context():
        assert _db.session.get(LectureRequest, request_id).state == "delivered"


def test_lecturer_cannot_accept_a_request_not_assigned_to_them(app, client, people, town):
    with app.app_context():
        request = build_request(people, town.village_a_id, "assigned")
        request_id, slot_id = request.id, request.slots[0].id
    log_in(client, app, people.other_lecturer_user)
    response = client.post(
        f"/lectures/requests/{request_id}/accept", data={"accept-slot_id": slot_id}
    )
    assert response.status_code == 404
    with app.app_context():
        assert _db.session.get(LectureRequest, request_id).state == "assigned"


def test_rating_before_delivery_and_twice(app, client, people, town):
    with app.app_context():
        early = build_request(people, town.village_a_id, "scheduled").id
        done = build_request(people, town.village_a_id, "delivered").id
    log_in(client, app, people.coordinator)
    response = client.post(f"/lectures/requests/{early}/rate", data={"rate-rating": "5"})
    assert response.status_code == 409 and "不能评价" in response.text
    assert (
        client.post(f"/lectures/requests/{done}/rate", data={"rate-rating": "9"}).status_code == 400
    )
    assert (
        client.post(f"/lectures/requests/{done}/rate", data={"rate-rating": "4"}).status_code == 302
    )
    again = client.post(f"/lectures/requests/{done}/rate", data={"rate-rating": "1"})
    assert again.status_code == 409
    with app.app_context():
        assert _db.session.get(LectureRequest, early).rating is None
        assert _db.session.get(LectureRequest, done).rating == 4


def test_coordinator_may_not_assign(app, client, people, town):
    with app.app_context():
        request_id = build_request(people, town.village_a_id, "submitted").id
    log_in(client, app, people.coordinator)
    response = client.post(
        f"/lectures/requests/{request_id}/assign", data={"assign-lecturer_id": people.lecturer}
    )
    assert response.status_code == 403 and "无权" in response.text
    with app.app_context():
        assert _db.session.get(LectureRequest, request_id).state == "submitted"


def test_full_journey_through_the_pages(app, client, people, town):
    log_in(client, app, people.coordinator)
    created = client.post("/lectures/requests/new", data=_form(people, town.village_a_id))
    url = created.headers["Location"]
    log_in(client, app, people.manager)
    page = client.get(url)
    assert "讲师甲" in page.text and "开设「保健护理」专题" in page.text
    assert (
        client.post(url + "/assign", data={"assign-lecturer_id": people.lecturer}).status_code
        == 302
    )
    log_in(client, app, people.lecturer_user)
    assert "保健护理" in client.get("/lectures/mine").text
    with app.app_context():
        slot_id = _db.session.scalar(select(LectureRequest)).slots[1].id
    assert client.post(url + "/accept", data={"accept-slot_id": slot_id}).status_code == 302
    log_in(client, app, people.coordinator)
    assert client.post(url + "/schedule").status_code == 302
    with app.app_context():  # time passes: the lecture has taken place
        request = _db.session.scalar(select(LectureRequest))
        request.scheduled_start = utcnow() - timedelta(hours=3)
        request.scheduled_end = utcnow() - timedelta(hours=2)
        _db.session.commit()
    log_in(client, app, people.lecturer_user)
    bad = client.post(url + "/deliver", data={"deliver-attendance": "0", "deliver-summary": "x"})
    assert bad.status_code == 400
    good = client.post(
        url + "/deliver", data={"deliver-attendance": "48", "deliver-summary": "很好"}
    )
    assert good.status_code == 302
    log_in(client, app, people.coordinator)
    assert (
        client.post(url + "/rate", data={"rate-rating": "5", "rate-comment": "好"}).status_code
        == 302
    )
    log_in(client, app, people.manager)
    assert client.post(url + "/close").status_code == 302
    with app.app_context():
        request = _db.session.scalar(select(LectureRequest))
        assert request.state == "closed" and request.rating == 5 and request.attendance == 48
        actions = list(_db.session.scalars(select(RequestEvent.action).order_by(RequestEvent.id)))
        assert actions == ["submit", "assign", "accept", "schedule", "deliver", "rate", "close"]
    assert "已结案" in client.get(url).text


def test_every_problem_of_an_order_shows_at_once(app, client, people, town):
    log_in(client, app, people.coordinator)
    overrides = {"audience_size": 0, "slot2_day": "", "slot2_start": "", "slot2_end": ""}
    response = client.post(
        "/lectures/requests/new", data=_form(people, town.village_a_id, **overrides)
    )
    assert response.status_code == 400
    assert "1 到 5000" in response.text and "请至少给出两个备选时间" in response.text
    assert _requests(app) == 0
