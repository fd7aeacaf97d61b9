"""Check-in only when it is real: the window, the per-minute QR code, registration, late entry."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from core import signals
from core.extensions import db as _db
from core.models import AuditLog
from core.timeutil import utcnow
from plugins.calendar import attendance, checkin, recurrence, services
from plugins.calendar.models import CalendarAttendance, CalendarEvent, CalendarRegistration
from plugins.calendar.registration import RegistrationError
from plugins.credits.models import CreditEntry
from tests.conftest import log_in
from tests.plugins.calendar.conftest import local, next_weekday, running_now


def key_of(app, event_id) -> str:
    with app.app_context():
        event = _db.session.get(CalendarEvent, event_id)
        return recurrence.find_occurrence(event, event.start_at).key


def rows(app, model=CalendarAttendance) -> int:
    with app.app_context():
        return _db.session.scalar(select(func.count(model.id)))


def seat(app, event_id, user_id) -> None:
    """A confirmed registration written directly (the form refuses one for a past date)."""
    with app.app_context():
        event = _db.session.get(CalendarEvent, event_id)
        _db.session.add(
            CalendarRegistration(event_id=event.id, original_start=event.start_at, user_id=user_id)
        )
        _db.session.commit()


def test_window_opens_and_closes_around_the_occurrence(app, make_event, make_user):
    day = next_weekday(1)
    event_id = make_event(day=day)  # 19:30 to 21:00 local
    people = [make_user() for _ in range(4)]
    with app.app_context():
        event = _db.session.get(CalendarEvent, event_id)
        occ = recurrence.find_occurrence(event, event.start_at)
        start, end = local(day), local(day, 21, 0)
        minute = timedelta(minutes=1)

        def attempt(user_id, at):
            return attendance.check_in(event, occ, user_id=user_id, method="rollcall", now=at)

        with pytest.raises(RegistrationError, match="签到还没有开始"):
            attempt(people[0], start - 60 * minute - minute)
        with pytest.raises(RegistrationError, match="签到已经结束"):
            attempt(people[0], end + 60 * minute + minute)
        first, created = attempt(people[0], start - 59 * minute)
        assert created and first.created_at == start - 59 * minute  # the real time is kept
        assert attempt(people[1], end + 59 * minute)[1]
        # Staff with a reason: after the window yes, before it never.
        late, _made = attendance.check_in(
            event, occ, user_id=people[2], late_reason="纸质签到册", now=end + timedelta(days=1)
        )
        assert late.late_reason == "纸质签到册"
        with pytest.raises(RegistrationError, match="签到还没有开始"):
            attendance.check_in(
                event, occ, user_id=people[3], late_reason="提前", now=start - timedelta(days=1)
            )
        # The event's own minutes override the site's.
        event.checkin_opens_before, event.checkin_closes_after = 10, 0
        with pytest.raises(RegistrationError, match="签到还没有开始"):
            attempt(people[3], start - 11 * minute)
        with pytest.raises(RegistrationError, match="签到已经结束"):
            attempt(people[3], end + minute)
        assert attempt(people[3], start - 9 * minute)[1]


def test_site_setting_moves_the_default_window(make_app, app, make_event):
    event_id = make_event()
    strict = make_app(
        CALENDAR_CHECKIN_OPENS_MINUTES_BEFORE=15, CALENDAR_CHECKIN_CLOSES_MINUTES_AFTER=5
    )
    with strict.app_context():
        event = _db.session.get(CalendarEvent, event_id)
        occ = recurrence.find_occurrence(event, event.start_at)
        span = checkin.window(event, occ)
        assert span.opens == occ.start - timedelta(minutes=15)
        assert span.closes == occ.end + timedelta(minutes=5)


def test_day_early_and_day_late_are_refused_everywhere(app, client, make_event, make_user, town):
    heard = []
    signals.connect(signals.attendance_recorded, heard.append, app)
    tomorrow = utcnow() + timedelta(days=1)
    yesterday = utcnow() - timedelta(days=1)
    early = make_event(start_at=tomorrow, end_at=tomorrow + timedelta(hours=2))
    late = make_event(start_at=yesterday - timedelta(hours=2), end_at=yesterday)
    resident = make_user()
    coordinator = make_user("village_coordinator", town.village_a_id)
    for event_id, message in ((early, "签到还没有开始"), (late, "签到已经结束")):
        seat(app, event_id, resident)
        key = key_of(app, event_id)
        with app.app_context():
            reg_id = _db.session.scalar(
                select(CalendarRegistration.id).where(CalendarRegistration.event_id == event_id)
            )
            code = checkin.code_at(event_id, key)
        base = f"/calendar/e/{event_id}/{key}"
        log_in(client, app, resident)
        scan = client.get(f"{base}/checkin?code={code}").get_data(as_text=True)
        assert message in scan and "确认签到" not in scan
        posted = client.post(f"{base}/checkin", data={"code": code}).get_data(as_text=True)
        assert message in posted
        log_in(client, app, coordinator)
        ticked = client.post(f"{base}/people/{reg_id}/tick", follow_redirects=True)
        assert message in ticked.get_data(as_text=True)
        walk = client.post(f"{base}/people", data={"walk-name": "赵大爷", "walk-phone": ""})
        assert message in walk.get_data(as_text=True)
    assert rows(app) == 0 and heard == [] and rows(app, CreditEntry) == 0


def test_qr_code_changes_every_minute_and_old_codes_fail(app, client, make_event, login_as):
    event_id = make_event(registration_open=False, **running_now())  # anyone may check in
    key = key_of(app, event_id)
    now = utcnow()
    with app.app_context():
        code = checkin.code_at(event_id, key, now)
        assert checkin.code_at(event_id, key, now + timedelta(minutes=1)) != code
        assert checkin.code_is_fresh(event_id, key, code, now + timedelta(seconds=59))
        assert not checkin.code_is_fresh(event_id, key, code, now + timedelta(seconds=120))
        assert not checkin.code_is_fresh(event_id, key, "签到", now)  # not ASCII: no error
        photo = checkin.code_at(event_id, key, now - timedelta(hours=1))
    login_as("resident")
    base = f"/calendar/e/{event_id}/{key}/checkin"
    for attempt in (client.get(f"{base}?code={photo}"), client.post(base, data={"code": photo})):
        assert attempt.status_code == 400
        assert "二维码已经过期或无效" in attempt.get_data(as_text=True)
    assert rows(app) == 0


def test_qr_screen_shows_the_current_code_and_refreshes(app, client, make_event, login_as, town):
    open_now = make_event(**running_now())
    later = make_event()  # next week
    login_as("village_coordinator", town.village_a_id)
    page = client.get(f"/calendar/e/{open_now}/{key_of(app, open_now)}/qr")
    html = page.get_data(as_text=True)
    assert '<meta http-equiv="refresh" content="20">' in html
    assert 'src="data:image/svg+xml' in html and "no-store" in page.headers["Cache-Control"]
    waiting = client.get(f"/calendar/e/{later}/{key_of(app, later)}/qr").get_data(as_text=True)
    assert "签到还没有开始" in waiting and "data:image/svg+xml" not in waiting
    svg = client.get(f"/calendar/e/{open_now}/{key_of(app, open_now)}/qr.svg")
    assert "no-store" in svg.headers["Cache-Control"]


def test_anonymous_scan_keeps_a_short_pass_through_log_in(app, client, make_event, make_user):
    event_id = make_event(registration_open=False, **running_now())
    key = key_of(app, event_id)
    base = f"/calendar/e/{event_id}/{key}/checkin"
    with app.app_context():
        code = checkin.code_at(event_id, key)
    response = client.get(f"{base}?code={code}")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    log_in(client, app, make_user())
    assert "确认签到" in client.get(base).get_data(as_text=True)  # no code: the pass serves
    with client.session_transaction() as session:  # eleven minutes later the pass is gone
        session["calendar_checkin_pass"]["at"] -= 11 * 60
        session.modified = True
    assert client.post(base).status_code == 400 and rows(app) == 0
    with client.session_transaction() as session:
        session["calendar_checkin_pass"]["at"] += 11 * 60
        session.modified = True
    assert "签到成功" in client.post(base).get_data(as_text=True)
    assert rows(app) == 1


def test_self_checkin_needs_a_seat_unless_the_event_admits_walk_ins(
    app, client, make_event, make_user
):
    strict = make_event(capacity=1, **running_now())
    open_door = make_event(walk_ins=True, **running_now())
    seated, waiting, stranger = make_user(), make_user(), make_user()
    key = key_of(app, strict)
    for person in (seated, waiting):
        log_in(client, app, person)
        client.post(f"/calendar/e/{strict}/{key}/register")

    def scan(event_id, person):
        event_key = key_of(app, event_id)
        with app.app_context():
            code = checkin.code_at(event_id, event_key)
        log_in(client, app, person)
        url = f"/calendar/e/{event_id}/{event_key}/checkin"
        return client.post(url, data={"code": code}).get_data(as_text=True)

    assert "您没有报名这次活动" in scan(strict, stranger)
    assert "候补名单" in scan(strict, waiting)
    assert rows(app) == 0
    assert "签到成功" in scan(strict, seated)
    assert "签到成功" in scan(open_door, stranger)  # walk-ins admitted by the event
    assert rows(app) == 2


def test_late_entry_needs_the_manage_permission_and_a_reason(
    app, client, make_event, make_user, town
):
    heard = []
    signals.connect(signals.attendance_recorded, heard.append, app)
    ended = utcnow() - timedelta(days=1)
    event_id = make_event(start_at=ended - timedelta(hours=2), end_at=ended)
    key = key_of(app, event_id)
    came, absent = make_user(), make_user()
    for person in (came, absent):
        seat(app, event_id, person)
    with app.app_context():
        reg_id = _db.session.scalar(
            select(CalendarRegistration.id).where(CalendarRegistration.user_id == came)
        )
    url = f"/calendar/e/{event_id}/{key}/people"
    log_in(client, app, make_user("counsellor", town.village_a_id))  # roll call, not manage
    page = client.get(url).get_data(as_text=True)
    assert "只有活动管理人员可以补录签到" in page and "late-reason" not in page
    assert (
        client.post(
            url, data={"late-registrations": [reg_id], "late-reason": "纸质签到册"}
        ).status_code
        == 403
    )
    log_in(client, app, make_user("village_coordinator", town.village_b_id))
    assert (
        client.post(url, data={"late-registrations": [reg_id], "late-reason": "x"}).status_code
        == 403
    )
    log_in(client, app, make_user("village_coordinator", town.village_a_id))
    no_reason = client.post(url, data={"late-registrations": [reg_id], "late-reason": ""})
    assert "补录签到需要填写原因" in no_reason.get_data(as_text=True) and rows(app) == 0
    client.post(url, data={"late-registrations": [reg_id], "late-reason": "根据纸质签到册补录"})
    client.post(url, data={"latewalk-name": "赵大爷", "latewalk-reason": "纸质签到册第 2 页"})
    with app.app_context():
        entered = _db.session.scalars(
            select(CalendarAttendance).order_by(CalendarAttendance.id)
        ).all()
        assert [(a.user_id, a.walk_in_name, a.late_reason) for a in entered] == [
            (came, None, "根据纸质签到册补录"),
            (None, "赵大爷", "纸质签到册第 2 页"),
        ]
        assert all(a.created_at > ended for a in entered)  # typed in now, and says so
        audits = _db.session.scalars(
            select(AuditLog.summary).where(AuditLog.action == "calendar.attendance_late_recorded")
        ).all()
        assert len(audits) == 2 and "根据纸质签到册补录" in audits[0]
        event = _db.session.get(CalendarEvent, event_id)
        start = event.start_at
        credit = _db.session.scalar(select(CreditEntry).where(CreditEntry.user_id == came))
        assert credit.occurred_at == start  # dated when the class was, not when typed in
    assert heard[0].recorded_at == entered[0].created_at and heard[0].occurrence_start == start


def test_other_village_coordinator_cannot_check_in(app, client, make_event, make_user, town):
    event_id = make_event(**running_now())
    key = key_of(app, event_id)
    resident = make_user()
    log_in(client, app, resident)
    client.post(f"/calendar/e/{event_id}/{key}/register")
    with app.app_context():
        reg_id = _db.session.scalar(select(CalendarRegistration.id))
        event = _db.session.get(CalendarEvent, event_id)
        occ = recurrence.find_occurrence(event, event.start_at)
        record, _made = attendance.check_in(event, occ, walk_in_name="甲村人")
        _db.session.commit()
        attendance_id = record.id
    log_in(client, app, make_user("village_coordinator", town.village_b_id))
    base = f"/calendar/e/{event_id}/{key}"
    assert client.post(f"{base}/people/{reg_id}/tick").status_code == 403
    assert client.post(f"{base}/people", data={"walk-name": "乙村人"}).status_code == 403
    assert client.post(f"{base}/attendance/{attendance_id}/undo").status_code == 403
    assert client.get(f"{base}/qr").status_code == 403
    with app.app_context():
        assert attendance.attendance_count(event_id) == 1


def test_moved_occurrence_counts_for_its_real_start(app, make_event, make_user):
    heard = []
    signals.connect(signals.attendance_recorded, heard.append, app)
    first = utcnow() - timedelta(days=2)
    event_id = make_event(start_at=first, end_at=first + timedelta(hours=1), freq="daily", count=5)
    person = make_user()
    with app.app_context():
        event = _db.session.get(CalendarEvent, event_id)
        original = recurrence.all_original_starts(event)[2]  # today's date
        moved = original + timedelta(hours=3)
        services.edit_occurrence(event, original, moved, moved + timedelta(hours=1), None, None)
        _db.session.commit()
        occ = recurrence.find_occurrence(event, original)
        attendance.check_in(event, occ, user_id=person, now=moved)
        _db.session.commit()
    assert heard[0].occurrence_start == moved


def test_event_form_saves_the_checkin_settings(app, client, town, login_as):
    from tests.plugins.calendar.test_events import form

    login_as("village_coordinator", town.village_a_id)
    bad = client.post(
        "/calendar/new", data=form(app, town, checkin_opens_before="5000", freq="none")
    )
    assert "请填写 0 到 1440 之间的分钟数" in bad.get_data(as_text=True)
    client.post(
        "/calendar/new",
        data=form(
            app,
            town,
            freq="none",
            walk_ins="y",
            checkin_opens_before="15",
            checkin_closes_after="",
        ),
    )
    with app.app_context():
        event = _db.session.scalar(select(CalendarEvent))
        assert (event.walk_ins, event.checkin_opens_before, event.checkin_closes_after) == (
            True,
            15,
            None,
        )
        event_id = event.id
    page = client.get(f"/calendar/e/{event_id}/edit").get_data(as_text=True)
    assert 'name="checkin_opens_before"' in page and 'value="15"' in page


def test_an_undone_check_in_can_be_made_again(app, client, make_event, make_user, town):
    heard = []
    signals.connect(signals.attendance_recorded, heard.append, app)
    event_id = make_event(**running_now())
    key = key_of(app, event_id)
    person = make_user()
    seat(app, event_id, person)
    with app.app_context():
        reg_id = _db.session.scalar(select(CalendarRegistration.id))
    log_in(client, app, make_user("village_coordinator", town.village_a_id))
    base = f"/calendar/e/{event_id}/{key}"
    client.post(f"{base}/people/{reg_id}/tick")
    with app.app_context():
        attendance_id = _db.session.scalar(select(CalendarAttendance.id))
    client.post(f"{base}/attendance/{attendance_id}/undo")
    client.post(f"{base}/people/{reg_id}/tick")  # ticked by mistake, undone, then really here
    with app.app_context():
        row = _db.session.get(CalendarAttendance, attendance_id)
        assert row.revoked_at is None and row.revoke_reason is None
        assert attendance.attendance_count(event_id) == 1 and rows(app) == 1
        balance = _db.session.scalar(
            select(func.sum(CreditEntry.amount)).where(CreditEntry.user_id == person)
        )
        first = _db.session.scalar(
            select(CreditEntry.amount).where(CreditEntry.user_id == person).limit(1)
        )
    assert len(heard) == 2 and balance == first  # credited, reversed, credited again
