"""Confirmed hours stay within the shift: bad input, the bound, a reason beyond it, the cap.

The bound is the check-in to check-out span (or, without both, the shift's length), never more
than the shift's length, plus 15 minutes; beyond it a reason is required and audited, and the
cap is the shift's length plus 2 hours.
"""

from datetime import timedelta

import pytest
from sqlalchemy import select

from core import signals
from core.extensions import db
from core.models import AuditLog
from core.timeutil import utcnow
from plugins.volunteers import attendance, services
from plugins.volunteers.models import Assignment, Shift
from tests.conftest import log_in


@pytest.fixture
def served(app, make_shift, make_volunteer):
    """``served(hours=1, span=None, unit_id=None)`` → (shift id, volunteer id, assignment id).

    A shift of ``hours`` that ended ten minutes ago; ``span`` (a timedelta) records a check-in
    at the start and a check-out ``span`` later.
    """

    def factory(hours=1, span=None, unit_id=None):
        shift_id, (role_id,) = make_shift(hours=hours, unit_id=unit_id)
        user = make_volunteer(unit_id=unit_id)
        with app.app_context():
            assignment = services.sign_up(role_id, user)
            shift = db.session.get(Shift, shift_id)
            shift.starts_at = utcnow().replace(microsecond=0) - timedelta(hours=hours, minutes=10)
            shift.ends_at = shift.starts_at + timedelta(hours=hours)
            if span is not None:
                assignment.checked_in_at = shift.starts_at
                assignment.checked_out_at = shift.starts_at + span
            db.session.commit()
            return shift_id, user, assignment.id

    return factory


@pytest.fixture
def heard(app):
    payloads = []
    signals.connect(signals.volunteer_hours_confirmed, payloads.append, app)
    return payloads


def _confirm(client, assignment_id, hours, reason=None):
    data = {"hours": hours} if reason is None else {"hours": hours, "reason": reason}
    return client.post(f"/volunteers/manage/assignments/{assignment_id}/hours", data=data)


def _stored(app, assignment_id):
    with app.app_context():
        row = db.session.get(Assignment, assignment_id)
        return row.hours, row.hours_confirmed_at, row.hours_reason


def _audits(app, action):
    with app.app_context():
        return db.session.scalars(select(AuditLog).where(AuditLog.action == action)).all()


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("0", "服务时长必须大于 0 小时。"),
        ("-1", "服务时长必须大于 0 小时。"),
        ("25", "服务时长不能超过 24 小时。"),
        ("abc", "请填写数字（小时），例如 1.5。"),
        ("nan", "服务时长必须大于 0 小时。"),
        ("", "请填写服务时长。"),
    ],
)
def test_bad_hours_refused_on_the_form(app, client, login_as, served, heard, value, message):
    _shift_id, _user, assignment_id = served(hours=2)
    login_as("programme_manager")
    response = _confirm(client, assignment_id, value)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    # beside the field of that row, with the typed value kept
    assert f'<p class="error" id="hours-{assignment_id}-err">{message}</p>' in page
    assert f'value="{value}"' in page
    assert _stored(app, assignment_id)[:2] == (None, None)
    assert heard == []


def test_check_out_before_check_in_refused(app, served):
    _shift_id, _user, assignment_id = served(hours=2)
    with app.test_request_context():
        row = db.session.get(Assignment, assignment_id)
        attendance.check_in(row, now=row.shift.starts_at + timedelta(minutes=30))
        with pytest.raises(services.BookingError, match="签退时间不能早于签到时间"):
            attendance.check_out(row, now=row.shift.starts_at + timedelta(minutes=29))
        assert row.checked_out_at is None
        attendance.check_out(row, now=row.shift.starts_at + timedelta(minutes=90))
        assert row.checked_out_at == row.shift.starts_at + timedelta(minutes=90)


def test_record_with_check_out_before_check_in_cannot_be_confirmed(
    app, client, login_as, served, heard
):
    _shift_id, _user, assignment_id = served(hours=2, span=timedelta(minutes=-20))
    login_as("programme_manager")
    response = _confirm(client, assignment_id, "1")
    assert response.status_code == 400
    assert "签退时间早于签到时间" in response.get_data(as_text=True)
    assert _stored(app, assignment_id)[0] is None and heard == []


def test_within_the_bound_needs_no_reason(app, client, login_as, served, heard):
    # a 1-hour shift without check-in times: bound 1 h + 15 min
    _shift_id, user, assignment_id = served(hours=1)
    login_as("village_coordinator")
    assert _confirm(client, assignment_id, "1.25").status_code == 302
    assert _stored(app, assignment_id)[0] == 1.25
    assert [p.hours for p in heard] == [1.25] and heard[0].user_id == user
    assert len(_audits(app, "volunteers.hours_confirmed")) == 1
    assert _audits(app, "volunteers.hours_over_bound") == []


