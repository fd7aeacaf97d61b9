"""The calendar's state machines (``core.statemachine.Table``): a registration's
(``registration.TABLE``) and a whole event's (``series.EVENT_TABLE``), their rows pinned here,
every other step refused, and the service functions moving only through them."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from sqlalchemy import select

from core.extensions import db as _db
from core.models import AuditLog, Notification, User
from core.statemachine import SYSTEM, TransitionRefused
from plugins.calendar import recurrence, registration, series
from plugins.calendar.models import CalendarEvent, CalendarRegistration
from plugins.calendar.registration import NEW, PERSON, REGISTRAR, TABLE, RegistrationError
from plugins.calendar.series import EVENT_TABLE, OCCURRENCE_TABLE

#: (state, action) → (target, who may take it): the whole workflow, written out.
EXPECTED = {
    ("new", "register"): ("confirmed", {"person", "registrar"}),
    ("new", "wait"): ("waiting", {"person", "registrar"}),
    ("cancelled", "register"): ("confirmed", {"person", "registrar"}),
    ("cancelled", "wait"): ("waiting", {"person", "registrar"}),
    ("confirmed", "cancel"): ("cancelled", {"person"}),
    ("waiting", "cancel"): ("cancelled", {"person"}),
    ("waiting", "promote"): ("confirmed", {"system"}),
}


def test_table_rows_are_exactly_these():
    found = {key: (t.target, set(t.actors)) for key, t in TABLE.transitions.items()}
    assert found == EXPECTED
    assert (PERSON, REGISTRAR, SYSTEM, NEW) == ("person", "registrar", "system", "new")
    # Registration changes are not audited (the 代报名 view audits calendar.proxy_registered).
    assert not any(t.audit for t in TABLE.transitions.values())
    assert not any(t.notify for t in TABLE.transitions.values())


@pytest.mark.parametrize("state", ["new", "confirmed", "waiting", "cancelled"])
@pytest.mark.parametrize("action", ["register", "wait", "cancel", "promote"])
def test_every_step_not_in_the_table_is_refused(state, action):
    person, coordinator = SimpleNamespace(id=1), SimpleNamespace(id=2)
    row = SimpleNamespace(id=9, user_id=1, registered_by_id=2, status=state)
    if (state, action) not in EXPECTED:
        for actor in (person, coordinator, None):
            with pytest.raises(TransitionRefused) as refused:
                TABLE.check(actor, row, action)
            assert refused.value.status == 409
        return
    target, actors = EXPECTED[(state, action)]
    for actor, kind in ((person, PERSON), (coordinator, REGISTRAR), (None, SYSTEM)):
        if kind in actors:
            assert TABLE.check(actor, row, action).target == target
        else:
            with pytest.raises(TransitionRefused) as refused:
                TABLE.check(actor, row, action)
            assert refused.value.status == 403


def _occurrence(event_id: int):
    event = _db.session.get(CalendarEvent, event_id)
    return event, recurrence.find_occurrence(event, event.start_at)


def test_register_cancel_promote_through_the_table(app, make_event, make_user):
    event_id = make_event(capacity=1)
    first, second, stranger = make_user(), make_user(), make_user()
    with app.test_request_context():
        event, occurrence = _occurrence(event_id)
        seated = registration.register(event, occurrence, first)
        waiting = registration.register(event, occurrence, second)
        assert (seated.status, waiting.status) == ("confirmed", "waiting")
        _db.session.commit()
        # Only the person cancels their own registration; nothing changes on a refusal.
        with pytest.raises(RegistrationError) as refused:
            registration.cancel(seated, occurrence.title, _db.session.get(User, stranger))
        assert refused.value.status == 403
        _db.session.rollback()
        assert registration.cancel(seated, occurrence.title, _db.session.get(User, first)) == [
            waiting.id
        ]
        _db.session.commit()
        assert (seated.status, waiting.status) == ("cancelled", "confirmed")
        note = _db.session.scalar(select(Notification).where(Notification.user_id == second))
        assert (note.link_endpoint, note.link_values) == (
            "calendar.occurrence",
            {"event_id": event_id, "key": occurrence.key},
        )
        # Cancelled rows come back through the table: the seat is taken, so the list again.
        again = registration.register(event, occurrence, first)
        assert again.id == seated.id and again.status == "waiting"
        rows = _db.session.scalars(select(CalendarRegistration)).all()
        assert len(rows) == 2
        assert (
            _db.session.scalar(
                select(AuditLog.id).where(AuditLog.action.like("calendar.%register%"))
            )
            is None
        )


#: A whole event: scheduled or cancelled (one date of a series is an override, not a state).
EVENT_ROWS = {
    ("scheduled", "cancel"): ("cancelled", {"manager", "system"}),
    ("cancelled", "restore"): ("scheduled", {"manager", "system"}),
}


def test_event_table_rows_are_exactly_these():
    found = {key: (t.target, set(t.actors)) for key, t in EVENT_TABLE.transitions.items()}
    assert found == EVENT_ROWS
    assert not any(t.audit for t in EVENT_TABLE.transitions.values())  # cancellation audits


def test_event_cancel_and_restore_only_through_the_table(app, make_event, make_user, town):
    event_id = make_event()
    resident = make_user()
    manager = make_user("village_coordinator", town.village_a_id)
    with app.test_request_context():
        event = _db.session.get(CalendarEvent, event_id)
        sequence = event.sequence
        with pytest.raises(TransitionRefused) as refused:
            series.cancel_event(event, "下雨", _db.session.get(User, resident))
        assert refused.value.status == 403 and event.status == "scheduled"
        series.cancel_event(event, "下雨", _db.session.get(User, manager))
        assert (event.status, event.cancel_reason) == ("cancelled", "下雨")
        assert event.sequence > sequence  # touched: feeds carry the change
        with pytest.raises(TransitionRefused) as refused:
            series.cancel_event(event, "又下雨")
        assert refused.value.status == 409 and event.cancel_reason == "下雨"
        series.restore_event(event)
        assert (event.status, event.cancel_reason) == ("scheduled", "")


def test_occurrence_table_rows_are_exactly_these():
    found = {key: (t.target, set(t.actors)) for key, t in OCCURRENCE_TABLE.transitions.items()}
    assert found == EVENT_ROWS  # the same two steps, on one date's override row
    assert OCCURRENCE_TABLE.state_attr == "state"


def test_one_date_cancelled_and_restored_only_through_the_table(app, make_event, make_user):
    event_id = make_event(freq="weekly", count=3)
    resident = make_user()
    with app.test_request_context():
        event = _db.session.get(CalendarEvent, event_id)
        second = recurrence.all_original_starts(event)[1]
        with pytest.raises(TransitionRefused) as refused:
            series.restore_occurrence(event, second)  # not cancelled: nothing to restore
        assert refused.value.status == 409
        with pytest.raises(TransitionRefused) as refused:
            series.cancel_occurrence(event, second, "下雨", _db.session.get(User, resident))
        assert refused.value.status == 403
        series.cancel_occurrence(event, second, "下雨")
        override = series.override_for(event, second)
        assert (override.cancelled, override.cancel_reason, override.state) == (
            True,
            "下雨",
            "cancelled",
        )
        sequence = override.sequence
        series.restore_occurrence(event, second)
        assert (override.cancelled, override.cancel_reason) == (False, "")
        assert override.sequence == sequence + 1
