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
from core.statemachine import SYSTEM, TransitionRefused
from plugins.lecturers.requests import services, workflow
from plugins.lecturers.requests.effects import has_declined
from plugins.lecturers.requests.models import STATES, LectureRequest, RequestEvent

from .conftest import build_request

#: Every state and action, written out: a new one must be added here (and to ``EXPECTED``).
STATE_NAMES = (
    "submitted",
    "assigned",
    "accepted",
    "scheduled",
    "delivered",
    "rated",
    "closed",
    "cancelled",
)
ACTION_NAMES = (
    "assign",
    "withdraw",
    "accept",
    "decline",
    "expire",
    "schedule",
    "reschedule",
    "deliver",
    "rate",
    "close",
    "cancel",
)

#: The people tried in every cell: actor name → attribute of ``People``. ``lecturer`` is the
#: request's own lecturer and ``village`` the coordinator of its village; the others are
#: outsiders who may never move it.
ACTORS = {
    "manager": "manager",
    "lecturer": "lecturer_user",
    "village": "coordinator",
    "other_village": "other_coordinator",
    "other_lecturer": "other_lecturer_user",
    "resident": "resident",
    "counsellor": "counsellor",
}

_EITHER = {"village", "manager"}
#: The workflow as the programme defines it, written independently of ``workflow.TABLE``:
#: (state, action) → (new state, the actors who may take it). Every other cell is refused.
EXPECTED: dict[tuple[str, str], tuple[str, set[str]]] = {
    ("submitted", "assign"): ("assigned", {"manager"}),
    ("assigned", "withdraw"): ("submitted", {"manager"}),
    ("assigned", "accept"): ("accepted", {"lecturer"}),
    ("assigned", "decline"): ("submitted", {"lecturer"}),
    ("assigned", "expire"): ("submitted", set()),  # the site only (限时接单), never a person
    ("accepted", "schedule"): ("scheduled", {"manager", "village"}),
    ("scheduled", "reschedule"): ("scheduled", {"manager"}),
    ("scheduled", "deliver"): ("delivered", {"lecturer", "manager"}),
    ("delivered", "rate"): ("rated", {"village"}),
    ("rated", "close"): ("closed", {"manager"}),
    ("submitted", "cancel"): ("cancelled", _EITHER),
    ("assigned", "cancel"): ("cancelled", _EITHER),
    ("accepted", "cancel"): ("cancelled", _EITHER),
    ("scheduled", "cancel"): ("cancelled", _EITHER),
}

CELLS = [
    (state, action, actor) for state in STATE_NAMES for action in ACTION_NAMES for actor in ACTORS
]


def _data(action: str, request: LectureRequest, people) -> dict:
    # Rescheduling moves to a time after the request's own slots, which no other case uses.
    later = request.slots[-1].end + timedelta(hours=2)
    return {
        "assign": {"lecturer_id": people.lecturer},
        "withdraw": {"reason": "换人"},
        "accept": {"slot_id": request.slots[0].id},
        "decline": {"reason": "那天出差"},
        "expire": {"hours": 48},
        "schedule": {},
        "reschedule": {"start": later, "end": later + timedelta(hours=1), "venue": "村委会"},
        "deliver": {"attendance": 35, "summary": "讲得很好"},
        "rate": {"rating": 5, "comment": "好"},
        "close": {},
        "cancel": {"reason": "下大雨"},
    }[action]


def _snapshot(request_id: int) -> dict:
    """The request's row with its timeline, audit and notification counts (one query)."""
    table = LectureRequest.__table__
    counts = {
        "_events": select(func.count(RequestEvent.id)).where(RequestEvent.request_id == request_id),
        "_audits": select(func.count(AuditLog.id)),
        "_notices": select(func.count(Notification.id)),
    }
    query = select(table, *(q.scalar_subquery().label(name) for name, q in counts.items()))
    return dict(_db.session.execute(query.where(table.c.id == request_id)).one()._mapping)


#: Who hears of each step (the actor excepted), written out like ``EXPECTED``.
NOTIFIED: dict[str, set[str]] = {
    "assign": {"lecturer", "village"},
    "withdraw": {"lecturer", "village"},
    "accept": {"manager", "village"},
    "decline": {"manager", "village"},
    "expire": {"lecturer", "manager"},
    "schedule": {"lecturer", "village", "manager"},
    "reschedule": {"lecturer", "village"},
    "deliver": {"village", "manager"},
    "rate": {"lecturer", "manager"},
    "close": {"lecturer", "village"},
    "cancel": {"lecturer", "village", "manager"},
}


