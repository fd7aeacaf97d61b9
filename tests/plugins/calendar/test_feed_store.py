"""Stored VEVENTs and calendar versions: feeds are concatenations, revalidations one read."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import delete, select, update

from core.extensions import db as _db
from core.hookspecs import hookimpl
from core.hooktypes import CalendarEntry
from core.models import OrgUnit
from core.plugins import Plugin
from plugins.calendar import ical, recurrence, services
from plugins.calendar.cache import feed_cache
from plugins.calendar.models import CalendarCategory, CalendarEvent, CalendarVevent
from tests.plugins.calendar.conftest import next_weekday

EDITABLE = (
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
    "venue",
)


@pytest.fixture
def renders(monkeypatch):
    """Counts ``ical.build_vevents`` calls (the expensive icalendar work)."""
    calls = []
    real = ical.build_vevents

    def counting(event, url):
        calls.append(event.id)
        return real(event, url)

    monkeypatch.setattr(ical, "build_vevents", counting)
    return calls


def forget_cache(app):
    with app.app_context():
        feed_cache().clear()


def stored(app, event_id):
    with app.app_context():
        row = _db.session.get(CalendarVevent, event_id)
        return row.body if row else None


def edit(app, event_id, **changes):
    with app.app_context():
        event = _db.session.get(CalendarEvent, event_id)
        data = {name: getattr(event, name) for name in EDITABLE}
        services.save_event(event, {**data, **changes}, None)
        _db.session.commit()


def test_feed_after_a_restart_is_concatenated_without_rendering(app, client, make_event, renders):
    first = make_event(title="夜校一")
    second = make_event(title="夜校二", day=next_weekday(3))
    assert sorted(renders) == [first, second]  # rendered once each, when saved
    forget_cache(app)  # a new worker: nothing in memory
    renders.clear()
    body = client.get("/calendar/feed.ics").data
    assert renders == []
    assert body.count(b"BEGIN:VEVENT") == 2
    assert stored(app, first) in body and stored(app, second) in body
    download = client.get(f"/calendar/e/{first}.ics").data
    assert renders == [] and stored(app, first) in download


def test_an_edit_renders_that_event_only(app, client, make_event, renders):
    ids = [make_event(title=f"活动{n}", day=next_weekday(n)) for n in range(3)]
    renders.clear()
    edit(app, ids[1], venue="新会场")
    assert renders == [ids[1]]
    assert "LOCATION:新会场".encode() in stored(app, ids[1])
    forget_cache(app)
    assert "LOCATION:新会场".encode() in client.get("/calendar/feed.ics").data
    assert renders == [ids[1]]


def test_a_rolled_back_edit_changes_nothing(app, make_event):
    event_id = make_event()
    before = stored(app, event_id)
    with app.app_context():
        versions = services.versions()
        event = _db.session.get(CalendarEvent, event_id)
        data = {name: getattr(event, name) for name in EDITABLE}
        services.save_event(event, {**data, "venue": "不算数"}, None)
        _db.session.flush()
        _db.session.rollback()
    assert stored(app, event_id) == before
    with app.app_context():
        assert services.versions() == versions


def test_overrides_and_category_names_reach_the_stored_bytes(app, make_event, renders):
    series_id = make_event(freq="weekly", weekdays="1", count=6)
    with app.app_context():
        event = _db.session.get(CalendarEvent, series_id)
        services.cancel_occurrence(event, recurrence.all_original_starts(event)[2], "停电")
        _db.session.commit()
    assert b"RECURRENCE-ID" in stored(app, series_id) and b"STATUS:CANCELLED" in stored(
        app, series_id
    )
    with app.app_context():
        category = _db.session.scalar(
            select(CalendarCategory).where(CalendarCategory.name == "干部夜校")
        )
        category.name = "村干部夜校"
        _db.session.commit()
    assert "CATEGORIES:村干部夜校".encode() in stored(app, series_id)


def test_missing_or_stale_rows_are_rendered_once_and_kept(app, client, make_event, renders):
    first, second = make_event(title="甲"), make_event(title="乙", day=next_weekday(2))
    with app.app_context():  # as after a bulk insert that bypassed the ORM
        _db.session.execute(delete(CalendarVevent).where(CalendarVevent.event_id == first))
        _db.session.execute(
            update(CalendarVevent)
            .where(CalendarVevent.event_id == second)
            .values(render_key="0|old")
        )
        _db.session.commit()
    forget_cache(app)
    renders.clear()
    body = client.get("/calendar/feed.ics").data
    assert sorted(renders) == [first, second] and body.count(b"BEGIN:VEVENT") == 2
    assert stored(app, first) in body
    forget_cache(app)
    renders.clear()
    assert client.get("/calendar/feed.ics").data == body and renders == []


def test_deleting_an_event_deletes_its_stored_bytes(app, make_event):
    event_id = make_event()
    with app.app_context():
        _db.session.delete(_db.session.get(CalendarEvent, event_id))
        _db.session.commit()
    assert stored(app, event_id) is None


def test_feed_queries_do_not_grow_with_the_events(app, client, make_event, sql_statements):
    def cold_feed_statements() -> int:
        forget_cache(app)
        with sql_statements() as seen:
            assert client.get("/calendar/feed.ics").status_code == 200
        return len(seen)

    make_event(title="一")
    make_event(title="二", freq="weekly", weekdays="2", count=4)
    few = cold_feed_statements()
    for n in range(5):
        make_event(title=f"多{n}", day=next_weekday(n % 7))
        make_event(title=f"系列{n}", freq="weekly", weekdays=str(n % 7), count=3)
    assert cold_feed_statements() == few


class DeclaredEntries(Plugin):
    """A contributor that declares the column it reads (``org_unit.name``), counting its
    queries."""

    name = "declaredtest"
    title = "declared"

    def __init__(self, village_id: int) -> None:
        self.village_id = village_id
        self.calls = 0

    @hookimpl
    def calendar_entry_tables(self):
        return ["org_unit.name"]

    @hookimpl
    def calendar_entries(self, start, end, viewer, personal):
        self.calls += 1
        moment = datetime.combine(next_weekday(2), datetime.min.time()).replace(hour=6, tzinfo=UTC)
        village = _db.session.get(OrgUnit, self.village_id)
        return [
            CalendarEntry(
                uid="declaredtest-1@x",
                source="declaredtest",
                title=f"送讲下乡({village.name})",
                start=moment,
                end=moment + timedelta(hours=2),
                org_unit_id=self.village_id,
            )
        ]


def test_revalidation_is_one_read_and_runs_no_plugin_query(make_app, town, sql_statements):
    plugin = DeclaredEntries(town.village_a_id)
    app = make_app(extra_plugins=[plugin])
    client = app.test_client()
    first = client.get("/calendar/feed.ics")
    assert "送讲下乡(甲村)".encode() in first.data and plugin.calls == 1
    client.get("/calendar/")
    client.get("/calendar/")
    assert plugin.calls == 2  # the agenda's window once, then from the cache
    with app.app_context():
        engine = _db.engine
    from sqlalchemy import event

    forget_cache(app)  # a fresh worker answers from the versions, without the feed
    seen = []
    listener = lambda *args: seen.append(args[2])  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        again = client.get("/calendar/feed.ics", headers={"If-None-Match": first.headers["ETag"]})
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    assert again.status_code == 304 and again.data == b""
    assert again.headers["ETag"] == first.headers["ETag"]
    assert len(seen) == 1 and "calendar_source_version" in seen[0] and plugin.calls == 2
    with app.app_context():  # another column of the table: nothing to revalidate
        _db.session.get(OrgUnit, town.village_a_id).population = 1300
        _db.session.commit()
    same = client.get("/calendar/feed.ics", headers={"If-None-Match": first.headers["ETag"]})
    assert same.status_code == 304
    with app.app_context():  # the column it reads: its version rises, the tag changes
        _db.session.get(OrgUnit, town.village_a_id).name = "甲村社区"
        _db.session.commit()
    changed = client.get("/calendar/feed.ics", headers={"If-None-Match": first.headers["ETag"]})
    assert changed.status_code == 200 and "送讲下乡(甲村社区)".encode() in changed.data


def test_bad_conditional_requests_get_the_full_feed(app, client, make_event):
    make_event(title="夜校")
    full = client.get("/calendar/feed.ics")
    etag, modified = full.headers["ETag"], full.headers["Last-Modified"]
    future = (datetime.now(UTC) + timedelta(days=30)).strftime("%a, %d %b %Y %H:%M:%S GMT")
    for headers in (
        {"If-None-Match": '"stale-0000"'},
        {"If-None-Match": "garbage, ,W/"},
        {"If-None-Match": '"'},
        {"If-Modified-Since": future},
        {"If-Modified-Since": "not a date"},
    ):
        response = client.get("/calendar/feed.ics", headers=headers)
        assert response.status_code == 200, headers
        assert response.data == full.data
    assert (
        client.get("/calendar/feed.ics", headers={"If-Modified-Since": modified}).status_code == 304
    )
    assert (
        client.get("/calendar/feed.ics", headers={"If-None-Match": f"W/{etag}"}).status_code == 304
    )
    with app.app_context():
        empty = next(c.id for c in services.categories() if c.name == "体育活动")
    nothing = client.get(f"/calendar/feed.ics?category={empty}")
    assert nothing.status_code == 200 and b"BEGIN:VCALENDAR" in nothing.data
    assert b"BEGIN:VEVENT" not in nothing.data


def test_store_feeds_command_fills_missing_rows_once(app, runner, make_event):
    first, second = make_event(title="甲"), make_event(title="乙", day=next_weekday(2))
    with app.app_context():
        _db.session.execute(delete(CalendarVevent))
        _db.session.commit()
    result = runner.invoke(args=["calendar", "store-feeds"])
    assert result.exit_code == 0 and "stored the VEVENTs of 2 event(s)" in result.output
    assert stored(app, first) and stored(app, second)
    assert "of 0 event(s)" in runner.invoke(args=["calendar", "store-feeds"]).output


def test_a_series_with_no_date_in_the_window_is_left_out(app, client, make_event):
    """Its span covers the window, but its dates fall before and after it."""
    from tests.plugins.calendar.conftest import local

    first = datetime.now(UTC).date() - timedelta(days=300)
    make_event(
        title="两年一次",
        freq="monthly",
        interval=24,
        count=2,
        start_at=local(first),
        end_at=local(first, 21, 0),
    )
    kept = make_event(title="每周一次", freq="weekly", weekdays="1", count=4)
    body = client.get("/calendar/feed.ics").data
    assert "两年一次".encode() not in body and "每周一次".encode() in body
    with app.app_context():
        uid = _db.session.get(CalendarEvent, kept).uid
    assert f"UID:{uid}".encode() in body


def test_a_worker_keeps_one_feed_body_per_filter(app, client, make_event):
    event_id = make_event()
    client.get("/calendar/feed.ics")
    edit(app, event_id, venue="换了地方")
    assert "换了地方".encode() in client.get("/calendar/feed.ics").data
    with app.app_context():
        kept = [k for k in feed_cache()._items if k.startswith("calendar:feed:public:")]
    assert kept == ["calendar:feed:public:None:None"]


def test_a_feed_too_big_to_keep_is_streamed_in_batches_byte_for_byte(
    app, client, make_event, monkeypatch
):
    from plugins.calendar import store

    ids = [make_event(title=f"夜校{n}", day=next_weekday(n % 7)) for n in range(5)]
    kept = client.get("/calendar/feed.ics")
    assert int(kept.headers["Content-Length"]) == len(kept.data)  # sent whole, from memory
    forget_cache(app)
    reads: list[int] = []
    real = store.iter_bodies

    def counting(selection, batch=store.READ_BATCH):
        for chunk in real(selection, batch=2):
            reads.append(len(chunk))
            yield chunk

    monkeypatch.setattr(store, "iter_bodies", counting)
    app.config["CALENDAR_FEED_CACHE_EVENTS"] = 4  # five events: more than a worker keeps
    streamed = client.get("/calendar/feed.ics")
    assert "Content-Length" not in streamed.headers and streamed.data == kept.data
    assert len(reads) == 3  # 2 + 2 + 1 events, one query each, never the whole feed at once
    assert (streamed.headers["ETag"], streamed.headers["Last-Modified"]) == (
        kept.headers["ETag"],
        kept.headers["Last-Modified"],
    )
    with app.app_context():
        assert not [k for k in feed_cache()._items if k.startswith("calendar:feed:public:")]
    revalidated = client.get("/calendar/feed.ics", headers={"If-None-Match": kept.headers["ETag"]})
    assert revalidated.status_code == 304
    edit(app, ids[0], venue="换了地方")
    assert "换了地方".encode() in client.get("/calendar/feed.ics").data
