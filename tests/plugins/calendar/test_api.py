"""The calendar's JSON API: the same lists, rules and refusals as the pages."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from core.extensions import db as _db
from core.timeutil import local_zone, utcnow
from plugins.calendar import checkin
from plugins.calendar.models import CalendarAttendance, CalendarRegistration
from tests.api_helpers import assert_problem, bearer
from tests.plugins.calendar.conftest import next_weekday, running_now

API = "/api/v1/calendar"


def first_key(client, event_id: int, headers=None) -> str:
    items = client.get(f"{API}/agenda?days=62", headers=headers or {}).get_json()["items"]
    return next(item["key"] for item in items if item["event_id"] == event_id)


def registrations(app) -> int:
    with app.app_context():
        return _db.session.scalar(select(func.count(CalendarRegistration.id)))


def test_agenda_lists_this_weeks_night_school_in_order_with_filters(app, client, town, make_event):
    monday = next_weekday(0)
    first = make_event(title="干部夜校:乡村振兴", day=monday + timedelta(days=2))
    second = make_event(title="微讲堂:防诈骗", day=monday, category="微讲堂")
    other_village = make_event(
        title="乙村夜校", day=monday + timedelta(days=1), org_unit_id=town.village_b_id
    )
    body = client.get(f"{API}/agenda?start={monday.isoformat()}&days=7").get_json()
    assert [item["event_id"] for item in body["items"]] == [second, other_village, first]
    assert body["meta"] == {"page": 1, "per_page": 20, "total": 3, "pages": 1}
    filtered = client.get(
        f"{API}/agenda?start={monday.isoformat()}&days=7&village={town.village_a_id}"
    ).get_json()
    assert [item["event_id"] for item in filtered["items"]] == [second, first]
    assert filtered["items"][1]["title"] == "干部夜校:乡村振兴"


def test_agenda_pages_are_stable_and_send_an_etag_answered_with_304(app, client, make_event):
    monday = next_weekday(0)
    ids = [make_event(title=f"课{i}", day=monday + timedelta(days=i)) for i in range(5)]
    url = f"{API}/agenda?start={monday.isoformat()}&days=7&per_page=2"
    pages = [client.get(f"{url}&page={n}").get_json() for n in (1, 2, 3)]
    assert [[i["event_id"] for i in p["items"]] for p in pages] == [ids[:2], ids[2:4], ids[4:]]
    first = client.get(url)
    etag = first.headers["ETag"]
    again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    make_event(title="新课", day=monday)
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 200


def test_members_only_events_need_a_token_of_that_village(app, client, town, make_event, make_user):
    event_id = make_event(title="党员学习", members_only=True)
    url = f"{API}/agenda?days=62"
    assert client.get(url).get_json()["items"] == []
    outsider = bearer(app, make_user(home_unit_id=town.village_b_id))
    assert client.get(url, headers=outsider).get_json()["items"] == []
    member = bearer(app, make_user())
    assert [i["event_id"] for i in client.get(url, headers=member).get_json()["items"]] == [
        event_id
    ]
    key = first_key(client, event_id, member)
    assert_problem(client.get(f"{API}/events/{event_id}/{key}", headers=outsider), 404)


@pytest.mark.parametrize(
    "query",
    [
        "per_page=0",
        "per_page=10000",
        "page=0",
        "days=0",
        "days=400",
        "village=abc",
        "start=2026-13-01",
    ],
)
def test_bad_agenda_arguments_are_422_problems(client, query):
    body = assert_problem(client.get(f"{API}/agenda?{query}"), 422)
    assert body["errors"]["query"]


def test_register_cancel_and_my_events(app, client, make_event, make_user):
    event_id = make_event(title="干部夜校", capacity=1)
    headers = bearer(app, make_user())
    key = first_key(client, event_id)
    created = client.post(f"{API}/events/{event_id}/{key}/registration", headers=headers)
    assert created.status_code == 201 and created.get_json()["status"] == "confirmed"
    again = assert_problem(
        client.post(f"{API}/events/{event_id}/{key}/registration", headers=headers), 409
    )
    assert again["detail"] == "您已经报过名了。"
    waiting = client.post(
        f"{API}/events/{event_id}/{key}/registration", headers=bearer(app, make_user())
    )
    assert waiting.get_json()["status"] == "waiting"  # the same capacity rule as the page
    mine = client.get(f"{API}/mine", headers=headers).get_json()
    assert [i["occurrence"]["event_id"] for i in mine["items"]] == [event_id]
    detail = client.get(f"{API}/events/{event_id}/{key}", headers=headers).get_json()
    assert detail["registered"] == 1 and detail["mine"]["status"] == "confirmed"
    assert detail["ics_url"].endswith(f"/calendar/e/{event_id}/{key}.ics")
    assert (
        client.delete(f"{API}/events/{event_id}/{key}/registration", headers=headers).status_code
        == 204
    )
    assert client.get(f"{API}/mine", headers=headers).get_json()["items"] == []
    assert_problem(
        client.delete(f"{API}/events/{event_id}/{key}/registration", headers=headers), 404
    )


def test_registering_needs_a_token_and_changes_nothing_without_one(app, client, make_event):
    event_id = make_event()
    key = first_key(client, event_id)
    assert_problem(client.post(f"{API}/events/{event_id}/{key}/registration"), 401)
    assert_problem(
        client.post(
            f"{API}/events/{event_id}/{key}/registration",
            headers={"Authorization": "Bearer xxt_forged"},
        ),
        401,
    )
    assert registrations(app) == 0


def test_unknown_event_or_key_is_404(app, client, make_event, make_user):
    headers = bearer(app, make_user())
    event_id = make_event()
    assert_problem(
        client.post(f"{API}/events/999999/20260101T000000Z/registration", headers=headers), 404
    )
    assert_problem(
        client.post(f"{API}/events/{event_id}/nonsense/registration", headers=headers), 404
    )
    assert registrations(app) == 0


def test_self_check_in_needs_the_current_code(app, client, make_event, make_user):
    event_id = make_event(**running_now(), walk_ins=True)
    headers = bearer(app, make_user())
    key = first_key(client, event_id)
    url = f"{API}/events/{event_id}/{key}/checkin"
    stale = assert_problem(
        client.post(url, json={"code": "0000000000000000"}, headers=headers), 422
    )
    assert stale["errors"]["json"]["code"]
    with app.app_context():
        code = checkin.code_at(event_id, key)
    done = client.post(url, json={"code": code}, headers=headers)
    assert done.status_code == 200 and done.get_json()["new"] is True
    assert client.post(url, json={"code": code}, headers=headers).get_json()["new"] is False
    with app.app_context():
        assert _db.session.scalar(select(func.count(CalendarAttendance.id))) == 1


def test_self_check_in_is_refused_to_the_unregistered_like_the_page(
    app, client, make_event, make_user
):
    event_id = make_event(**running_now())
    headers = bearer(app, make_user())
    key = first_key(client, event_id)
    with app.app_context():
        code = checkin.code_at(event_id, key)
    body = assert_problem(
        client.post(f"{API}/events/{event_id}/{key}/checkin", json={"code": code}, headers=headers),
        409,
    )
    assert body["detail"].startswith("您没有报名这次活动")


def test_feed_link_made_shown_and_dropped(app, client, make_user):
    headers = bearer(app, make_user())
    assert client.get(f"{API}/feed", headers=headers).get_json() == {
        "url": None,
        "webcal_url": None,
    }
    made = client.post(f"{API}/feed", headers=headers).get_json()
    assert made["url"].startswith("http") and made["webcal_url"].startswith("webcal://")
    feed_path = "/" + made["url"].split("://", 1)[1].partition("/")[2]
    assert client.get(feed_path).status_code == 200
    assert client.get(f"{API}/feed", headers=headers).get_json() == made
    assert client.delete(f"{API}/feed", headers=headers).status_code == 204
    assert client.get(f"{API}/feed", headers=headers).get_json()["url"] is None


def test_agenda_start_is_local_today_by_default(app, client, make_event):
    today = utcnow().astimezone(local_zone()).date()
    event_id = make_event(day=today + timedelta(days=1))
    assert [i["event_id"] for i in client.get(f"{API}/agenda").get_json()["items"]] == [event_id]


def test_categories_are_the_agenda_filters(app, client, make_event):
    make_event()
    names = [c["name"] for c in client.get(f"{API}/categories").get_json()]
    assert names[:2] == ["干部夜校", "微讲堂"]
