"""The whole workflow table: every state × every action × every kind of actor.

Allowed steps succeed (new state, timeline row, audit row); every other combination is refused
with a message and leaves the request, its timeline and the audit log exactly as they were.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from core.extensions import db as _db
from core.models import AuditLog, Notification, User
from core.timeutil import utcnow
from plugins.lecturers import services, workflow
from plugins.lecturers.models_requests import STATES, LectureRequest, RequestEvent

from .conftest import build_request

ACTORS = {
    "manager": ("manager", {"manager"}),
    "lecturer": ("lecturer_user", {"lecturer"}),
    "village": ("coordinator", {"village"}),
    "other_village": ("other_coordinator", set()),
    "other_lecturer": ("other_lecturer_user", set()),
    "resident": ("resident", set()),
    "counsellor": ("counsellor", set()),
}


def _data(action: str, request: LectureRequest, people) -> dict:
    soon = utcnow() + timedelta(days=5)
    return {
        "assign": {"lecturer_id": people.lecturer},
        "withdraw": {"reason": "换人"},
        "accept": {"slot_id": request.slots[0].id},
        "decline": {"reason": "那天出差"},
        "schedule": {},
        "reschedule": {"start": soon, "end": soon + timedelta(hours=1), "venue": "村委会"},
        "deliver": {"attendance": 35, "summary": "讲得很好"},
        "rate": {"rating": 5, "comment": "好"},
        "close": {},
        "cancel": {"reason": "下大雨"},
    }[action]


def _snapshot(request_id: int) -> tuple:
    request = _db.session.get(LectureRequest, request_id)
    _db.session.refresh(request)
    columns = {c.name: getattr(request, c.key) for c in LectureRequest.__table__.columns}
    events = _db.session.scalar(
        select(func.count(RequestEvent.id)).where(RequestEvent.request_id == request_id)
    )
    audits = _db.session.scalar(select(func.count(AuditLog.id)))
    return columns, events, audits


def test_table_is_complete_and_well_formed():
    actions = {action for _, action in workflow.TRANSITIONS}
    assert actions == set(workflow.ACTIONS)
    for (state, _action), step in workflow.TRANSITIONS.items():
        assert state in STATES and step.target in STATES
        assert step.actors <= set(workflow.ACTOR_KINDS)
    for state in ("submitted", "assigned", "accepted", "scheduled"):
        assert (state, "cancel") in workflow.TRANSITIONS
    for state in ("delivered", "rated", "closed", "cancelled"):
        assert (state, "cancel") not in workflow.TRANSITIONS


def test_every_state_action_actor(app, people, town):
    checked = allowed_count = 0
    with app.app_context():
        for state in STATES:
            for action in workflow.ACTIONS:
                for actor_name, (attribute, kinds) in ACTORS.items():
                    request = build_request(people, town.village_a_id, state)
                    user = _db.session.get(User, getattr(people, attribute))
                    step = workflow.TRANSITIONS.get((state, action))
                    allowed = step is not None and bool(step.actors & kinds)
                    before = _snapshot(request.id)
                    notices = _db.session.scalar(select(func.count(Notification.id)))
                    case = (state, action, actor_name)
                    if allowed:
                        services.perform(request, action, user, **_data(action, request, people))
                        after = _snapshot(request.id)
                        assert after[0]["state"] == step.target, case
                        assert after[0]["sequence"] == before[0]["sequence"] + 1, case
                        assert after[1] == before[1] + 1, case
                        assert after[2] == before[2] + 1, case
                        assert _db.session.scalar(select(func.count(Notification.id))) > notices
                        allowed_count += 1
                    else:
                        with pytest.raises(workflow.TransitionRefused) as refused:
                            services.perform(
                                request, action, user, **_data(action, request, people)
                            )
                        assert refused.value.message, case
                        assert refused.value.status in (403, 409), case
                        assert _snapshot(request.id) == before, case
                    checked += 1
    assert checked == len(STATES) * len(workflow.ACTIONS) * len(ACTORS)
    expected = sum(len(step.actors) for step in workflow.TRANSITIONS.values())
    assert allowed_count == expected


@pytest.mark.parametrize(
    ("state", "action", "data", "message"),
    [
        ("assigned", "accept", {"slot_id": None}, "备选时间"),
        ("assigned", "decline", {"reason": ""}, "原因"),
        ("scheduled", "deliver", {"attendance": 0, "summary": "x"}, "人数"),
        ("scheduled", "deliver", {"attendance": 10, "summary": ""}, "小结"),
        ("delivered", "rate", {"rating": 6}, "1 到 5"),
        ("delivered", "rate", {"rating": 0}, "1 到 5"),
        ("submitted", "cancel", {"reason": ""}, "原因"),
        ("submitted", "assign", {"lecturer_id": 99999}, "讲师"),
    ],
)
def test_bad_action_data_changes_nothing(app, people, town, state, action, data, message):
    actor = {
        "accept": "lecturer_user",
        "decline": "lecturer_user",
        "deliver": "lecturer_user",
        "rate": "coordinator",
        "cancel": "coordinator",
    }.get(action, "manager")
    with app.app_context():
        request = build_request(people, town.village_a_id, state)
        before = _snapshot(request.id)
        with pytest.raises(workflow.TransitionRefused) as refused:
            services.perform(request, action, _db.session.get(User, getattr(people, actor)), **data)
        assert message in refused.value.message
        assert _snapshot(request.id) == before


def test_decline_returns_to_queue_and_is_remembered(app, people, town):
    with app.app_context():
        request = build_request(people, town.village_a_id, "assigned")
        lecturer = _db.session.get(User, people.lecturer_user)
        services.perform(request, "decline", lecturer, reason="外出培训")
        assert request.state == "submitted" and request.lecturer_id is None
        assert workflow.has_declined(request.id, people.lecturer)
        manager = _db.session.get(User, people.manager)
        with pytest.raises(workflow.TransitionRefused, match="婉拒"):
            services.perform(request, "assign", manager, lecturer_id=people.lecturer)
        services.perform(request, "assign", manager, lecturer_id=people.other_lecturer)
        assert request.state == "assigned"


def test_delivery_sends_signal_once(app, people, town):
    from core import signals

    heard = []
    signals.connect(signals.lecture_delivered, heard.append, app)
    with app.app_context():
        request = build_request(people, town.village_a_id, "scheduled")
        lecturer = _db.session.get(User, people.lecturer_user)
        services.perform(request, "deliver", lecturer, attendance=42, summary="好")
        with pytest.raises(workflow.TransitionRefused):
            services.perform(request, "deliver", lecturer, attendance=42, summary="好")
        request_id = request.id
    assert len(heard) == 1
    assert heard[0].request_id == request_id and heard[0].audience_count == 42
    assert heard[0].org_unit_id == town.village_a_id


def test_accept_refuses_a_slot_overlapping_another_booking(app, people, town):
    with app.app_context():
        booked = build_request(people, town.village_a_id, "accepted")
        request = build_request(people, town.village_a_id, "assigned")
        request.slots[0].start = booked.scheduled_start
        request.slots[0].end = booked.scheduled_end
        _db.session.commit()
        lecturer = _db.session.get(User, people.lecturer_user)
        with pytest.raises(workflow.TransitionRefused, match="已有其他"):
            services.perform(request, "accept", lecturer, slot_id=request.slots[0].id)
        services.perform(request, "accept", lecturer, slot_id=request.slots[1].id)
        assert request.state == "accepted"