def test_bound_follows_the_check_in_span(app, client, login_as, served, heard):
    # a 2-hour shift served for 40 minutes: bound 40 + 15 minutes = 0.92 h
    _shift_id, _user, assignment_id = served(hours=2, span=timedelta(minutes=40))
    login_as("programme_manager")
    roster = client.get(f"/volunteers/manage/shifts/{_shift_id}").get_data(as_text=True)
    assert 'value="0.7"' in roster and "不超过 0.92 小时" in roster
    response = _confirm(client, assignment_id, "1.5")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "签到至签退只有 0.92 小时" in page and f'id="reason-{assignment_id}"' in page
    assert _stored(app, assignment_id)[0] is None and heard == []
    assert _confirm(client, assignment_id, "0.9").status_code == 302
    assert _stored(app, assignment_id)[0] == 0.9 and [p.hours for p in heard] == [0.9]


def test_same_minute_check_in_and_out_on_a_one_hour_shift(
    app, client, login_as, served, heard, town
):
    """The reported case: 2.0 hours on a 1-hour shift checked in and out in the same minute."""
    _shift_id, user, assignment_id = served(hours=1, span=timedelta(0))
    manager = login_as("programme_manager", town.town_id)
    roster = client.get(f"/volunteers/manage/shifts/{_shift_id}").get_data(as_text=True)
    assert 'name="reason"' not in roster  # the reason field appears only when needed
    response = _confirm(client, assignment_id, "2.0")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "签到至签退只有 0.25 小时（已含 15 分钟余量），超出请填写原因。" in page
    assert f'id="reason-{assignment_id}"' in page and 'value="2.0"' in page
    # a reason does not lift the cap: the shift's length + 2 hours
    response = _confirm(client, assignment_id, "3.5", reason="忘记签退")
    assert response.status_code == 400
    assert "最多只能确认 3 小时" in response.get_data(as_text=True)
    assert _stored(app, assignment_id)[0] is None and heard == []
    assert (
        _confirm(client, assignment_id, "2.0", reason="签退时误点，实际在岗到活动结束").status_code
        == 302
    )
    hours, confirmed_at, reason = _stored(app, assignment_id)
    assert (hours, reason) == (2.0, "签退时误点，实际在岗到活动结束") and confirmed_at
    over = _audits(app, "volunteers.hours_over_bound")
    assert len(over) == 1 and over[0].actor_id == manager
    assert "0.25" in over[0].summary and "签退时误点" in over[0].summary
    assert _audits(app, "volunteers.hours_confirmed") == []
    # the signal, the ledger and the certificate carry the confirmed number, nothing else
    assert [(p.record_id, p.hours) for p in heard] == [(assignment_id, 2.0)]
    with app.app_context():
        from plugins.credits.models import CreditEntry

        reasons = db.session.scalars(
            select(CreditEntry.reason).where(CreditEntry.user_id == user)
        ).all()
    assert reasons == ["志愿服务 2 小时"]
    log_in(client, app, user)
    certificate = client.get("/volunteers/certificate").get_data(as_text=True)
    assert "累计服务 2.0 小时" in certificate


def test_certificate_and_signal_use_the_confirmed_value(app, client, login_as, served, heard):
    _shift_id, user, assignment_id = served(hours=3, span=timedelta(hours=1, minutes=30))
    login_as("programme_manager")
    assert _confirm(client, assignment_id, "1.7").status_code == 302
    assert [p.hours for p in heard] == [1.7] and _stored(app, assignment_id)[0] == 1.7
    log_in(client, app, user)
    assert "累计服务 1.7 小时" in client.get("/volunteers/certificate").get_data(as_text=True)


@pytest.mark.parametrize("role", ["village_coordinator", "counsellor", "programme_manager"])
def test_other_village_staff_cannot_confirm(app, client, town, login_as, served, heard, role):
    shift_id, _user, assignment_id = served(hours=1, unit_id=town.village_b_id)
    login_as(role, town.village_a_id)
    assert _confirm(client, assignment_id, "1").status_code == 403
    assert _confirm(client, assignment_id, "5", reason="多算").status_code == 403
    assert client.get(f"/volunteers/manage/shifts/{shift_id}").status_code == 403
    assert _stored(app, assignment_id)[:2] == (None, None) and heard == []
    assert _audits(app, "volunteers.hours_over_bound") == []
