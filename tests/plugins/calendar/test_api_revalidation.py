"""The API agenda answers a revalidation from the calendar's versions, before any list work."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from core.extensions import db as _db
from core.hookspecs import hookimpl
from core.hooktypes import CalendarEntry
from core.models import OrgUnit, User
from core.plugins import Plugin
from tests.api_helpers import bearer
from tests.plugins.calendar.conftest import next_weekday

AGENDA = "/api/v1/calendar/agenda?days=14&per_page=50"
PLUGIN_TABLES = ("calendar_event", "calendar_occurrence", "calendar_category", "volunteers_")


def test_the_304_reads_only_the_versions(app, client, make_event, make_user, sql_statements):
    make_event(title="干部夜校")
    first = client.get(AGENDA)
    with sql_statements() as seen:
        again = client.get(AGENDA, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    assert len(seen) == 1 and "calendar_source_version" in seen[0]
    with sql_statements() as seen:  # the same page again: the body kept under its tag
        repeat = client.get(AGENDA)
    assert repeat.status_code == 200 and repeat.data == first.data and len(seen) == 1
    assert repeat.headers["ETag"] == first.headers["ETag"]
    assert repeat.get_json()["items"][0]["title"] == "干部夜校"
    headers = bearer(app, make_user())
    mine = client.get(AGENDA, headers=headers)
    with sql_statements() as seen:
        again = client.get(AGENDA, headers={**headers, "If-None-Match": mine.headers["ETag"]})
    assert again.status_code == 304 and again.cache_control.private
    plugin_reads = [s for s in seen if any(t in s for t in PLUGIN_TABLES)]
    assert plugin_reads == []
    assert len([s for s in seen if "calendar_source_version" in s]) == 1


def test_an_event_change_or_another_page_changes_the_etag(app, client, make_event):
    event_id = make_event(title="干部夜校")
    etag = client.get(AGENDA).headers["ETag"]
    assert client.get(AGENDA + "&page=2").headers["ETag"] != etag
    assert client.get(AGENDA + "&category=1").headers["ETag"] != etag
    with app.app_context():  # as the edit page saves
        from plugins.calendar import services
        from plugins.calendar.models import CalendarEvent

        event = _db.session.get(CalendarEvent, event_id)
        event.venue = "乙村广场"
        services.touch(event)
        _db.session.commit()
    changed = client.get(AGENDA, headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.get_json()["items"][0]["venue"] == "乙村广场"


def test_members_only_events_are_tagged_per_village(app, client, town, make_event, make_user):
    make_event(title="党员学习", members_only=True)
    member_id = make_user()
    member = bearer(app, member_id)
    outsider = bearer(app, make_user(home_unit_id=town.village_b_id))
    tagged = client.get(AGENDA, headers=member)
    assert [i["title"] for i in tagged.get_json()["items"]] == ["党员学习"]
    etag = {"If-None-Match": tagged.headers["ETag"]}
    assert client.get(AGENDA, headers=etag).status_code == 200  # no token: not the same list
    refused = client.get(AGENDA, headers={**outsider, **etag})
    assert refused.status_code == 200 and refused.get_json()["items"] == []
    with app.app_context():  # the member moves to the other village: the list changes
        _db.session.get(User, member_id).home_unit_id = town.village_b_id
        _db.session.commit()
    moved = client.get(AGENDA, headers={**member, **etag})
    assert moved.status_code == 200 and moved.get_json()["items"] == []


class PopulationEntries(Plugin):
    """Another plugin whose public entry reads a column no other source reads."""

    name = "populationtest"
    title = "population"

    def __init__(self, village_id: int) -> None:
        self.village_id = village_id
        self.calls = 0

    @hookimpl
    def calendar_entry_tables(self):
        return ["org_unit.population"]

    @hookimpl
    def calendar_entries(self, start, end, viewer, personal):
        self.calls += 1
        moment = datetime.combine(next_weekday(2), datetime.min.time()).replace(hour=6, tzinfo=UTC)
        village = _db.session.get(OrgUnit, self.village_id)
        return [
            CalendarEntry(
                uid="populationtest-1@x",
                source="populationtest",
                title=f"人口普查宣讲({village.population}人)",
                start=moment,
                end=moment + timedelta(hours=2),
                org_unit_id=self.village_id,
            )
        ]


def test_another_plugins_entry_changes_the_etag_and_is_not_queried_on_304(make_app, town):
    plugin = PopulationEntries(town.village_a_id)
    app = make_app(extra_plugins=[plugin])
    client = app.test_client()
    with app.app_context():
        _db.session.get(OrgUnit, town.village_a_id).population = 1200
        _db.session.commit()
    first = client.get(AGENDA)
    assert [i["title"] for i in first.get_json()["items"]] == ["人口普查宣讲(1200人)"]
    assert first.get_json()["items"][0]["url"] == ""  # an entry without a page of its own
    calls = plugin.calls
    again = client.get(AGENDA, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and plugin.calls == calls
    with app.app_context():
        _db.session.get(OrgUnit, town.village_a_id).population = 1300
        _db.session.commit()
    changed = client.get(AGENDA, headers={"If-None-Match": first.headers["ETag"]})
    assert changed.status_code == 200
    assert [i["title"] for i in changed.get_json()["items"]] == ["人口普查宣讲(1300人)"]


class UndeclaredEntries(PopulationEntries):
    """The same entry from a plugin that declares no tables: queried on every request."""

    name = "undeclaredtest"
    calendar_entry_tables = None


def test_an_undeclared_plugin_is_queried_and_tagged_by_the_values(make_app, town):
    plugin = UndeclaredEntries(town.village_a_id)
    app = make_app(extra_plugins=[plugin])
    client = app.test_client()
    first = client.get(AGENDA)
    again = client.get(AGENDA, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and plugin.calls == 2
