"""Cancelling an occurrence revokes its attendance after confirming; restoring tells registrants."""

from __future__ import annotations

from sqlalchemy import func, select

from core import signals
from core.extensions import db as _db
from core.models import AuditLog, Notification
from plugins.calendar import attendance, recurrence
from plugins.calendar.models import CalendarAttendance, CalendarEvent, CalendarRegistration
from plugins.credits.models import REVERSAL, CreditEntry
from tests.conftest import log_in
from tests.plugins.calendar.conftest import running_now


def first_occurrence(app, event_id):
    with app.app_context():
        event = _db.session.get(CalendarEvent, event_id)
        return recurrence.find_occurrence(event, event.start_at)


def notices(app, user_id, word: str) -> int:
    with app.app_context():
        subjects = _db.session.scalars(
            select(Notification.subject).where(Notification.user_id == user_id)
        ).all()
    return sum(word in subject for subject in subjects)


def credit_total(app, user_id) -> tuple[int, int]:
    """(balance, reversals) of a person's attendance credits."""
    with app.app_context():
        balance = _db.session.scalar(
            select(func.coalesce(func.sum(CreditEntry.amount), 0)).where(
                CreditEntry.user_id == user_id
            )
        )
        reversals = _db.session.scalar(
            select(func.count(CreditEntry.id)).where(
                CreditEntry.user_id == user_id, CreditEntry.entry_kind == REVERSAL
            )
        )
    return balance, reversals


def test_cancel_with_attendance_confirm_revoke_then_restore(
    app, client, make_event, make_user, town
):
    revoked = []
    signals.connect(signals.attendance_revoked, revoked.append, app)
    event_id = make_event(freq="daily", count=3, **running_now())
    occ = first_occurrence(app, event_id)
    came, absent = make_user(), make_user()
    for person in (came, absent):
        log_in(client, app, person)
        client.post(f"/calendar/e/{event_id}/{occ.key}/register")
    coordinator = make_user("village_coordinator", town.village_a_id)
    log_in(client, app, coordinator)
    with app.app_context():
        reg_id = _db.session.scalar(
            select(CalendarRegistration.id).where(CalendarRegistration.user_id == came)
        )
    base = f"/calendar/e/{event_id}/{occ.key}"
    client.post(f"{base}/people/{reg_id}/tick")
    client.post(f"{base}/people", data={"walk-name": "赵大爷"})
    assert credit_total(app, came)[0] > 0

    page = client.get(f"{base}/cancel").get_data(as_text=True)
    assert "已有 2 人签到" in page and 'name="confirm_revoke"' in page
    assert 'name="revoke_count" type="hidden" value="2"' in page
    unconfirmed = client.post(f"{base}/cancel", data={"reason": "暴雨", "revoke_count": "2"})
    assert "请勾选确认" in unconfirmed.get_data(as_text=True)
    stale = client.post(
        f"{base}/cancel", data={"reason": "暴雨", "confirm_revoke": "y", "revoke_count": "1"}
    )
    assert "已有 2 人签到" in stale.get_data(as_text=True)  # the number changed: ask again
    assert not first_occurrence(app, event_id).cancelled and revoked == []

    done = client.post(
        f"{base}/cancel",
        data={"reason": "暴雨", "confirm_revoke": "y", "revoke_count": "2"},
        follow_redirects=True,
    )
    assert "已撤销 2 条签到记录" in done.get_data(as_text=True)
    assert first_occurrence(app, event_id).cancelled
    with app.app_context():
        kept = _db.session.scalars(select(CalendarAttendance)).all()
        assert len(kept) == 2 and all(a.revoked_at is not None for a in kept)  # not deleted
        assert all(a.revoke_reason == "活动取消：暴雨" for a in kept)
        assert attendance.attendance_count(event_id) == 0
        audit = _db.session.scalar(
            select(AuditLog.summary).where(AuditLog.action == "calendar.occurrence_cancelled")
        )
        assert "撤销签到 2 条" in audit
    assert len(revoked) == 2
    assert credit_total(app, came) == (0, 1)
    assert notices(app, came, "活动取消") == 1 and notices(app, absent, "活动取消") == 1
    # Check-in on the cancelled date is refused.
    refused = client.post(f"{base}/people/{reg_id}/tick", follow_redirects=True)
    assert "已取消" in refused.get_data(as_text=True)

    restore_page = client.get(f"{base}/restore").get_data(as_text=True)
    assert "2 位报名者" in restore_page and "2 条签到记录仍为“已撤销”" in restore_page
    client.post(f"{base}/restore")
    assert not first_occurrence(app, event_id).cancelled
    assert notices(app, came, "活动恢复") == 1 and notices(app, absent, "活动恢复") == 1
    with app.app_context():
        assert attendance.attendance_count(event_id) == 0  # revoked stays revoked
    assert credit_total(app, came) == (0, 1) and len(revoked) == 2  # reversed once
    client.post(f"{base}/restore")  # again: nothing to restore, nobody told twice
    assert notices(app, came, "活动恢复") == 1

    # A second cancellation (no attendance now: no confirmation) is told again.
    client.post(f"{base}/cancel", data={"reason": "停电"})
    assert first_occurrence(app, event_id).cancelled
    assert notices(app, absent, "活动取消") == 2
    client.post(f"{base}/restore")
    assert notices(app, absent, "活动恢复") == 2


