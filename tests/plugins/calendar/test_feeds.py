"""iCal feeds: parsed back strictly, expanded independently, compared with the site's list."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import recurring_ical_events

from core.extensions import db as _db
from core.hookspecs import hookimpl
from core.hooktypes import CalendarEntry
from core.plugins import Plugin
from core.timeutil import utcnow
from plugins.calendar import ical, recurrence, services
from plugins.calendar.models import CalendarEvent
from tests.conftest import log_in
from tests.plugins.calendar.conftest import local, next_weekday, parse


def site_occurrences(app, start, end):
    with app.test_request_context():
        return {
            (o.uid, o.start.astimezone(UTC), o.cancelled)
            for o in services.occurrences_between(start, end, include_entries=False)
        }


def feed_occurrences(calendar, start, end):
    found = set()
    for component in recurring_ical_events.of(calendar).between(start, end):
        moment = component["DTSTART"].dt
        if not isinstance(moment, datetime):
            moment = datetime.combine(moment, datetime.min.time()).replace(
                tzinfo=recurrence.local_zone()
            )
        found.add(
            (str(component["UID"]), moment.astimezone(UTC), component.get("STATUS") == "CANCELLED")
        )
    return found


@pytest.fixture
def series_setup(app, make_event, town):
    """A weekly series with a cancelled, a moved and a paused occurrence, plus a single event."""
    series_id = make_event(freq="weekly", weekdays="1,3", count=12, day=next_weekday(1, 0))
    single_id = make_event(title="健康讲座", category="健康讲座", day=next_weekday(4, 2))
    all_day_id = make_event(
        title="村民开放日",
        all_day=True,
        freq="monthly",
        count=3,
        start_at=local(next_weekday(5), 0, 0),
        end_at=local(next_weekday(5) + timedelta(days=1), 0, 0),
    )
    with app.app_context():
        event = _db.session.get(CalendarEvent, series_id)
        starts = recurrence.all_original_starts(event)
        services.cancel_occurrence(event, starts[1], "村里停电")
        services.edit_occurrence(
            event,
            starts[2],
            starts[2] + timedelta(days=1),
            starts[2] + timedelta(days=1, hours=2),
            "夜校（改期）",
            "村委会",
        )
        day = recurrence.local_naive(starts[5]).date()
        services.add_pause(event, day, day + timedelta(days=3), "农忙")
        _db.session.commit()
    return series_id, single_id, all_day_id


def test_feed_matches_site_list(app, client, series_setup):
    response = client.get("/calendar/feed.ics")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    body = response.data
    calendar = parse(body)
    assert calendar["X-WR-CALNAME"] and calendar["NAME"]
    assert calendar["X-WR-TIMEZONE"] == "Asia/Shanghai"
    assert b"REFRESH-INTERVAL;VALUE=DURATION:PT1H" in body
    assert b"X-PUBLISHED-TTL:PT1H" in body
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Asia/Shanghai"]
    for vevent in calendar.walk("VEVENT"):
        for name in ("DTSTART", "DTEND"):
            value = vevent[name].dt
            if isinstance(value, datetime):  # no floating times
                assert value.tzinfo is not None
    start, end = utcnow() - timedelta(days=90), utcnow() + timedelta(days=365)
    assert feed_occurrences(calendar, start, end) == site_occurrences(app, start, end)
    assert "【已取消】干部夜校".encode() in body
    assert b"RECURRENCE-ID;TZID=Asia/Shanghai" in body
    assert b"EXDATE;TZID=Asia/Shanghai" in body


def test_series_split_keeps_feed_and_site_equal(app, client, make_event):
    event_id = make_event(
        freq="weekly", weekdays="2", until=next_weekday(2, 10), day=next_weekday(2, 0)
    )
    with app.test_request_context():
        event = _db.session.get(CalendarEvent, event_id)
        starts = recurrence.all_original_starts(event)
        data = {
            k: getattr(event, k)
            for k in (
                "title",
                "description",
                "markdown",
                "category_id",
                "org_unit_id",
                "venue",
                "all_day",
                "capacity",
                "registration_open",
                "members_only",
                "freq",
                "interval",
                "count",
                "until",
            )
        }
        data.update(
            start_at=starts[4] + timedelta(hours=1),
            end_at=starts[4] + timedelta(hours=3),
            weekdays="2",
            title="夜校（新时间）",
        )
        uid = event.uid
        new = services.split_series(event, starts[4], data, None)
        _db.session.commit()
        assert event.until < recurrence.local_naive(starts[4]).date()
        new_id = new.id
    body = client.get("/calendar/feed.ics").data
    calendar = parse(body)
    old_master = next(
        v
        for v in calendar.walk("VEVENT")
        if str(v["UID"]) == uid and "RRULE" in v and "RECURRENCE-ID" not in v
    )
    until = old_master["RRULE"]["UNTIL"][0]
    assert until.tzinfo is not None and until.utcoffset() == timedelta(0)  # UNTIL in UTC
    start, end = utcnow() - timedelta(days=90), utcnow() + timedelta(days=365)
    site = site_occurrences(app, start, end)
    assert feed_occurrences(calendar, start, end) == site
    assert len(site) == 11
    assert new_id != event_id


def test_unchanged_feed_is_identical_and_conditional(client, series_setup):
    first = client.get("/calendar/feed.ics")
    second = client.get("/calendar/feed.ics")
    assert first.data == second.data
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert client.get("/calendar/feed.ics", headers={"If-None-Match": etag}).status_code == 304
    assert (
        client.get("/calendar/feed.ics", headers={"If-Modified-Since": modified}).status_code == 304
    )
    head = client.head("/calendar/feed.ics")
    assert head.status_code == 200 and head.data == b"" and head.headers["ETag"] == etag


def test_change_raises_sequence_and_changes_body(app, client, series_setup):
    _series_id, single_id, _ = series_setup
    before = client.get("/calendar/feed.ics")
    with app.app_context():
        event = _db.session.get(CalendarEvent, single_id)
        old_sequence = event.sequence
        data = {
            k: getattr(event, k)
            for k in (
                "title",
                "description",
                "markdown",
                "category_id",
                "org_unit_id",
                "all_day",
                "capacity",
                "registration_open",
                "members_only",
                "freq",
                "interval",
                "weekdays",
                "count",
                "until",
                "start_at",
                "end_at",
            )
        }
        data["venue"] = "新地点"
        services.save_event(event, data, None)
        _db.session.commit()
        assert event.sequence == old_sequence + 1
    after = client.get("/calendar/feed.ics", headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200 and after.data != before.data
    assert "LOCATION:新地点".encode() in after.data


def test_filters_by_category_and_village(app, client, series_setup, town):
    with app.app_context():
        health = next(c.id for c in services.categories() if c.name == "健康讲座")
    body = client.get(f"/calendar/feed.ics?category={health}").data
    assert "健康讲座".encode() in body and "干部夜校".encode() not in body
    body = client.get(f"/calendar/feed.ics?village={town.village_b_id}").data
    assert b"BEGIN:VEVENT" not in body
    both = client.get(f"/calendar/feed.ics?village={town.village_a_id}&category={health}").data
    assert both.count(b"BEGIN:VEVENT") == 1
    assert client.get("/calendar/feed.ics?village=99999").status_code == 404


def test_window_config(make_app, town):
    app = make_app(CALENDAR_FEED_DAYS_AHEAD=3)
    from plugins.calendar import services as svc

    with app.app_context():
        cats = {c.name: c.id for c in svc.ensure_categories()}
        far = utcnow() + timedelta(days=30)
        svc.save_event(
            None,
            {
                "title": "远期活动",
                "description": "",
                "markdown": False,
                "category_id": cats["微讲堂"],
                "org_unit_id": town.village_a_id,
                "venue": "",
                "all_day": False,
                "start_at": far,
                "end_at": far + timedelta(hours=1),
                "freq": "none",
                "capacity": None,
                "registration_open": False,
                "members_only": False,
            },
            None,
        )
        _db.session.commit()
    assert "远期活动".encode() not in app.test_client().get("/calendar/feed.ics").data


class EntriesPlugin(Plugin):
    """A stand-in for lecturers/volunteers contributing entries through the hook."""

    name = "entriestest"
    title = "entries"

    def __init__(self, village_id: int) -> None:
        self.village_id = village_id

    @hookimpl
    def calendar_entries(self, start, end, viewer, personal):
        moment = datetime.combine(next_weekday(2), datetime.min.time()).replace(hour=6, tzinfo=UTC)
        if personal:
            return [
                CalendarEntry(
                    uid="entriestest-shift-1@x",
                    source="entriestest",
                    title="志愿值班",
                    start=moment,
                    end=moment + timedelta(hours=2),
                    public=False,
                    org_unit_id=self.village_id,
                    url="/volunteers/1",
                )
            ]
        return [
            CalendarEntry(
                uid="entriestest-lecture-1@x",
                source="entriestest",
                title="讲师团讲座",
                start=moment,
                end=moment + timedelta(hours=2),
                category="微讲堂",
                org_unit_id=self.village_id,
                url="/lecturers/1",
                sequence=2,
                last_modified=datetime(2026, 1, 1, tzinfo=UTC),
            )
        ]


def test_entries_from_other_plugins(make_app, town, make_user):
    app = make_app(extra_plugins=[EntriesPlugin(town.village_a_id)])
    client = app.test_client()
    assert "讲师团讲座" in client.get("/calendar/").get_data(as_text=True)
    week = client.get(f"/calendar/week?start={next_weekday(2).isoformat()}")
    assert "讲师团讲座" in week.get_data(as_text=True)
    assert "讲师团讲座" not in client.get(f"/calendar/?village={town.village_b_id}").get_data(
        as_text=True
    )
    assert "讲师团讲座" in client.get(f"/calendar/?village={town.village_a_id}").get_data(
        as_text=True
    )
    body = client.get("/calendar/feed.ics").data
    calendar = parse(body)
    [vevent] = calendar.walk("VEVENT")
    assert str(vevent["UID"]) == "entriestest-lecture-1@x" and vevent["SEQUENCE"] == 2
    assert b"BEGIN:VEVENT" not in client.get(f"/calendar/feed.ics?village={town.village_b_id}").data
    user_id = make_user()
    log_in(client, app, user_id)
    client.post("/calendar/feed-token")
    from plugins.calendar.models import CalendarFeedToken

    with app.app_context():
        token = _db.session.query(CalendarFeedToken).filter_by(user_id=user_id).one().token
    private = client.get(f"/calendar/feed/{token}.ics").data
    assert "志愿值班".encode() in private and "讲师团讲座".encode() not in private


def test_vtimezone_and_header_are_stable():
    header = ical.vtimezone().to_ical()
    assert b"TZOFFSETTO:+0800" in header
