"""Issue 14 on the calendar: other plugins' entries show their label (never a key), link only
where the viewer may go, show a multi-day span as dates; weeks and the noticeboard start today."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from core.extensions import db as _db
from core.hookspecs import hookimpl
from core.hooktypes import CalendarEntry
from core.plugins import Plugin
from core.timeutil import local_zone, utcnow
from core.web import time_span
from plugins.calendar.models import CalendarEvent
from tests.conftest import log_in
from tests.plugins.calendar.conftest import parse
from tests.plugins.calendar.test_registration import first_key


def _today() -> date:
    return utcnow().astimezone(local_zone()).date()


class LabelledEntries(Plugin):
    """A contest open for five weeks, a shift and a session whose page is not for everyone."""

    name = "labelstest"
    title = "labels"

    @hookimpl
    def calendar_entries(self, start, end, viewer, personal):
        opens = datetime.combine(_today() - timedelta(days=3), datetime.min.time()).replace(
            hour=10, minute=56, tzinfo=UTC
        )
        soon = opens + timedelta(days=4)
        return [
            CalendarEntry(
                uid="labelstest-contest@x",
                source="labelstest",
                title="防诈骗知识竞赛",
                start=opens,
                end=opens + timedelta(days=33),
                url="/competitions/1",
                category="knowledge_contest",
                category_label="知识竞赛",
                colour="#8a3b12",
            ),
            CalendarEntry(
                uid="labelstest-session@x",
                source="labelstest",
                title="调解活动",
                start=soon,
                end=soon + timedelta(hours=2),
                url="",
                category="mediation",
                category_label="人民调解",
                colour="#5a3d8a",
            ),
        ]


def test_labels_links_and_spans_of_other_plugins_entries(make_app):
    app = make_app(extra_plugins=[LabelledEntries()])
    client = app.test_client()
    for url in ("/calendar/", "/calendar/week", "/calendar/month", "/calendar/board", "/"):
        html = client.get(url).get_data(as_text=True)
        assert "knowledge_contest" not in html and "mediation" not in html, url
        assert 'href=""' not in html, url
        if url != "/":
            assert "防诈骗知识竞赛" in html, url  # still listed although it began days ago
    agenda = client.get("/calendar/").get_data(as_text=True)
    assert "知识竞赛" in agenda and "人民调解" in agenda
    opens = datetime.combine(_today() - timedelta(days=3), datetime.min.time())
    first = opens.replace(hour=10, minute=56, tzinfo=UTC)
    span = f"{first.astimezone(local_zone()):%-m月%-d日 %H:%M} – "
    assert span in agenda  # the contest's dates, not "18:56–18:56"
    assert "cat-c8a3b12" in agenda  # its own colour ...
    assert ".cat-c8a3b12{border-left-color:#8a3b12" in client.get(
        "/calendar/categories.css"
    ).get_data(as_text=True)  # ... defined for the page
    [contest] = [
        v
        for v in parse(client.get("/calendar/feed.ics").data).walk("VEVENT")
        if "竞赛" in v["SUMMARY"]
    ]
    assert contest["CATEGORIES"].cats == ["知识竞赛"]


def test_time_span_reads_as_people_expect(app):
    with app.test_request_context():
        start = datetime(2026, 11, 26, 10, 56, tzinfo=UTC)  # 18:56 in Shanghai
        assert time_span(start, start + timedelta(days=33)) == "2026-11-26 18:56 – 2026-12-29 18:56"
        assert time_span(start, start + timedelta(hours=2), date_pattern="") == "18:56–20:56"
        assert time_span(start, start + timedelta(days=33), date_pattern="") == (
            "11月26日 18:56 – 12月29日 18:56"
        )
        midnight = datetime(2026, 11, 29, 16, 0, tzinfo=UTC)  # 00:00 on the 30th
        assert time_span(midnight, midnight + timedelta(days=1), True, "") == "全天"
        assert time_span(midnight, midnight + timedelta(days=2), True) == (
            "2026-11-30 – 2026-12-01"
        )


def test_week_and_noticeboard_start_today_and_say_which_days(make_app):
    app = make_app(plugins="calendar")
    client = app.test_client()
    today = _today()
    last = today + timedelta(days=6)
    for endpoint in ("/calendar/week", "/calendar/board"):
        html = client.get(endpoint).get_data(as_text=True)
        assert f"{today.year}年{today.month}月{today.day}日" in html, endpoint
        assert f"{last.month}月{last.day}日" in html, endpoint
        assert f"start={(today - timedelta(days=7)).isoformat()}" in html  # 上一周
        assert f"start={(today + timedelta(days=7)).isoformat()}" in html  # 下一周
        later = client.get(f"{endpoint}?start={(today + timedelta(days=7)).isoformat()}")
        assert "从今天起" in later.get_data(as_text=True)


def test_my_events_show_dates_and_a_full_event_offers_the_waiting_list(
    app, client, make_event, make_user
):
    event_id = make_event(capacity=1, registration_open=True)
    key = first_key(app, event_id)
    first, second = make_user(), make_user()
    log_in(client, app, first)
    assert "我要报名" in client.get(f"/calendar/e/{event_id}/{key}").get_data(as_text=True)
    client.post(f"/calendar/e/{event_id}/{key}/register")
    mine = client.get("/calendar/mine").get_data(as_text=True)
    with app.app_context():
        start = _db.session.get(CalendarEvent, event_id).start_at
    day = start.astimezone(local_zone())
    assert f"{day.month}月{day.day}日" in mine  # the date, not only "19:30–21:00"
    log_in(client, app, second)
    full = client.get(f"/calendar/e/{event_id}/{key}").get_data(as_text=True)
    assert "报名候补" in full and "我要报名" not in full
