"""Odd input on every form answers with a message or a 4xx, never a 500."""

from __future__ import annotations

from core.extensions import db as _db
from plugins.calendar import recurrence
from plugins.calendar.models import CalendarEvent


def test_odd_input_never_500(app, client, town, make_event, login_as):
    event_id = make_event(freq="weekly", weekdays="1", count=4)
    with app.app_context():
        event = _db.session.get(CalendarEvent, event_id)
        key = recurrence.find_occurrence(event, event.start_at).key
    login_as("programme_manager", town.town_id)
    posts = [
        (
            f"/calendar/e/{event_id}/{key}/edit",
            {
                "start_date": "2026-01-02",
                "start_time": "20:00",
                "end_date": "2026-01-01",
                "end_time": "19:00",
                "scope": "this",
            },
        ),
        (
            f"/calendar/e/{event_id}/{key}/edit",
            {
                "start_date": "1900-01-02",
                "start_time": "20:00",
                "end_date": "1900-01-02",
                "end_time": "21:00",
                "scope": "following",
            },
        ),
        (f"/calendar/e/{event_id}/{key}/edit", {"start_date": "x", "scope": "bogus"}),
        ("/calendar/new", {"title": "x", "weekdays": ["9"], "freq": "yearly", "count": "-5"}),
        ("/calendar/new", {"title": "x", "count": "99999999999999999999"}),
        (f"/calendar/e/{event_id}/pauses", {"first_day": "2026-13-01", "last_day": ""}),
        (f"/calendar/e/{event_id}/{key}/people", {"walk-name": "", "proxy-name": ""}),
        (f"/calendar/e/{event_id}/{key}/materials", {"kind": "nonsense"}),
        ("/calendar/categories", {"name": "夜" * 500, "colour": "#zzzzzz", "position": "abc"}),
        (f"/calendar/e/{event_id}/{key}/cancel", {"reason": "因" * 500}),
    ]
    for url, data in posts:
        response = client.post(url, data=data)
        assert response.status_code in (200, 302, 400, 404), (url, response.status_code)
    for url in [
        "/calendar/e/999999/20260101T000000Z",
        f"/calendar/e/{event_id}/99999999T999999Z",
        "/calendar/materials?month=abc&village=999999",
        "/calendar/week?start=2100-12-31",
        "/calendar/board?village=999999",
        "/calendar/feed.ics?category=abc",
    ]:
        assert client.get(url).status_code in (200, 403, 404), url
