"""The task workflow as ONE table: (state, action) → (new state, who may, who hears of it).

``apply`` is the only place a task changes state: it checks the actor on the task itself, writes
the history row and the audit log and queues the notices. The caller commits.
"""

from __future__ import annotations

from dataclasses import dataclass

from core import accounts, audit, notify, permissions
from core.extensions import db
from core.timeutil import utcnow
from plugins.steering.models import N_, TASK_STATES, Task, TaskEvent, task_link, tr

OWNER, CHECKER = "owner", "checker"


@dataclass(frozen=True)
class Transition:
    target: str
    actors: frozenset[str]
    notify: tuple[str, ...]


def _t(target: str, actors: set[str], notify_: tuple[str, ...]) -> Transition:
    return Transition(target, frozenset(actors), notify_)


#: The whole workflow. Anything not in this table is refused.
TRANSITIONS: dict[tuple[str, str], Transition] = {
    ("open", "start"): _t("in_progress", {OWNER}, ()),
    ("returned", "start"): _t("in_progress", {OWNER}, ()),
    ("open", "submit"): _t("submitted", {OWNER}, (CHECKER,)),
    ("in_progress", "submit"): _t("submitted", {OWNER}, (CHECKER,)),
    ("returned", "submit"): _t("submitted", {OWNER}, (CHECKER,)),
    ("submitted", "accept"): _t("accepted", {CHECKER}, (OWNER,)),
    ("submitted", "send_back"): _t("returned", {CHECKER}, (OWNER,)),
}

ACTIONS: dict[str, str] = {
    "start": N_("开始办理"),
    "submit": N_("提交验收"),
    "accept": N_("验收通过"),
    "send_back": N_("退回"),
}


class TransitionRefused(Exception):
    """A refused step; ``message`` is shown to the person, ``status`` is the HTTP status."""

    def __init__(self, message: str, status: int = 409):
        super().__init__(message)
        self.message = message
        self.status = status


def actor_kinds(user, task: Task) -> set[str]:
    """What ``user`` is to this task: its owner, and/or someone who may check it.

    The owner never checks their own task, even when they also hold the checking permission.
    """
    kinds: set[str] = set()
    if user is None or not getattr(user, "is_authenticated", False):
        return kinds
    if task.owner_id == user.id:
        kinds.add(OWNER)
    elif permissions.can(user, "steering.assign", task):
        kinds.add(CHECKER)
    return kinds


def allowed_actions(user, task: Task) -> list[str]:
    """The actions ``user`` may take now, in table order (for the buttons on the page)."""
    kinds = actor_kinds(user, task)
    return [
        action
        for (state, action), step in TRANSITIONS.items()
        if state == task.state and step.actors & kinds
    ]


def _refuse_unless_allowed(user, task: Task, action: str) -> Transition:
    if action not in ACTIONS:
        raise TransitionRefused(tr("未知操作。"), 404)
    if action in ("accept", "send_back") and task.owner_id == getattr(user, "id", None):
        raise TransitionRefused(tr("不能验收自己负责的任务，请由其他管理人员验收。"), 403)
    step = TRANSITIONS.get((task.state, action))
    if step is None:
        raise TransitionRefused(
            tr("任务当前状态为“%(state)s”，不能%(action)s。")
            % {"state": tr(TASK_STATES[task.state]), "action": tr(ACTIONS[action])}
        )
    kinds = actor_kinds(user, task)
    if not step.actors & kinds:
        raise TransitionRefused(tr("您无权对这个任务执行此操作。"), 403)
    return step


def recipients(task: Task, who: tuple[str, ...]) -> set[int]:
    ids: set[int] = set()
    if OWNER in who:
        ids.add(task.owner_id)
    if CHECKER in who:
        if task.created_by_id:
            ids.add(task.created_by_id)
        ids |= {u.id for u in accounts.users_with_role("programme_manager", task.org_unit)}
    return ids


def apply(task: Task, action: str, user, reason: str = "") -> TaskEvent:
    """Move ``task`` by ``action`` for ``user``; raise ``TransitionRefused`` (nothing changed)."""
    step = _refuse_unless_allowed(user, task, action)
    reason = (reason or "").strip()
    if action == "send_back" and not reason:
        raise TransitionRefused(tr("退回任务时请写明原因。"), 400)
    if action == "submit" and not task.evidence:
        raise TransitionRefused(tr("请先上传至少一份佐证材料再提交验收。"), 400)
    previous = task.state
    task.state = step.target
    task.closed_at = utcnow() if step.target == "accepted" else None
    event = TaskEvent(
        task_id=task.id,
        action=action,
        from_state=previous,
        to_state=step.target,
        actor_id=user.id,
        reason=reason[:500],
        created_at=utcnow(),
    )
    db.session.add(event)
    summary = f"任务 #{task.id} {task.title}（{task.org_unit.name}）：{ACTIONS[action]}"
    audit.record(f"steering.task_{action}", task, summary + (f"，{reason}" if reason else ""))
    for user_id in recipients(task, step.notify) - {user.id}:
        notify.notify(
            user_id,
            f"督办任务{ACTIONS[action]}：{task.title}（{task.org_unit.name}）",
            f"状态：{TASK_STATES[step.target]}" + (f"。原因：{reason}" if reason else ""),
            link=task_link(task),
        )
    return event
