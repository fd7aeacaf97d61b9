"""The task workflow table, exhaustively: every state × action × actor is allowed exactly when
the rows written here say so (no database: who the actor is comes from a stand-in)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from core.statemachine import Table, TransitionRefused
from plugins.steering import workflow
from plugins.steering.models import TASK_STATES

#: (state, action) → (new state, who may, who hears of it, audit action).
EXPECTED = {
    ("open", "start"): ("in_progress", "owner", (), "steering.task_start"),
    ("returned", "start"): ("in_progress", "owner", (), "steering.task_start"),
    ("open", "submit"): ("submitted", "owner", ("checker",), "steering.task_submit"),
    ("in_progress", "submit"): ("submitted", "owner", ("checker",), "steering.task_submit"),
    ("returned", "submit"): ("submitted", "owner", ("checker",), "steering.task_submit"),
    ("submitted", "accept"): ("accepted", "checker", ("owner",), "steering.task_accept"),
    ("submitted", "send_back"): ("returned", "checker", ("owner",), "steering.task_send_back"),
}


def test_the_table_is_the_rows_written_here():
    assert isinstance(workflow.TABLE, Table)
    assert {
        key: (row.target, *row.actors, row.notify, row.audit)
        for key, row in workflow.TABLE.transitions.items()
    } == EXPECTED
    assert list(workflow.TABLE.actions) == ["start", "submit", "accept", "send_back"]


@pytest.mark.parametrize("state", list(TASK_STATES))
@pytest.mark.parametrize("action", list(workflow.ACTIONS))
@pytest.mark.parametrize("actor", ["owner", "checker", "nobody"])
def test_every_step(monkeypatch, state, action, actor):
    user = SimpleNamespace(id=1, is_authenticated=True)
    task = SimpleNamespace(state=state, owner_id=1 if actor == "owner" else 2)
    # The owner is told by the task; a checker holds ``steering.assign`` on it.
    monkeypatch.setattr(workflow.permissions, "can", lambda *_args: actor == "checker")
    kinds = {"owner": {workflow.OWNER}, "checker": {workflow.CHECKER}, "nobody": set()}[actor]
    assert workflow.actor_kinds(user, task) == kinds
    row = EXPECTED.get((state, action))
    allowed = row is not None and row[1] == actor
    assert (action in workflow.allowed_actions(user, task)) is allowed
    if allowed:
        assert workflow.check(user, task, action).target == row[0]
    else:
        with pytest.raises(TransitionRefused) as refused:
            workflow.check(user, task, action)
        owner_checks = actor == "owner" and action in ("accept", "send_back")
        expected = 403 if owner_checks or row is not None else 409
        assert refused.value.status == expected
        if owner_checks:
            assert refused.value.message == "不能验收自己负责的任务，请由其他管理人员验收。"


def test_unknown_action_is_a_404():
    task = SimpleNamespace(state="open", owner_id=2)
    with pytest.raises(TransitionRefused) as refused:
        workflow.check(SimpleNamespace(id=1, is_authenticated=True), task, "fly")
    assert refused.value.status == 404


def test_every_audit_action_of_the_table_has_a_label(app):
    from core.audit_labels import labels

    with app.test_request_context():
        known = labels()
    names = {
        row.audit if isinstance(row.audit, str) else f"steering.{action}"
        for (_state, action), row in workflow.TABLE.transitions.items()
    }
    assert names == {"steering.task_start", "steering.task_submit"} | {
        "steering.task_accept",
        "steering.task_send_back",
    }
    assert names <= set(known)
