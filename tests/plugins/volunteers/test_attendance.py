"""Check-in/out, hours confirmed once with the signal, no-shows, history and certificate."""

from datetime import timedelta

from sqlalchemy import select

from core import signals
from core.extensions import db
from core.timeutil import utcnow
from plugins.volunteers import services
from plugins.volunteers.models import Assignment, Shift
from tests.conftest import log_in


def _booked(app, make_shift, make_volunteer, **kw):
    shift_id, (role_id,) = make_shift(**kw)
    user = make_volunteer()
    with app.app_context():
        assignment = services.sign_up(role_id, user)
        db.session.commit()
        return shift_id, user, assignment.id


def _start_now(app, shift_id, minutes_ago=30):
    with app.app_context():
        shift = db.session.get(Shift, shift_id)
        shift.starts_at = utcnow() - timedelta(minutes=minutes_ago)
        shift.ends_at = shift.starts_at + timedelta(hours=2)
        db.session.commit()


def test_check_in_out_and_confirm_hours_once(app, client, login_as, make_shift, make_volunteer):
    heard = []
    signals.connect(signals.volunteer_hours_confirmed, heard.append, app)
    shift_id, user, assignment_id = _booked(app, make_shift, make_volunteer)
    log_in(client, app, user)
    page = client.post(f"/volunteers/assignments/{assignment_id}/check-in", follow_redirects=True)
    assert "签到时间为" in page.get_data(as_text=True)  # too early
    _start_now(app, shift_id)
    client.post(f"/volunteers/assignments/{assignment_id}/check-in")
    client.post(f"/volunteers/assignments/{assignment_id}/check-out")
    with app.app_context():
        row = db.session.get(Assignment, assignment_id)
        assert row.checked_in_at and row.checked_out_at
    # a volunteer may not confirm their own hours
    assert client.post(f"/volunteers/manage/assignments/{assignment_id}/hours").status_code == 403
    login_as("counsellor")
    url = f"/volunteers/manage/assignments/{assignment_id}/hours"
    for bad, message in (("0", "必须大于 0"), ("25", "不能超过 24"), ("abc", "请填写数字")):
        page = client.post(url, data={"hours": bad})
        assert page.status_code == 400 and message in page.get_data(as_text=True)
    assert heard == []
    # checked in and out at once: 2.5 hours passes the bound and needs a reason
    assert client.post(url, data={"hours": "2.5"}).status_code == 400
    assert heard == []
    client.post(url, data={"hours": "2.5", "reason": "签退补录"})
    page = client.post(url, data={"hours": "3"}, follow_redirects=True)
    assert "已经确认过" in page.get_data(as_text=True)
    assert len(heard) == 1 and heard[0].hours == 2.5 and heard[0].user_id == user
    with app.app_context():
        assert db.session.get(Assignment, assignment_id).hours == 2.5


def test_no_show_recorded_and_blocks_hours(app, client, login_as, make_shift, make_volunteer):
    shift_id, _user, assignment_id = _booked(app, make_shift, make_volunteer)
    login_as("programme_manager")
    page = client.post(
        f"/volunteers/manage/assignments/{assignment_id}/no-show", follow_redirects=True
    )
    assert "开始后" in page.get_data(as_text=True)
    _start_now(app, shift_id)
    client.post(f"/volunteers/manage/assignments/{assignment_id}/no-show")
    with app.app_context():
        assert db.session.get(Assignment, assignment_id).no_show is True
    page = client.post(
        f"/volunteers/manage/assignments/{assignment_id}/hours",
        data={"hours": "2"},
        follow_redirects=True,
    )
    assert "到场" in page.get_data(as_text=True)


def test_other_village_coordinator_cannot_confirm(
    app, client, town, login_as, make_shift, make_volunteer
):
    shift_id, _user, assignment_id = _booked(app, make_shift, make_volunteer)
    _start_now(app, shift_id)
    login_as("village_coordinator", town.village_b_id)
    url = f"/volunteers/manage/assignments/{assignment_id}/hours"
    assert client.post(url, data={"hours": "2"}).status_code == 403
    assert client.get(f"/volunteers/manage/shifts/{shift_id}").status_code == 403
    with app.app_context():
        assert db.session.get(Assignment, assignment_id).hours_confirmed_at is None


def test_history_and_certificate(app, client, login_as, make_shift, make_volunteer, town):
    shift_id, user, assignment_id = _booked(app, make_shift, make_volunteer, title="敬老探访")
    _start_now(app, shift_id)
    manager = login_as("programme_manager", town.town_id)
    client.post(f"/volunteers/manage/assignments/{assignment_id}/hours", data={"hours": "1.5"})
    assert "1.5" in client.get(f"/volunteers/certificate/{user}").get_data(as_text=True)
    log_in(client, app, user)
    page = client.get("/volunteers/certificate").get_data(as_text=True)
    assert "志愿服务证明" in page and "敬老探访" in page and "1.5" in page
    assert "敬老探访" in client.get("/volunteers/history").get_data(as_text=True)
    # a volunteer may not read someone else's certificate
    assert client.get(f"/volunteers/certificate/{manager}").status_code == 404
    with app.app_context():
        assert db.session.scalar(select(Assignment.hours)) == 1.5
