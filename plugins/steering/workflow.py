"""The task workflow as ONE ``core.statemachine.Table``: (state, action) → new state, who may
take it (the task's owner or someone who may check it), who hears of it.

``apply`` is the only place a task changes state: the table checks the actor on the task, the
action's effect checks its data and makes its own change (closing the task on acceptance),
``on_applied`` writes the history row, and the table writes the audit row (``steering.task_*``)
and queues the notices. The caller commits.
"""

from __future__ import annotations

from core import accounts, permissions
from core.extensions import db
from core.i18n import translate
from core.statemachine import Applied, Table, Transition, TransitionRefused, step
from core.timeutil import utcnow
from plugins.steering.models import N_, TASK_STATES, Task, TaskEvent

OWNER, CHECKER = "owner", "checker"

ACTIONS: dict[str, str] = {
    "start": N_("开始办理"),
    "submit": N_("提交验收"),
    "accept": N_("验收通过"),
    "send_back": N_("退回"),
}
#: The actions that check a task: never taken by its owner (refused with its own message).
CHECKS = ("accept", "send_back")


def actor_kinds(user, task: Task) -> set[str]:
    """What ``user`` is to this task: its owner, or someone who may check it.

    The owner never checks their own task, even when they also hold the checking permission.
    """
    if not getattr(user, "is_authenticated", False):
        return set()
    if task.owner_id == user.id:
        return {OWNER}
    return {CHECKER} if permissions.can(user, "steering.assign", task) else set()


def recipients(task: Task, who: tuple[str, ...]) -> set[int]:
    """The owner; the checkers are the task's creator and the unit's programme managers."""
    ids: set[int] = set()
    if OWNER in who:
        ids.add(task.owner_id)
    if CHECKER in who:
        if task.created_by_id:
            ids.add(task.created_by_id)
        ids |= {u.id for u in accounts.users_with_role("programme_manager", task.org_unit)}
    return ids


def _reason(task: Task, user, reason: str = "") -> str:
    return (reason or "").strip()


def _submit(task: Task, user, reason: str = "") -> str:
    if not task.evidence:
        raise TransitionRefused(translate("请先上传至少一份佐证材料再提交验收。"), 400)
    return _reason(task, user, reason)


def _send_back(task: Task, user, reason: str = "") -> str:
    if not _reason(task, user, reason):
        raise TransitionRefused(translate("退回任务时请写明原因。"), 400)
    return _reason(task, user, reason)


def _accept(task: Task, user, reason: str = "") -> str:
    task.closed_at = utcnow()
    return _reason(task, user, reason)


def _history(applied: Applied) -> None:
    """One row of the task's history per step."""
    db.session.add(
        TaskEvent(
            task_id=applied.obj.id,
            action=applied.action,
            from_state=applied.from_state,
            to_state=applied.to_state,
            actor_id=applied.actor.id,
            reason=applied.reason[:500],
            created_at=utcnow(),
        )
    )


def _notice(applied: Applied) -> tuple[str, str]:
    task, reason = applied.obj, applied.reason
    return (
        f"督办任务{ACTIONS[applied.action]}：{task.title}（{task.org_unit.name}）",
        f"状态：{TASK_STATES[applied.to_state]}" + (f"。原因：{reason}" if reason else ""),
    )


TABLE = Table(
    audit_prefix="steering",
    noun="任务",
    states=TASK_STATES,
    actions=ACTIONS,
    transitions={
        ("open", "start"): step("in_progress", {OWNER}, audit="steering.task_start"),
        ("returned", "start"): step("in_progress", {OWNER}, audit="steering.task_start"),
        ("open", "submit"): step("submitted", {OWNER}, (CHECKER,), "steering.task_submit"),
        ("in_progress", "submit"): step("submitted", {OWNER}, (CHECKER,), "steering.task_submit"),
        ("returned", "submit"): step("submitted", {OWNER}, (CHECKER,), "steering.task_submit"),
        ("submitted", "accept"): step("accepted", {CHECKER}, (OWNER,), "steering.task_accept"),
        ("submitted", "send_back"): step(
            "returned", {CHECKER}, (OWNER,), "steering.task_send_back"
        ),
    },
    actor_kinds=actor_kinds,
    subject=lambda task: f"任务 #{task.id} {task.title}（{task.org_unit.name}）",
    recipients=recipients,
    effects={"start": _reason, "submit": _submit, "accept": _accept, "send_back": _send_back},
    link=lambda task: ("steering.task", {"task_id": task.id}),
    notice=_notice,
    on_applied=_history,
)


def allowed_actions(user, task: Task) -> list[str]:
    """The actions ``user`` may take now, in table order (for the buttons on the page)."""
    return TABLE.allowed_actions(user, task)


def check(user, task: Task, action: str) -> Transition:
    """The step ``user`` may take, or ``TransitionRefused``; an owner trying to check their
    own task is told so, whatever its state."""
    if action in CHECKS and task.owner_id == getattr(user, "id", None):
        raise TransitionRefused(translate("不能验收自己负责的任务，请由其他管理人员验收。"), 403)
    return TABLE.check(user, task, action)


def apply(task: Task, action: str, user, reason: str = "") -> Applied:
    """Move ``task`` by ``action`` for ``user``; raise ``TransitionRefused`` (nothing changed)."""
    check(user, task, action)
    return TABLE.apply(task, action, user, reason=reason)
