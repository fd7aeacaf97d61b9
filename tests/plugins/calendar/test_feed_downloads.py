"""Private feeds and downloads of one event or one date: parsed back strictly."""

from __future__ import annotations

from datetime import UTC, timedelta

from core.extensions import db as _db
from plugins.calendar import recurrence, services
from plugins.calendar.models import CalendarEvent
from tests.conftest import CONFIRMED
from tests.plugins.calendar.conftest import next_weekday, parse


def test_private_feed_token_lifecycle(app, client, make_event, login_as):
    event_id = make_event(title="我报名的夜校")
    make_event(title="别人的讲座")
    user_id = login_as("resident")
    with app.app_context():
        key = recurrence.find_occurrence(
            _db.session.get(CalendarEvent, event_id),
            _db.session.get(CalendarEvent, event_id).start_at,
        ).key
    client.post(f"/calendar/e/{event_id}/{key}/register")
    assert client.post("/calendar/feed-token").status_code == 302
    page = client.get("/account").get_data(as_text=True)
    from plugins.calendar.models import CalendarFeedToken

    with app.app_context():
        token = _db.session.query(CalendarFeedToken).filter_by(user_id=user_id).one().token
    assert token in page and "webcal://" in page
    body = client.get(f"/calendar/feed/{token}.ics").data
    parse(body)
    assert "我报名的夜校".encode() in body and "别人的讲座".encode() not in body
    client.post("/calendar/feed-token")
    assert client.get(f"/calendar/feed/{token}.ics").status_code == 404
    with app.app_context():
        token = _db.session.query(CalendarFeedToken).filter_by(user_id=user_id).one().token
    assert client.get(f"/calendar/feed/{token}.ics").status_code == 200
    client.post("/calendar/feed-token/revoke")
    assert client.get(f"/calendar/feed/{token}.ics").status_code == 404
    assert client.get("/calendar/feed/forged-token-123.ics").status_code == 404
    assert client.post("/calendar/feed-token", csrf=False).status_code == 400


def test_single_event_ics(client, make_event):
    event_id = make_event(title="单次活动 😀 ,;\\ 测试" * 3)
    response = client.get(f"/calendar/e/{event_id}.ics")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    calendar = parse(response.data)
    [vevent] = calendar.walk("VEVENT")
    assert str(vevent["SUMMARY"]) == "单次活动 😀 ,;\\ 测试" * 3
    assert all(len(line) <= 75 for line in response.data.split(b"\r\n"))
    assert client.get("/calendar/e/99999.ics").status_code == 404


def _keys(app, event_id):
    with app.app_context():
        event = _db.session.get(CalendarEvent, event_id)
        return [o.key for o in recurrence.expand(event, recurrence.EARLIEST, recurrence.LATEST)]


def test_one_date_of_a_series_downloads_alone(app, client, make_event):
    """ "Add to phone" on a date of a series gives that date only, under its own UID."""
    event_id = make_event(freq="weekly", weekdays="1", count=6, day=next_weekday(1, 1))
    key = _keys(app, event_id)[2]
    response = client.get(f"/calendar/e/{event_id}/{key}.ics")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    [vevent] = parse(response.data).walk("VEVENT")
    assert vevent["DTSTART"].dt.astimezone(UTC) == recurrence.parse_key(key)
    assert "RRULE" not in vevent and "RECURRENCE-ID" not in vevent
    with app.app_context():
        series_uid = _db.session.get(CalendarEvent, event_id).uid
    assert str(vevent["UID"]) == f"calendar-{event_id}-{key[:13]}Z@xiangxuetong"
    assert str(vevent["UID"]) != series_uid
    page = client.get(f"/calendar/e/{event_id}/{key}").get_data(as_text=True)
    assert f"/calendar/e/{event_id}/{key}.ics" in page and f"/calendar/e/{event_id}.ics" in page
    [master] = parse(client.get(f"/calendar/e/{event_id}.ics").data).walk("VEVENT")
    assert "RRULE" in master and str(master["UID"]) == series_uid
    assert client.get(f"/calendar/e/{event_id}/20000101T000000Z.ics").status_code == 404
    assert client.get(f"/calendar/e/{event_id}/garbage.ics").status_code == 404


def test_one_date_follows_a_move_with_higher_sequence(app, client, make_event):
    event_id = make_event(freq="weekly", weekdays="1", count=4, day=next_weekday(1, 1))
    key = _keys(app, event_id)[1]
    [before] = parse(client.get(f"/calendar/e/{event_id}/{key}.ics").data).walk("VEVENT")
    with app.app_context():
        event = _db.session.get(CalendarEvent, event_id)
        original = recurrence.parse_key(key)
        services.edit_occurrence(
            event, original, original + timedelta(hours=1), original + timedelta(hours=3), "", ""
        )
        _db.session.commit()
    [after] = parse(client.get(f"/calendar/e/{event_id}/{key}.ics").data).walk("VEVENT")
    assert str(after["UID"]) == str(before["UID"])
    assert after["DTSTART"].dt.astimezone(UTC) == recurrence.parse_key(key) + timedelta(hours=1)
    assert int(after["SEQUENCE"]) > int(before["SEQUENCE"])
    with app.app_context():
        event = _db.session.get(CalendarEvent, event_id)
        services.cancel_occurrence(event, recurrence.parse_key(key), "下雨")
        _db.session.commit()
    [cancelled] = parse(client.get(f"/calendar/e/{event_id}/{key}.ics").data).walk("VEVENT")
    assert cancelled["STATUS"] == "CANCELLED" and "【已取消】" in str(cancelled["SUMMARY"])
    assert int(cancelled["SEQUENCE"]) > int(after["SEQUENCE"])


def test_private_feed_holds_only_registered_dates(app, client, make_event, login_as):
    series_id = make_event(
        title="每周夜校", freq="weekly", weekdays="1", count=6, day=next_weekday(1, 1)
    )
    single_id = make_event(title="单次讲座", day=next_weekday(3, 1))
    user_id = login_as("resident")
    keys = _keys(app, series_id)
    for key in (keys[1], keys[4]):
        assert client.post(f"/calendar/e/{series_id}/{key}/register").status_code == 302
    client.post(f"/calendar/e/{single_id}/{_keys(app, single_id)[0]}/register")
    client.post("/calendar/feed-token")
    from plugins.calendar.models import CalendarFeedToken

    with app.app_context():
        token = _db.session.query(CalendarFeedToken).filter_by(user_id=user_id).one().token
        single_uid = _db.session.get(CalendarEvent, single_id).uid
    calendar = parse(client.get(f"/calendar/feed/{token}.ics").data)
    vevents = calendar.walk("VEVENT")
    assert not any("RRULE" in v for v in vevents)
    dated = {v["DTSTART"].dt.astimezone(UTC) for v in vevents if str(v["UID"]) != single_uid}
    assert dated == {recurrence.parse_key(keys[1]), recurrence.parse_key(keys[4])}
    assert [str(v["UID"]) for v in vevents].count(single_uid) == 1
    client.post(f"/calendar/e/{series_id}/{keys[4]}/unregister", data=CONFIRMED)
    calendar = parse(client.get(f"/calendar/feed/{token}.ics").data)
    dated = {
        v["DTSTART"].dt.astimezone(UTC)
        for v in calendar.walk("VEVENT")
        if str(v["UID"]) != single_uid
    }
    assert dated == {recurrence.parse_key(keys[1])}
