"""Registration, waiting list, 代报名, check-in (signals once), roll call, sign-in sheet."""

from __future__ import annotations

import io
from datetime import timedelta
from functools import partial

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from core import signals
from core.extensions import db as _db
from core.models import Notification
from core.timeutil import utcnow
from plugins.calendar import attendance, checkin, recurrence, registration, services
from plugins.calendar.models import CalendarAttendance, CalendarEvent, CalendarRegistration
from tests.conftest import CONFIRMED, log_in
from tests.plugins.calendar.conftest import running_now
from tests.threads import run_together


def first_key(app, event_id) -> str:
    with app.app_context():
        event = _db.session.get(CalendarEvent, event_id)
        return recurrence.find_occurrence(event, event.start_at).key


def count(app, model, **where) -> int:
    with app.app_context():
        query = select(func.count(model.id))
        for name, value in where.items():
            query = query.where(getattr(model, name) == value)
        return _db.session.scalar(query)


def test_register_waitlist_and_promotion(app, client, make_event, make_user):
    event_id = make_event(capacity=1)
    key = first_key(app, event_id)
    first, second = make_user(), make_user()
    log_in(client, app, first)
    client.post(f"/calendar/e/{event_id}/{key}/register")
    log_in(client, app, second)
    page = client.post(f"/calendar/e/{event_id}/{key}/register", follow_redirects=True)
    assert "候补" in page.get_data(as_text=True)
    again = client.post(f"/calendar/e/{event_id}/{key}/register", follow_redirects=True)
    assert "您已经报过名了" in again.get_data(as_text=True)
    assert count(app, CalendarRegistration, status="confirmed") == 1
    assert count(app, CalendarRegistration, status="waiting") == 1
    log_in(client, app, first)
    asked = client.post(f"/calendar/e/{event_id}/{key}/unregister")  # one tap: a question
    assert asked.status_code == 200 and "确认取消报名" in asked.get_data(as_text=True)
    assert 'name="confirmed" value="1"' in asked.get_data(as_text=True)
    assert count(app, CalendarRegistration, status="confirmed") == 1  # nothing changed yet
    client.post(f"/calendar/e/{event_id}/{key}/unregister", data=CONFIRMED)
    with app.app_context():
        promoted = _db.session.scalar(
            select(CalendarRegistration).where(CalendarRegistration.user_id == second)
        )
        assert promoted.status == "confirmed"
        note = _db.session.scalar(select(Notification).where(Notification.user_id == second))
        assert note is not None and "候补" in note.subject
    # Registering again after cancelling reuses the row.
    client.post(f"/calendar/e/{event_id}/{key}/register")
    assert count(app, CalendarRegistration, user_id=first, status="waiting") == 1


def test_register_refused_for_cancelled_past_and_closed(app, client, make_event, login_as):
    cancelled = make_event()
    past = make_event(day=utcnow().date() - timedelta(days=7))
    closed = make_event(registration_open=False)
    with app.app_context():
        services.cancel_event(_db.session.get(CalendarEvent, cancelled), "下雨")
        _db.session.commit()
    login_as("resident")
    for event_id, message in ((cancelled, "已取消"), (past, "已经结束"), (closed, "不需要报名")):
        key = first_key(app, event_id)
        page = client.post(f"/calendar/e/{event_id}/{key}/register", follow_redirects=True)
        assert message in page.get_data(as_text=True)
    assert count(app, CalendarRegistration) == 0
    assert (
        client.post(
            f"/calendar/e/{closed}/{first_key(app, closed)}/register", csrf=False
        ).status_code
        == 400
    )
    assert client.post(f"/calendar/e/{closed}/20000101T000000Z/register").status_code == 404
    assert client.post(f"/calendar/e/{closed}/garbage/register").status_code == 404


