"""Progress meetings and training: invitations by role, attendance, decisions, hours."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from core.extensions import db as _db
from core.models import Notification
from tests.conftest import log_in


def _meeting(client, town, **overrides):
    from core.timeutil import local_today as today

    data = {
        "kind": "training",
        "title": "辅导员业务培训",
        "unit_id": town.town_id,
        "held_on": today().isoformat(),
        "hours": "2.5",
        "venue": "教管中心",
        "agenda": "一、资料收集\n二、学分银行",
        "roles": ["counsellor", "village_coordinator"],
        **overrides,
    }
    return client.post("/steering/meetings/new", data=data)


def _only(app, model):
    with app.app_context():
        return _db.session.scalar(select(model))


def test_meeting_invites_by_role_records_attendance_and_counts_training_hours(
    app, client, staff, town
):
    from plugins.steering.meetings.models import Meeting

    log_in(client, app, staff.manager)
    assert _meeting(client, town).status_code == 302
    meeting = _only(app, Meeting)
    with app.app_context():
        meeting = _db.session.get(Meeting, meeting.id)
        invited = sorted(a.user_id for a in meeting.attendees)
        assert invited == sorted([staff.coordinator_a, staff.coordinator_b, staff.counsellor_a])
        notified = _db.session.scalars(
            select(Notification.user_id).where(Notification.subject.startswith("业务培训会通知"))
        ).all()
        assert sorted(notified) == invited
        notice = _db.session.scalar(select(Notification))
        assert (notice.link_endpoint, notice.link_values) == (
            "steering.meeting",
            {"meeting_id": meeting.id},
        )
    response = client.post(
        f"/steering/meetings/{meeting.id}/attendance",
        data={
            "present": [staff.counsellor_a, staff.coordinator_a],
            "minutes": "会议决定：十月底前补齐资料。",
        },
    )
    assert response.status_code == 302
    page = client.get(f"/steering/meetings/{meeting.id}").get_data(as_text=True)
    assert "会议决定：十月底前补齐资料。" in page
    report = client.get("/steering/training").get_data(as_text=True)
    assert f'data-user="{staff.counsellor_a}"><td>甲村辅导员</td><td class="num">2.5' in report
    assert f'data-user="{staff.coordinator_b}"><td>乙村负责人</td><td class="num">0.0' in report
    log_in(client, app, staff.counsellor_a)
    profile = client.get("/account").get_data(as_text=True)
    assert "已参加业务培训 2.5 小时" in profile
    log_in(client, app, staff.resident)
    assert "steering-training" not in client.get("/account").get_data(as_text=True)


def test_decision_becomes_a_task_linked_to_the_meeting(app, client, staff, town):
    from core.timeutil import local_today as today
    from plugins.steering.meetings.models import Meeting
    from plugins.steering.models import Task

    log_in(client, app, staff.manager)
    _meeting(client, town, kind="progress", title="十月推进会")
    meeting_id = _only(app, Meeting).id
    response = client.post(
        f"/steering/tasks/new?meeting_id={meeting_id}",
        data={
            "unit_id": town.village_b_id,
            "title": "补办开放日",
            "owner_id": staff.coordinator_b,
            "deadline": (today() + timedelta(days=20)).isoformat(),
        },
    )
    assert response.status_code == 302
    task = _only(app, Task)
    assert (task.source, task.meeting_id) == ("meeting", meeting_id)
    page = client.get(f"/steering/meetings/{meeting_id}").get_data(as_text=True)
    assert "补办开放日" in page
    assert client.get("/steering/tasks/new?meeting_id=987654").status_code == 404


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"roles": []}, "请至少选择一类参会人员。"),
        ({"hours": "0"}, "时长应在 0.5 到 24 小时之间。"),
        ({"title": ""}, "请填写会议名称。"),
        ({"roles": ["site_admin"]}, "包含无效的选项"),
    ],
    ids=["no-roles", "no-hours", "no-title", "bad-role"],
)
def test_bad_meeting_input(app, client, staff, town, overrides, message):
    from plugins.steering.meetings.models import Meeting

    log_in(client, app, staff.manager)
    response = _meeting(client, town, **overrides)
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    with app.app_context():
        assert _db.session.scalar(select(func.count(Meeting.id))) == 0


def test_attendance_not_before_the_day_and_only_by_managers(app, client, staff, town):
    from core.timeutil import local_today as today
    from plugins.steering.meetings.models import Meeting

    log_in(client, app, staff.manager)
    _meeting(client, town, held_on=(today() + timedelta(days=3)).isoformat())
    meeting_id = _only(app, Meeting).id
    early = client.post(
        f"/steering/meetings/{meeting_id}/attendance", data={"present": [staff.counsellor_a]}
    )
    assert early.status_code == 400 and "会议还没有召开" in early.get_data(as_text=True)
    crafted = client.post(
        f"/steering/meetings/{meeting_id}/attendance", data={"present": [staff.resident]}
    )
    assert crafted.status_code == 400
    log_in(client, app, staff.counsellor_a)  # invited, may read, may not record
    assert client.get(f"/steering/meetings/{meeting_id}").status_code == 200
    refused = client.post(
        f"/steering/meetings/{meeting_id}/attendance", data={"present": [staff.counsellor_a]}
    )
    assert refused.status_code == 403
    log_in(client, app, staff.resident)
    assert client.get(f"/steering/meetings/{meeting_id}").status_code == 403
    assert client.get("/steering/meetings/new").status_code == 403
    with app.app_context():
        assert not any(a.attended for a in _db.session.get(Meeting, meeting_id).attendees)


def test_service_refuses_attendance_of_people_not_invited(app, staff, town):
    from core.models import OrgUnit
    from core.timeutil import local_today as today
    from plugins.steering.meetings import services as meetings
    from plugins.steering.meetings.models import Meeting
    from plugins.steering.services import TaskError

    with app.test_request_context():
        meeting = Meeting(
            kind="progress", title="x", org_unit_id=town.town_id, held_on=today(), hours=1
        )
        _db.session.add(meeting)
        _db.session.flush()
        with pytest.raises(TaskError, match="只能登记受邀人员的出席"):
            meetings.record_attendance(meeting, {staff.resident}, "")
        with pytest.raises(TaskError, match="会议类型无效"):
            meetings.create_meeting(
                _db.session.get(OrgUnit, town.town_id),
                None,
                kind="party",
                title="x",
                held_on=today(),
                hours=1,
                roles=["counsellor"],
            )


def test_invitees_see_the_meeting_on_their_personal_calendar_only(app, staff, town):
    from datetime import UTC, datetime

    from core.models import User
    from core.plugins import get_service
    from core.timeutil import local_today as today
    from plugins.steering.meetings.models import Meeting, MeetingAttendee

    with app.test_request_context():
        meeting = Meeting(
            kind="progress",
            title="十一月推进会",
            org_unit_id=town.town_id,
            held_on=today(),
            hours=2,
            venue="教管中心",
        )
        meeting.attendees = [MeetingAttendee(user_id=staff.counsellor_a)]
        _db.session.add(meeting)
        _db.session.commit()
        start = datetime.now(UTC) - timedelta(days=2)
        end = datetime.now(UTC) + timedelta(days=2)
        calendar = get_service("calendar")
        invited = _db.session.get(User, staff.counsellor_a)
        other = _db.session.get(User, staff.coordinator_b)
        mine = calendar.raw_entries(start, end, invited, personal=True)
        assert [(e.title, e.url, e.all_day) for e in mine] == [
            ("十一月推进会", f"/steering/meetings/{meeting.id}", True)
        ]
        assert calendar.raw_entries(start, end, invited, personal=False) == []
        assert calendar.raw_entries(start, end, other, personal=True) == []
        assert calendar.raw_entries(start, end, None, personal=True) == []
        later = calendar.raw_entries(end, end + timedelta(days=5), invited, personal=True)
        assert later == []
