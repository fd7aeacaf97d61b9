"""The task workflow table, exhaustively: every state × action × actor is allowed exactly when
the table says so (no database: who the actor is comes from a stand-in)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from plugins.steering import workflow
from plugins.steering.models import TASK_STATES

EXPECTED = {
    ("open", "start"): "owner",
    ("returned", "start"): "owner",
    ("open", "submit"): "owner",
    ("in_progress", "submit"): "owner",
    ("returned", "submit"): "owner",
    ("submitted", "accept"): "checker",
    ("submitted", "send_back"): "checker",
}


@pytest.mark.parametrize("state", list(TASK_STATES))
@pytest.mark.parametrize("action", list(workflow.ACTIONS))
@pytest.mark.parametrize("actor", ["owner", "checker", "nobody"])
def test_every_step(monkeypatch, state, action, actor):
    user = SimpleNamespace(id=1, is_authenticated=True)
    task = SimpleNamespace(state=state, owner_id=1 if actor == "owner" else 2)
    kinds = {"owner": {workflow.OWNER}, "checker": {workflow.CHECKER}, "nobody": set()}[actor]
    monkeypatch.setattr(workflow, "actor_kinds", lambda _user, _task: kinds)
    allowed = EXPECTED.get((state, action)) == actor
    assert (action in workflow.allowed_actions(user, task)) is allowed
    if allowed:
        assert workflow._refuse_unless_allowed(user, task, action).target
    else:
        with pytest.raises(workflow.TransitionRefused) as refused:
            workflow._refuse_unless_allowed(user, task, action)
        owner_checks = actor == "owner" and action in ("accept", "send_back")
        expected = 403 if owner_checks or (state, action) in EXPECTED else 409
        assert refused.value.status == expected


def test_unknown_action_is_a_404():
    task = SimpleNamespace(state="open", owner_id=2)
    with pytest.raises(workflow.TransitionRefused) as refused:
        workflow._refuse_unless_allowed(SimpleNamespace(id=1), task, "fly")
    assert refused.value.status == 404