def test_single_event_cancel_restore_and_whole_event_cancel(
    app, client, make_event, make_user, town
):
    single = make_event(**running_now())
    occ = first_occurrence(app, single)
    person = make_user()
    log_in(client, app, person)
    client.post(f"/calendar/e/{single}/{occ.key}/register")
    with app.app_context():
        event = _db.session.get(CalendarEvent, single)
        attendance.check_in(event, occ, user_id=person)
        _db.session.commit()
    log_in(client, app, make_user("programme_manager", town.town_id))
    whole = client.post(f"/calendar/e/{single}/cancel", data={"reason": "改期"})
    assert "已有 1 人签到" in whole.get_data(as_text=True)
    client.post(
        f"/calendar/e/{single}/cancel",
        data={"reason": "改期", "confirm_revoke": "y", "revoke_count": "1"},
    )
    with app.app_context():
        assert _db.session.get(CalendarEvent, single).status == "cancelled"
        assert attendance.attendance_count(single) == 0
    assert notices(app, person, "活动取消") == 1
    page = client.get(f"/calendar/e/{single}/{occ.key}").get_data(as_text=True)
    assert f"/calendar/e/{single}/{occ.key}/restore" in page
    client.post(f"/calendar/e/{single}/{occ.key}/restore")
    with app.app_context():
        assert _db.session.get(CalendarEvent, single).status == "scheduled"
    assert notices(app, person, "活动恢复") == 1


def test_other_village_coordinator_cannot_cancel_or_restore(
    app, client, make_event, make_user, town
):
    event_id = make_event(freq="daily", count=3, **running_now())
    occ = first_occurrence(app, event_id)
    base = f"/calendar/e/{event_id}/{occ.key}"
    log_in(client, app, make_user("village_coordinator", town.village_a_id))
    client.post(f"{base}/cancel", data={"reason": "下雨"})
    assert first_occurrence(app, event_id).cancelled
    log_in(client, app, make_user("village_coordinator", town.village_b_id))
    assert client.get(f"{base}/restore").status_code == 403
    assert client.post(f"{base}/restore").status_code == 403
    assert client.get(f"{base}/cancel").status_code == 403
    assert client.post(f"/calendar/e/{event_id}/cancel", data={"reason": "x"}).status_code == 403
    assert first_occurrence(app, event_id).cancelled
    log_in(client, app, make_user())
    assert client.post(f"{base}/restore").status_code == 403
    assert first_occurrence(app, event_id).cancelled
