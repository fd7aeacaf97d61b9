"""The assignment and mediation state machines, every pair of states."""

import itertools

import pytest

from plugins.volunteers.mediation.models import CASE_TRANSITIONS
from plugins.volunteers.models import Assignment
from plugins.volunteers.services import TRANSITIONS, BookingError, move

STATUSES = [None, "confirmed", "waitlisted", "invited", "declined", "withdrawn"]
ALLOWED = {
    (None, "confirmed"), (None, "waitlisted"), (None, "invited"),
    ("invited", "confirmed"), ("invited", "waitlisted"), ("invited", "declined"),
    ("waitlisted", "confirmed"), ("waitlisted", "withdrawn"),
    ("confirmed", "withdrawn"),
    ("withdrawn", "confirmed"), ("withdrawn", "waitlisted"), ("withdrawn", "invited"),
    ("declined", "confirmed"), ("declined", "waitlisted"), ("declined", "invited"),
}  # fmt: skip


@pytest.mark.parametrize("old,new", list(itertools.product(STATUSES, STATUSES[1:])))
def test_every_assignment_transition(old, new):
    assignment = Assignment(status=old)
    if (old, new) in ALLOWED:
        move(assignment, new)
        assert assignment.status == new
    else:
        with pytest.raises(BookingError):
            move(assignment, new)
        assert assignment.status == old


def test_table_matches_expectation():
    assert {(a, b) for a, targets in TRANSITIONS.items() for b in targets} == ALLOWED


def test_mediation_states():
    assert CASE_TRANSITIONS["concluded"] == set() and CASE_TRANSITIONS["cancelled"] == set()
    assert CASE_TRANSITIONS["requested"] == {"scheduled", "cancelled"}