def test_anonymous_must_log_in(app, client, make_event):
    event_id = make_event()
    response = client.post(f"/calendar/e/{event_id}/{first_key(app, event_id)}/register")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_checkin_signal_once_and_undo(app, client, make_event, login_as, make_user, town):
    event_id = make_event(**running_now())
    key = first_key(app, event_id)
    heard, revoked = [], []
    signals.connect(signals.attendance_recorded, heard.append, app)
    signals.connect(signals.attendance_revoked, revoked.append, app)
    resident = login_as("resident")
    client.post(f"/calendar/e/{event_id}/{key}/register")
    with app.app_context():
        code = checkin.code_at(event_id, key)
    wrong = client.post(f"/calendar/e/{event_id}/{key}/checkin", data={"code": "wrong"})
    assert wrong.status_code == 400 and "过期或无效" in wrong.get_data(as_text=True)
    first = client.post(f"/calendar/e/{event_id}/{key}/checkin", data={"code": code})
    assert "签到成功" in first.get_data(as_text=True)
    second = client.post(f"/calendar/e/{event_id}/{key}/checkin", data={"code": code})
    assert "已经签过到" in second.get_data(as_text=True)
    assert (
        len(heard) == 1
        and heard[0].user_id == resident
        and heard[0].org_unit_id == town.village_a_id
    )
    assert count(app, CalendarAttendance) == 1
    coordinator = make_user("village_coordinator", town.village_a_id)
    log_in(client, app, coordinator)
    with app.app_context():
        attendance_id = _db.session.scalar(select(CalendarAttendance.id))
    client.post(f"/calendar/e/{event_id}/{key}/attendance/{attendance_id}/undo")
    client.post(f"/calendar/e/{event_id}/{key}/attendance/{attendance_id}/undo")  # no twice
    with app.app_context():
        row = _db.session.get(CalendarAttendance, attendance_id)
        assert row.revoked_at is not None and row.revoked_by_id == coordinator  # kept, marked
        assert attendance.attendance_count(event_id) == 0
    assert [p.attendance_id for p in revoked] == [attendance_id]


def test_rollcall_proxy_walkin_and_signin_sheet(app, client, make_event, make_user, town):
    event_id = make_event(capacity=5, **running_now())
    key = first_key(app, event_id)
    heard = []
    signals.connect(signals.attendance_recorded, heard.append, app)
    resident = make_user(name="王大妈", phone="13900001111")
    log_in(client, app, resident)
    client.post(f"/calendar/e/{event_id}/{key}/register")
    coordinator = make_user("village_coordinator", town.village_a_id)
    log_in(client, app, coordinator)
    url = f"/calendar/e/{event_id}/{key}/people"
    village = town.village_a_id
    bad = client.post(url, data={"proxy-name": "李奶奶", "proxy-phone": "12345"})
    assert "11 位" in bad.get_data(as_text=True)
    assert "请选择所在村（社区）" in bad.get_data(as_text=True)  # every error at once
    proxy = {"proxy-name": "李奶奶", "proxy-village_id": village, "proxy-phone": "13900002222"}
    client.post(url, data=proxy)
    assert count(app, CalendarRegistration, proxy_name="李奶奶") == 1
    with app.app_context():
        regs = _db.session.scalars(
            select(CalendarRegistration).order_by(CalendarRegistration.id)
        ).all()
        reg_ids = [r.id for r in regs]
    for reg_id in reg_ids:
        client.post(f"{url}/{reg_id}/tick")
        client.post(f"{url}/{reg_id}/tick")  # a double tap changes nothing
    client.post(url, data={"walk-name": "赵大爷\x07", "walk-phone": ""})
    assert count(app, CalendarAttendance) == 3 and len(heard) == 3
    assert count(app, CalendarAttendance, walk_in_name="赵大爷") == 1
    sheet = client.get(f"/calendar/e/{event_id}/{key}/signin").get_data(as_text=True)
    assert "王大妈" in sheet and "139****1111" in sheet and "13900001111" not in sheet
    response = client.get(f"/calendar/e/{event_id}/{key}/signin.xlsx?full=1")
    book = load_workbook(io.BytesIO(response.data))
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[2] == ("序号", "姓名", "村/社区", "手机号", "备注", "签到时间", "签名")
    assert {r[1] for r in rows[3:] if r[1]} >= {"王大妈", "李奶奶", "赵大爷"}
    assert "13900001111" in {r[3] for r in rows[3:]}
    qr = client.get(f"/calendar/e/{event_id}/{key}/qr.svg")
    assert qr.mimetype == "image/svg+xml" and b"<svg" in qr.data


def test_other_village_coordinator_is_refused(app, client, make_event, make_user, town):
    event_id = make_event()
    key = first_key(app, event_id)
    log_in(client, app, make_user("village_coordinator", town.village_b_id))
    for url in (
        f"/calendar/e/{event_id}/{key}/people",
        f"/calendar/e/{event_id}/{key}/signin.xlsx",
        f"/calendar/e/{event_id}/{key}/qr.svg",
        f"/calendar/e/{event_id}/edit",
        f"/calendar/e/{event_id}/{key}/materials",
    ):
        assert client.get(url).status_code == 403, url
    assert (
        client.post(
            f"/calendar/e/{event_id}/{key}/people",
            data={"proxy-name": "某人", "proxy-village_id": town.village_a_id},
        ).status_code
        == 403
    )
    assert (
        client.post(f"/calendar/e/{event_id}/{key}/cancel", data={"reason": "x"}).status_code == 403
    )
    assert count(app, CalendarRegistration) == 0
    with app.app_context():
        assert _db.session.get(CalendarEvent, event_id).status == "scheduled"
    log_in(client, app, make_user("resident"))
    assert client.get(f"/calendar/e/{event_id}/{key}/people").status_code == 403


