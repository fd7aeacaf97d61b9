"""Every calendar page answers, for anonymous people and organisers; plugin off still boots."""

from __future__ import annotations

from core.extensions import db as _db
from plugins.calendar.models import CalendarEvent
from plugins.calendar.recurrence import find_occurrence


def _key(app, event_id):
    with app.app_context():
        event = _db.session.get(CalendarEvent, event_id)
        return find_occurrence(event, event.start_at).key


def test_public_pages(app, client, make_event):
    event_id = make_event(freq="weekly", count=5, weekdays="1")
    key = _key(app, event_id)
    for url in [
        "/calendar/",
        "/calendar/month",
        "/calendar/week",
        "/calendar/board",
        "/calendar/subscribe",
        "/calendar/categories.css",
        f"/calendar/e/{event_id}/{key}",
        "/calendar/feed.ics",
        f"/calendar/e/{event_id}.ics",
        "/",
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
    assert client.get(f"/calendar/e/{event_id}").status_code == 302
    assert "干部夜校" in client.get("/calendar/").get_data(as_text=True)


def test_staff_pages(app, client, make_event, login_as, town):
    event_id = make_event(freq="weekly", count=5, weekdays="1")
    key = _key(app, event_id)
    login_as("programme_manager", town.town_id)
    for url in [
        "/calendar/new",
        "/calendar/manage",
        f"/calendar/e/{event_id}/edit",
        f"/calendar/e/{event_id}/{key}/edit",
        f"/calendar/e/{event_id}/{key}/cancel",
        f"/calendar/e/{event_id}/pauses",
        f"/calendar/e/{event_id}/{key}/people",
        f"/calendar/e/{event_id}/{key}/qr",
        f"/calendar/e/{event_id}/{key}/qr.svg",
        f"/calendar/e/{event_id}/{key}/signin",
        f"/calendar/e/{event_id}/{key}/signin.xlsx",
        f"/calendar/e/{event_id}/{key}/materials",
        "/calendar/materials",
        "/calendar/categories",
        "/calendar/mine",
        "/account",
        "/dashboard",
    ]:
        response = client.get(url)
        assert response.status_code == 200, url


def test_app_boots_without_calendar(make_app):
    app = make_app(plugins="")
    client = app.test_client()
    assert client.get("/").status_code == 200
    assert client.get("/calendar/").status_code == 404
    other = make_app(plugins="lecturers,volunteers,competitions,credits,reports")
    assert other.test_client().get("/").status_code == 200