def test_states_and_actions_are_the_ones_written_here():
    table = workflow.TABLE
    assert tuple(STATES) == tuple(table.states) == STATE_NAMES
    assert tuple(workflow.ACTIONS) == tuple(table.actions) == ACTION_NAMES
    assert set(table.transitions) == set(EXPECTED)
    for (state, action), (target, actors) in EXPECTED.items():
        row = table.transitions[state, action]
        assert row.target == target, (state, action)
        assert row.actors == (actors or {SYSTEM}), (state, action)
        assert set(row.notify) == NOTIFIED[action], (state, action)
        assert row.audit is True, (state, action)  # recorded as lecturers.<action>
    assert table.audit_prefix == "lecturers" and table.notice_kind == "dispatch"


@pytest.mark.parametrize(
    ("state", "action", "actor"), CELLS, ids=["-".join(cell) for cell in CELLS]
)
def test_cell(module_world, state, action, actor):
    """One cell of the table: allowed → new state, one timeline row, one audit row and a
    notice; refused → a message, 409 (no such step) or 403 (not this person), nothing changed."""
    app, town, people = module_world
    target, allowed_actors = EXPECTED.get((state, action), (None, set()))
    # Each cell's request sits on days of its own, so that no cell's booking overlaps another's.
    days = 10 + 3 * CELLS.index((state, action, actor))
    with app.app_context():
        request = build_request(
            people, town.village_a_id, state, days=days, key=f"cell-{state}-{action}-{actor}"
        )
        user = _db.session.get(User, getattr(people, ACTORS[actor]))
        before = _snapshot(request.id)
        if actor in allowed_actors:
            services.perform(request, action, user, **_data(action, request, people))
            after = _snapshot(request.id)
            assert after["state"] == target
            assert after["sequence"] == before["sequence"] + 1
            assert after["_events"] == before["_events"] + 1
            assert after["_audits"] == before["_audits"] + 1
            assert after["_notices"] > before["_notices"]
        else:
            with pytest.raises(TransitionRefused) as refused:
                services.perform(request, action, user, **_data(action, request, people))
            assert refused.value.message
            assert refused.value.status == (403 if (state, action) in EXPECTED else 409)
            assert _snapshot(request.id) == before


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
        with pytest.raises(TransitionRefused) as refused:
            services.perform(request, action, _db.session.get(User, getattr(people, actor)), **data)
        assert message in refused.value.message
        assert _snapshot(request.id) == before


def test_decline_returns_to_queue_and_is_remembered(app, people, town):
    with app.app_context():
        request = build_request(people, town.village_a_id, "assigned")
        lecturer = _db.session.get(User, people.lecturer_user)
        services.perform(request, "decline", lecturer, reason="外出培训")
        assert request.state == "submitted" and request.lecturer_id is None
        assert has_declined(request.id, people.lecturer)
        manager = _db.session.get(User, people.manager)
        with pytest.raises(TransitionRefused, match="婉拒"):
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
        with pytest.raises(TransitionRefused):
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
        with pytest.raises(TransitionRefused, match="已有其他"):
            services.perform(request, "accept", lecturer, slot_id=request.slots[0].id)
        services.perform(request, "accept", lecturer, slot_id=request.slots[1].id)
        assert request.state == "accepted"


def test_a_lecturer_taken_off_the_request_is_told_with_a_link_to_it(app, people, town):
    """Withdrawing clears the lecturer; the notice still reaches them and opens the request."""
    with app.app_context():
        request = build_request(people, town.village_a_id, "assigned")
        manager = _db.session.get(User, people.manager)
        services.perform(request, "withdraw", manager, reason="换人")
        assert request.lecturer_id is None
        notice = _db.session.scalars(
            select(Notification).where(Notification.user_id == people.lecturer_user)
        ).one()
        assert notice.kind == "dispatch" and notice.subject.startswith("微讲堂点单收回派单：")
        assert (notice.link_endpoint, notice.link_values) == (
            "lecturers.request_detail",
            {"request_id": request.id},
        )