@pytest.mark.postgres_only
def test_capacity_holds_under_concurrent_registrations(app, make_event, make_user, db):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    capacity, people = 4, 12  # under the pool size (5 + 10 overflow), so all reach the barrier
    event_id = make_event(capacity=capacity)
    user_ids = [make_user() for _ in range(people)]

    def register(user_id):
        event = _db.session.get(CalendarEvent, event_id)
        occurrence = recurrence.find_occurrence(event, event.start_at)
        registration.register(event, occurrence, user_id)

    errors = run_together(app, [partial(register, uid) for uid in user_ids], commit=True)
    assert errors == []
    assert count(app, CalendarRegistration, status="confirmed") == capacity
    assert count(app, CalendarRegistration, status="waiting") == people - capacity


def test_reminders_and_cancellation_notices(app, client, make_event, make_user, town, runner):
    from plugins.calendar import reminders

    soon = utcnow() + timedelta(hours=5)
    event_id = make_event(start_at=soon, end_at=soon + timedelta(hours=1))
    key = first_key(app, event_id)
    resident = make_user()
    log_in(client, app, resident)
    client.post(f"/calendar/e/{event_id}/{key}/register")
    with app.test_request_context():
        assert reminders.send_reminders() == 1
        _db.session.commit()
        assert reminders.send_reminders() == 0  # once only
    assert runner.invoke(args=["calendar", "remind"]).output.startswith("queued 0")
    log_in(client, app, make_user("village_coordinator", town.village_a_id))
    client.post(f"/calendar/e/{event_id}/{key}/cancel", data={"reason": "暴雨"})
    with app.app_context():
        subjects = _db.session.scalars(
            select(Notification.subject).where(Notification.user_id == resident)
        ).all()
    assert any("活动提醒" in s for s in subjects) and any("活动取消" in s for s in subjects)


def test_proxy_registration_by_name_and_village_warns_of_likely_duplicates(
    app, client, make_event, make_user, town
):
    event_id = make_event()
    key = first_key(app, event_id)
    make_user(name="张秀英", phone="13900005678", home_unit_id=town.village_a_id)
    log_in(client, app, make_user("village_coordinator", town.village_a_id))
    url = f"/calendar/e/{event_id}/{key}/people"
    nameonly = {"proxy-name": "李奶奶", "proxy-village_id": town.village_a_id}
    assert client.post(url, data=nameonly).status_code == 302  # no phone needed
    again = client.post(url, data=nameonly).get_data(as_text=True)
    assert "已报名的人里有 李奶奶（甲村），可能是同一个人。" in again
    assert count(app, CalendarRegistration) == 1
    assert client.post(url, data={**nameonly, "proxy-not_a_duplicate": "y"}).status_code == 302
    assert count(app, CalendarRegistration, proxy_name="李奶奶") == 2
    # a villager who has an account: named with the last four digits of their phone
    namesake = {"proxy-name": "张秀英", "proxy-village_id": town.village_a_id}
    page = client.post(url, data=namesake).get_data(as_text=True)
    assert "村里已有账号 张秀英（甲村，尾号 5678）" in page
    assert count(app, CalendarRegistration) == 2
    # with the phone, the registration goes on the person's own account, and only once
    assert client.post(url, data={**namesake, "proxy-phone": "13900005678"}).status_code == 302
    with app.app_context():
        row = _db.session.scalar(
            select(CalendarRegistration).where(CalendarRegistration.user_id.is_not(None))
        )
        assert (row.person_name, row.proxy_name) == ("张秀英", None)
    twice = client.post(url, data={**namesake, "proxy-phone": "13900005678"})
    assert "张秀英（甲村，尾号 5678）已经报名了这次活动，不能重复报名。" in twice.get_data(
        as_text=True
    )
    # the same phone names the same person, whatever name is typed
    by_phone = {
        "proxy-name": "王五",
        "proxy-village_id": town.village_b_id,
        "proxy-phone": "13900009999",
    }
    assert client.post(url, data=by_phone).status_code == 302
    retyped = {**by_phone, "proxy-name": "王老五", "proxy-not_a_duplicate": "y"}
    assert "不能重复报名" in client.post(url, data=retyped).get_data(as_text=True)
    assert count(app, CalendarRegistration) == 4
    sheet = client.get(f"/calendar/e/{event_id}/{key}/people").get_data(as_text=True)
    assert "王五 <small>乙村</small>" in sheet
