"""Creating and editing events through the forms: bad input, permissions, series operations."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from core.extensions import db as _db
from core.models import AuditLog
from plugins.calendar import recurrence, services
from plugins.calendar.models import CalendarEvent
from tests.conftest import log_in
from tests.plugins.calendar.conftest import next_weekday


def form(app, town, **changes) -> dict:
    with app.app_context():
        cats = {c.name: c.id for c in services.ensure_categories()}
        _db.session.commit()
    day = next_weekday(1)
    data = {
        "title": "善书堂干部夜校",
        "category_id": cats["干部夜校"],
        "org_unit_id": town.village_a_id,
        "venue": "",
        "description": "**重点**：学习<script>alert(1)</script>",
        "markdown": "y",
        "start_date": day.isoformat(),
        "start_time": "19:30",
        "end_date": day.isoformat(),
        "end_time": "21:00",
        "freq": "weekly",
        "interval": "1",
        "weekdays": ["1"],
        "count": "10",
        "until": "",
        "capacity": "30",
        "registration_open": "y",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def events(app) -> int:
    with app.app_context():
        return _db.session.scalar(select(func.count(CalendarEvent.id)))


def test_coordinator_creates_weekly_series(app, client, town, login_as):
    login_as("village_coordinator", town.village_a_id)
    response = client.post("/calendar/new", data=form(app, town))
    assert response.status_code == 302
    with app.app_context():
        event = _db.session.scalar(select(CalendarEvent))
        assert event.venue == "甲村学习中心" and event.freq == "weekly"
        assert len(recurrence.all_original_starts(event)) == 10
        assert _db.session.scalar(select(AuditLog.action)) == "calendar.event_created"
        event_id = event.id
    page = client.get(f"/calendar/e/{event_id}", follow_redirects=True).get_data(as_text=True)
    assert "<strong>重点</strong>" in page and "<script>alert" not in page


def test_coordinator_cannot_create_for_other_village(app, client, town, login_as):
    login_as("village_coordinator", town.village_a_id)
    response = client.post("/calendar/new", data=form(app, town, org_unit_id=town.village_b_id))
    assert response.status_code == 200 and events(app) == 0
    login_as("resident")
    assert client.get("/calendar/new").status_code == 403


def test_bad_input_is_refused_with_chinese_messages(app, client, town, login_as):
    login_as("programme_manager", town.town_id)
    day = next_weekday(1)
    cases = [
        (
            {"end_date": (day - timedelta(days=1)).isoformat(), "freq": "none"},
            "结束时间不能早于开始时间",
        ),
        ({"count": "100000"}, "最多 500 次"),
        ({"count": "", "until": ""}, "请填写重复次数或结束日期"),
        ({"count": "", "until": (day - timedelta(days=10)).isoformat()}, "没有产生任何一次活动"),
        (
            {"start_date": "1900-01-01", "end_date": "1900-01-01", "freq": "none"},
            "2000 年到 2100 年",
        ),
        (
            {"start_date": "2200-01-01", "end_date": "2200-01-01", "freq": "none"},
            "2000 年到 2100 年",
        ),
        ({"title": "长" * 10000}, "最多 120 个字"),
        ({"title": ""}, "此项必填"),
        ({"start_date": "not-a-date"}, "正确的日期"),
        ({"interval": "0"}, "间隔应在 1 到 99 之间"),
        ({"capacity": "-3"}, "名额应在"),
    ]
    for changes, message in cases:
        response = client.post("/calendar/new", data=form(app, town, **changes))
        assert response.status_code == 200, changes
        assert message in response.get_data(as_text=True), changes
    assert events(app) == 0
    assert client.post("/calendar/new", data=form(app, town), csrf=False).status_code == 400
    assert events(app) == 0


def test_control_characters_and_emoji(app, client, town, login_as):
    login_as("programme_manager", town.town_id)
    client.post("/calendar/new", data=form(app, town, title="夜校\x00\x1b 🌾", freq="none"))
    with app.app_context():
        assert _db.session.scalar(select(CalendarEvent.title)) == "夜校 🌾"


def test_cancel_move_and_split_through_views(app, client, town, make_event, make_user):
    event_id = make_event(freq="weekly", weekdays="1", count=6)
    with app.app_context():
        starts = recurrence.all_original_starts(_db.session.get(CalendarEvent, event_id))
    keys = [
        recurrence.Occurrence(uid="", title="", start=s, end=s, original_start=s).key
        for s in starts
    ]
    log_in(client, app, make_user("village_coordinator", town.village_a_id))
    assert (
        client.post(f"/calendar/e/{event_id}/{keys[1]}/cancel", data={"reason": ""}).status_code
        == 200
    )
    client.post(f"/calendar/e/{event_id}/{keys[1]}/cancel", data={"reason": "停电"})
    page = client.get(f"/calendar/e/{event_id}/{keys[1]}").get_data(as_text=True)
    assert "【已取消】" in page and "停电" in page
    moved = recurrence.local_naive(starts[2]) + timedelta(days=1)
    client.post(
        f"/calendar/e/{event_id}/{keys[2]}/edit",
        data={
            "start_date": moved.date().isoformat(),
            "start_time": "18:00",
            "end_date": moved.date().isoformat(),
            "end_time": "20:00",
            "title": "",
            "venue": "村委会",
            "scope": "this",
        },
    )
    with app.test_request_context():
        event = _db.session.get(CalendarEvent, event_id)
        occ = recurrence.find_occurrence(event, starts[2])
        assert occ.venue == "村委会" and recurrence.local_naive(occ.start).hour == 18
    later = recurrence.local_naive(starts[4]) + timedelta(days=1)
    response = client.post(
        f"/calendar/e/{event_id}/{keys[4]}/edit",
        data={
            "start_date": later.date().isoformat(),
            "start_time": "20:00",
            "end_date": later.date().isoformat(),
            "end_time": "21:30",
            "title": "夜校（周三）",
            "venue": "",
            "scope": "following",
        },
    )
    assert response.status_code == 302
    with app.app_context():
        old = _db.session.get(CalendarEvent, event_id)
        new = _db.session.scalar(select(CalendarEvent).where(CalendarEvent.id != event_id))
        assert len(recurrence.all_original_starts(old)) == 4
        assert len(recurrence.all_original_starts(new)) == 2
        assert recurrence.local_naive(new.start_at).weekday() == later.weekday()
        assert new.uid != old.uid
    # Pause the rest of the old series: its occurrences disappear from the agenda.
    pause_day = recurrence.local_naive(starts[3]).date()
    backwards = client.post(
        f"/calendar/e/{event_id}/pauses",
        data={
            "first_day": pause_day.isoformat(),
            "last_day": (pause_day - timedelta(days=2)).isoformat(),
        },
    )
    assert "暂停的结束日期不能早于开始日期。" in backwards.get_data(as_text=True)
    client.post(
        f"/calendar/e/{event_id}/pauses",
        data={
            "first_day": pause_day.isoformat(),
            "last_day": pause_day.isoformat(),
            "reason": "农忙",
        },
    )
    with app.app_context():
        old = _db.session.get(CalendarEvent, event_id)
        assert len(old.pauses) == 1
        assert len(recurrence.all_original_starts(old)) == 3
    log_in(client, app, make_user("village_coordinator", town.village_b_id))
    assert (
        client.post(f"/calendar/e/{event_id}/{keys[0]}/cancel", data={"reason": "x"}).status_code
        == 403
    )
    assert (
        client.post(
            f"/calendar/e/{event_id}/pauses",
            data={"first_day": "2030-01-01", "last_day": "2030-01-02"},
        ).status_code
        == 403
    )


def test_members_only_event_is_hidden(app, client, town, make_event, make_user):
    event_id = make_event(title="党员学习", members_only=True)
    assert "党员学习" not in client.get("/calendar/").get_data(as_text=True)
    assert client.get(f"/calendar/e/{event_id}").status_code == 404
    assert "党员学习".encode() not in client.get("/calendar/feed.ics").data
    log_in(client, app, make_user("resident", town.village_a_id))
    assert "党员学习" in client.get("/calendar/").get_data(as_text=True)
    log_in(client, app, make_user("resident", town.village_b_id))
    assert client.get(f"/calendar/e/{event_id}").status_code == 404


def test_filters_survive_in_links(client, town, make_event):
    make_event()
    page = client.get(f"/calendar/?village={town.village_a_id}").get_data(as_text=True)
    assert f"/calendar/month?village={town.village_a_id}" in page
    assert client.get("/calendar/?start=1900-01-01&village=abc").status_code == 200
    assert client.get("/calendar/month?month=2200-13").status_code == 200


def test_categories_managed_by_manager_only(app, client, town, login_as):
    login_as("village_coordinator", town.village_a_id)
    assert client.get("/calendar/categories").status_code == 403
    login_as("programme_manager", town.town_id)
    assert (
        client.post("/calendar/categories", data={"name": "读书会", "colour": "red"}).status_code
        == 200
    )
    client.post("/calendar/categories", data={"name": "读书会", "colour": "#123456", "active": "y"})
    css = client.get("/calendar/categories.css").get_data(as_text=True)
    assert "#123456" in css


def test_every_problem_of_the_event_form_shows_at_once(app, client, town, login_as):
    login_as("village_coordinator", town.village_a_id)
    yesterday = next_weekday(1) - timedelta(days=14)  # one to seven days ago
    data = form(
        app,
        town,
        title="",
        start_date=yesterday.isoformat(),
        end_date=(yesterday - timedelta(days=1)).isoformat(),
        count="",
        capacity="-3",
    )
    page = client.post("/calendar/new", data=data).get_data(as_text=True)
    for message in (
        "此项必填",
        "结束时间不能早于开始时间",
        "开始日期已经过去。补记办过的活动请勾选“这是过去活动的补录”。",
        "请填写重复次数或结束日期",
        "名额应在 1 到 10000 之间",
    ):
        assert message in page, message
    assert events(app) == 0


def test_a_past_event_is_saved_only_as_a_record_of_a_past_activity(app, client, town, login_as):
    login_as("village_coordinator", town.village_a_id)
    past = next_weekday(1) - timedelta(days=21)
    dates = {"start_date": past.isoformat(), "end_date": past.isoformat(), "freq": "none"}
    page = client.post("/calendar/new", data=form(app, town, **dates)).get_data(as_text=True)
    assert "这是过去活动的补录" in page and events(app) == 0
    response = client.post("/calendar/new", data=form(app, town, past_record="y", **dates))
    assert response.status_code == 302 and events(app) == 1
    with app.app_context():
        assert _db.session.scalar(select(AuditLog.summary)) == "补录过去活动「善书堂干部夜校」"
        event_id = _db.session.scalar(select(CalendarEvent.id))
    # editing an event that already happened is a correction, not a new past event
    edit = form(app, town, title="善书堂干部夜校（改）", **dates)
    assert client.post(f"/calendar/e/{event_id}/edit", data=edit).status_code == 302
