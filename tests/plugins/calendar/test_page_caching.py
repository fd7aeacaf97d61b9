"""Visitors' pages: no cookie, an ETag, 304, public Cache-Control; signed-in pages private."""

from __future__ import annotations

import pytest
from sqlalchemy import event

from core.extensions import db
from plugins.calendar import recurrence, services
from plugins.calendar.models import CalendarEvent
from tests.conftest import log_in

VISITOR_PAGES = (
    "/",
    "/calendar/",
    "/calendar/week",
    "/calendar/month",
    "/calendar/board",
    "/lectures/",
    "/lectures/topics",
)


@pytest.fixture
def event_page(app, make_event):
    """The URL of a one-off event's page (the occurrence page a visitor lands on)."""
    event_id = make_event(title="健康讲座")
    with app.test_request_context():
        found = db.session.get(CalendarEvent, event_id)
        [occurrence] = recurrence.expand(found, found.start_at, found.end_at)
        return services.occurrence_url(occurrence)


def test_visitor_pages_set_no_cookie_and_revalidate(client, event_page):
    for path in (*VISITOR_PAGES, event_page):
        response = client.get(path)
        assert response.status_code == 200, path
        assert "Set-Cookie" not in response.headers, path
        assert response.cache_control.public and response.cache_control.max_age == 60, path
        assert "Cookie" in response.vary, path
        etag = response.headers["ETag"]
        again = client.get(path, headers={"If-None-Match": etag})
        assert again.status_code == 304 and again.data == b"", path


def test_signed_in_pages_are_private(app, client, make_user, event_page):
    log_in(client, app, make_user())
    for path in (*VISITOR_PAGES, event_page):
        response = client.get(path)
        assert response.cache_control.private and not response.cache_control.public, path


def test_a_visitor_chooses_a_language_without_a_token(client):
    response = client.post("/language", data={"locale": "en", "next": "/calendar/"}, csrf=False)
    assert response.status_code == 302 and "Set-Cookie" in response.headers
    page = client.get("/calendar/")
    assert 'lang="en"' in page.get_data(as_text=True)
    assert page.cache_control.private and not page.cache_control.public  # chosen: not shared


def test_a_form_page_keeps_its_session_private(client):
    response = client.get("/login")
    assert "Set-Cookie" in response.headers and response.cache_control.private


def test_agenda_revalidation_renders_nothing_and_follows_the_data(app, client, make_event):
    first = client.get("/calendar/")
    with app.app_context():
        engine = db.engine
    seen = []
    listener = lambda *args: seen.append(args[2])  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        again = client.get("/calendar/", headers={"If-None-Match": first.headers["ETag"]})
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    assert again.status_code == 304 and len(seen) == 1
    make_event(title="新活动")
    changed = client.get("/calendar/", headers={"If-None-Match": first.headers["ETag"]})
    assert changed.status_code == 200 and "新活动" in changed.get_data(as_text=True)


def test_a_visitor_page_that_sets_a_cookie_stays_private(app):
    from flask import Response

    from core.httpcache import finish_page

    with app.test_request_context("/anything"):
        response = Response("<p>x</p>", mimetype="text/html")
        response.set_cookie("seen", "1")
        finished = finish_page(response)
    assert finished.cache_control.private and not finished.cache_control.public
    assert "ETag" not in finished.headers
