"""The volunteers' three state machines, every (state, action) pair against rows written here."""

import itertools
from types import SimpleNamespace

import pytest

from core.statemachine import SYSTEM, TransitionRefused
from plugins.volunteers.mediation.workflow import CASES, OFFICE
from plugins.volunteers.workflow import (
    APPROVAL,
    ASSIGNMENTS,
    MANAGER,
    REVIEWER,
    VOLUNTEER,
)

V, M, S = frozenset({VOLUNTEER}), frozenset({MANAGER}), frozenset({SYSTEM})
OPEN = (None, "withdrawn", "declined")

#: (status, action) → (new status, who may). None: no row yet.
ASSIGNMENT_ROWS = {
    **{(s, "sign_up"): ("confirmed", V) for s in (*OPEN, "invited")},
    **{(s, "join_waitlist"): ("waitlisted", V) for s in (*OPEN, "invited")},
    **{(s, "invite"): ("invited", M) for s in OPEN},
    ("invited", "accept"): ("confirmed", V),
    ("invited", "accept_waitlisted"): ("waitlisted", V),
    ("invited", "decline"): ("declined", V),
    ("waitlisted", "promote"): ("confirmed", S),
    ("confirmed", "withdraw"): ("withdrawn", V),
    ("waitlisted", "withdraw"): ("withdrawn", V),
    **{(s, "autofill"): ("confirmed", M) for s in (*OPEN, "invited", "waitlisted")},
}
#: The status moves the booking rules have always allowed (from → to), whatever the action.
ALLOWED_MOVES = {
    (None, "confirmed"), (None, "waitlisted"), (None, "invited"),
    ("invited", "confirmed"), ("invited", "waitlisted"), ("invited", "declined"),
    ("waitlisted", "confirmed"), ("waitlisted", "withdrawn"),
    ("confirmed", "withdrawn"),
    ("withdrawn", "confirmed"), ("withdrawn", "waitlisted"), ("withdrawn", "invited"),
    ("declined", "confirmed"), ("declined", "waitlisted"), ("declined", "invited"),
}  # fmt: skip
APPROVAL_ROWS = {
    ("pending", "approve"): ("approved", frozenset({REVIEWER})),
    ("rejected", "approve"): ("approved", frozenset({REVIEWER})),
    ("pending", "reject"): ("rejected", frozenset({REVIEWER})),
    ("pending", "auto_approve"): ("approved", S),
    ("rejected", "resubmit"): ("pending", V),
}
OFFICERS = frozenset({OFFICE})
CASE_ROWS = {
    ("requested", "schedule"): ("scheduled", OFFICERS),
    ("scheduled", "schedule"): ("scheduled", OFFICERS),
    ("requested", "recuse"): ("requested", OFFICERS),
    ("scheduled", "recuse"): ("scheduled", OFFICERS),
    ("scheduled", "conclude"): ("concluded", OFFICERS),
    ("requested", "cancel"): ("cancelled", OFFICERS),
    ("scheduled", "cancel"): ("cancelled", OFFICERS),
}
#: The audit action each step records (False: none); the names the audit log has always used.
AUDITS = {
    "invite": "volunteers.invited",
    "autofill": "volunteers.autofill_booked",
    "approve": "volunteers.approved",
    "reject": "volunteers.rejected",
    "schedule": "volunteers.mediation_scheduled",
    "recuse": "volunteers.mediator_recused",
    "conclude": "volunteers.mediation_concluded",
    "cancel": "volunteers.mediation_cancelled",
}


@pytest.mark.parametrize(
    "table,rows",
    [(ASSIGNMENTS, ASSIGNMENT_ROWS), (APPROVAL, APPROVAL_ROWS), (CASES, CASE_ROWS)],
    ids=["assignments", "approval", "mediation"],
)
def test_table_is_exactly_these_rows(table, rows):
    found = {key: (t.target, t.actors) for key, t in table.transitions.items()}
    assert found == rows
    for (_state, action), transition in table.transitions.items():
        assert transition.audit == AUDITS.get(action, False), action


def test_assignment_moves_are_the_booking_rules():
    assert {(s, target) for (s, _a), (target, _w) in ASSIGNMENT_ROWS.items()} == ALLOWED_MOVES


@pytest.mark.parametrize(
    "table,kinds_by_actor",
    [
        (ASSIGNMENTS, {VOLUNTEER: V, MANAGER: M, SYSTEM: S}),
        (APPROVAL, {VOLUNTEER: V, REVIEWER: frozenset({REVIEWER}), SYSTEM: S}),
        (CASES, {OFFICE: OFFICERS, SYSTEM: S}),
    ],
    ids=["assignments", "approval", "mediation"],
)
def test_every_state_and_action_is_checked(table, kinds_by_actor, monkeypatch):
    """Each (state, action, actor) is allowed exactly when a row names it; else refused."""
    for state, action, actor in itertools.product(
        table.states, table.actions, kinds_by_actor.values()
    ):
        obj = SimpleNamespace(**{table.state_attr: state})
        row = table.transitions.get((state, action))
        user = None if actor == S else SimpleNamespace(id=1)
        monkeypatch.setattr(type(table), "kinds", lambda self, u, o, actor=actor: set(actor))
        if row is not None and row.actors & actor:
            assert table.check(user, obj, action) is row
        else:
            with pytest.raises(TransitionRefused) as refused:
                table.check(user, obj, action)
            assert refused.value.status == (409 if row is None else 403)
