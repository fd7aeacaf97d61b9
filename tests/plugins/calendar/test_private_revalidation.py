"""The private feed's revalidation is answered from versions: no plugin query runs."""

from __future__ import annotations

from core.extensions import db as _db
from core.models import RoleAssignment
from plugins.calendar import recurrence, registration, tracking
from plugins.calendar.cache import feed_cache
from plugins.calendar.models import CalendarEvent, CalendarRegistration
from tests.conftest import log_in

PLUGIN_TABLES = ("calendar_registration", "volunteers_", "competitions_", "lecturers_", "steering_")


def _token(app, client, user_id: int) -> str:
    from plugins.calendar.models import CalendarFeedToken

    log_in(client, app, user_id)
    client.post("/calendar/feed-token")
    client.get("/auth/logout")
    with app.app_context():
        return _db.session.query(CalendarFeedToken).filter_by(user_id=user_id).one().token


def _register(app, event_id: int, user_id: int) -> None:
    with app.app_context():
        event = _db.session.get(CalendarEvent, event_id)
        occurrence = recurrence.find_occurrence(event, event.start_at)
        registration.register(event, occurrence, user_id)
        _db.session.commit()


def test_private_feed_304_reads_versions_only(app, client, make_event, make_user, sql_statements):
    event_id = make_event(title="夜校：种植技术")
    me, other = make_user(), make_user()
    url = f"/calendar/feed/{_token(app, client, me)}.ics"
    first = client.get(url)
    assert first.status_code == 200 and first.headers["Cache-Control"] == "max-age=600, private"
    etag = first.headers["ETag"]

    with app.app_context():  # a new worker: nothing of the feed in memory
        feed_cache().clear()
    with sql_statements() as seen:
        again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.headers["ETag"] == etag
    # token, person, the sources' versions, the person's version
    assert len(seen) == 4, seen
    assert not [s for s in seen if any(t in s for t in PLUGIN_TABLES)]

    _register(app, event_id, other)  # someone else's registration: still not modified
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304

    _register(app, event_id, me)
    changed = client.get(url, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    assert "夜校：种植技术".encode() in changed.data
    assert client.get(url, headers={"If-None-Match": changed.headers["ETag"]}).status_code == 304

    with app.app_context():  # cancelling changes it again
        row = _db.session.query(CalendarRegistration).filter_by(user_id=me).one()
        row.status = "cancelled"
        _db.session.commit()
    cancelled = client.get(url, headers={"If-None-Match": changed.headers["ETag"]})
    assert cancelled.status_code == 200 and b"BEGIN:VEVENT" not in cancelled.data


def test_person_version_follows_declared_rows(app, make_user, town):
    me, other = make_user(), make_user()
    with app.app_context():
        before = (tracking.person_version(me), tracking.person_version(other))
        row = RoleAssignment(user_id=me, role="village_coordinator", org_unit_id=town.village_a_id)
        _db.session.add(row)
        _db.session.commit()
        assert tracking.person_version(me) == before[0] + 1
        row.user_id = other  # moved: both people's feeds change
        _db.session.commit()
        assert tracking.person_version(me) == before[0] + 2
        assert tracking.person_version(other) == before[1] + 1
        # people's rows are not calendar sources
        assert not [name for name, _v in tracking.versions() if name.startswith("person:")]
