"""Calendar entries (public and personal) and reminders that a rerun does not duplicate."""

from datetime import timedelta

from sqlalchemy import func, select

from core.extensions import db
from core.models import Notification, User
from core.plugins import registry
from core.timeutil import utcnow
from plugins.volunteers import services
from plugins.volunteers.mediation.models import CaseMediator, MediationCase
from plugins.volunteers.models import Shift


def _entries(app, viewer_id, personal):
    with app.app_context():
        viewer = db.session.get(User, viewer_id) if viewer_id else None
        now = utcnow()
        groups = registry().hook.calendar_entries(
            start=now - timedelta(days=1),
            end=now + timedelta(days=10),
            viewer=viewer,
            personal=personal,
        )
        return [e for group in groups for e in group or [] if e.source == "volunteers"]


def test_calendar_entries(app, town, make_shift, make_volunteer, make_user):
    shift_id, (role_id,) = make_shift(title="开课签到")
    make_shift(title="内部", public=False)
    user = make_volunteer()
    mediator = make_user("mediator", town.town_id)
    with app.app_context():
        services.sign_up(role_id, user)
        start = utcnow() + timedelta(days=3)
        case = MediationCase(
            requester_id=user,
            org_unit_id=town.village_a_id,
            dispute_type="land",
            parties_count=2,
            parties="张三",
            description="秘密案情",
            state="scheduled",
            venue="调解室",
            starts_at=start,
            ends_at=start + timedelta(hours=1),
        )
        case.mediators.append(CaseMediator(user_id=mediator))
        db.session.add(case)
        db.session.commit()
        case_id = case.id
    public = _entries(app, None, False)
    titles = sorted(e.title for e in public)
    assert titles == ["志愿服务：开课签到", "调解活动"]
    session = next(e for e in public if e.title == "调解活动")
    assert "秘密" not in session.description and "张三" not in session.description
    assert session.location == "" and session.url == ""  # no link for a visitor
    assert session.category_label == "人民调解" and "mediation" not in session.category_label
    resident = make_user("resident", town.village_a_id)
    [for_resident] = [e for e in _entries(app, resident, False) if e.title == "调解活动"]
    assert for_resident.url == ""  # nor for a villager who may not open the case
    [for_mediator] = [e for e in _entries(app, mediator, False) if e.title == "调解活动"]
    assert for_mediator.url.endswith(f"/mediation/{case_id}")  # its mediator may
    mine = _entries(app, user, True)
    assert [e.uid for e in mine] == [f"volunteers-shift-{shift_id}@xiangxuetong"]
    assert not mine[0].public
    theirs = _entries(app, mediator, True)
    assert [e.title for e in theirs] == ["调解活动"] and "秘密" not in theirs[0].description
    assert _entries(app, None, True) == []
    # a change of time raises the sequence seen by feeds
    before = mine[0].sequence
    with app.app_context():
        shift = db.session.get(Shift, shift_id)
        shift.sequence += 1
        db.session.commit()
    assert _entries(app, user, True)[0].sequence == before + 1


def test_reminders_sent_once(app, runner, make_shift, make_volunteer):
    _soon, (soon_role,) = make_shift(starts_in=timedelta(hours=1))
    _tomorrow, (tomorrow_role,) = make_shift(starts_in=timedelta(hours=20))
    _far, (far_role,) = make_shift(starts_in=timedelta(days=5))
    user = make_volunteer(max_shifts=31)
    with app.app_context():
        for role in (soon_role, tomorrow_role, far_role):
            services.sign_up(role, user)
        db.session.commit()
    result = runner.invoke(args=["volunteers", "send-reminders"])
    assert "queued 2" in result.output
    result = runner.invoke(args=["volunteers", "send-reminders"])
    assert "queued 0" in result.output
    with app.app_context():
        count = db.session.scalar(
            select(func.count(Notification.id)).where(Notification.subject.like("志愿服务提醒%"))
        )
        assert count == 2


def test_reminder_hours_configurable(make_app, town):
    app = make_app(VOLUNTEERS_REMINDER_HOURS="48, 3")
    with app.app_context():
        from plugins.volunteers.reminders import reminder_hours

        assert reminder_hours() == [48.0, 3.0]


def test_mediation_reminder_for_assigned_mediators_only(app, runner, town, make_user):
    mediator, removed = make_user("mediator", town.town_id), make_user("mediator", town.town_id)
    requester = make_user("resident", town.village_a_id)
    with app.app_context():
        start = utcnow() + timedelta(hours=1)
        case = MediationCase(
            requester_id=requester, org_unit_id=town.village_a_id, dispute_type="debt",
            parties_count=2, description="案情", state="scheduled", venue="调解室",
            starts_at=start, ends_at=start + timedelta(hours=1),
        )  # fmt: skip
        case.mediators.append(CaseMediator(user_id=mediator))
        case.mediators.append(CaseMediator(user_id=removed, removed=True))
        db.session.add(case)
        db.session.commit()
    assert "queued 1" in runner.invoke(args=["volunteers", "send-reminders"]).output
    assert "queued 0" in runner.invoke(args=["volunteers", "send-reminders"]).output
    with app.app_context():
        notes = db.session.execute(select(Notification.user_id, Notification.body)).all()
    assert [uid for uid, _body in notes] == [mediator]
    assert "案情" not in notes[0][1]
