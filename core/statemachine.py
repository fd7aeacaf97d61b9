"""One shape for every workflow: a table of (state, action) → Transition, and ``Table.apply``.

Generalised from the lecture request's dispatch table. A machine declares, in one place, which
actions exist, from which state each leads where, who may take it (as *actor kinds*: "manager",
"lecturer", "village" … worked out per object by ``actor_kinds``), whom it notifies, and how it is
audited. ``apply`` is then the only place the object's state changes:

1. refuse unknown actions (404), steps the table lacks (409) and actors it does not list (403);
2. run the action's effect: its checks raise :class:`TransitionRefused` before anything changes,
   then it makes the action's own changes and may return a reason for the record;
3. set the new state, call ``on_applied`` (a timeline row), write the audit row, queue notices.

The caller commits. Anything not in the table is refused, so the table *is* the workflow.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from core import audit, notify

#: The actor kind of the site itself (cron, expiry): ``apply(obj, action, None)``.
SYSTEM = "system"


class TransitionRefused(Exception):
    """A refused step. ``message`` is shown to the person; ``status`` is the HTTP status
    (403 not allowed, 404 unknown action, 409 wrong state, 422 the data does not fit)."""

    def __init__(self, message: str, status: int = 409):
        super().__init__(message)
        self.message = message
        self.status = status


@dataclass(frozen=True)
class Transition:
    """Where an action leads from one state, who may take it, and who hears of it.

    ``audit``: True records ``<audit_prefix>.<action>``; a string records that exact action
    name; False records nothing (steps audited elsewhere, or too frequent to be worth it).
    """

    target: str
    actors: frozenset[str]
    notify: tuple[str, ...] = ()
    audit: bool | str = True


def step(
    target: str,
    actors: set[str] | frozenset[str],
    notify: tuple[str, ...] = (),
    audit: bool | str = True,
) -> Transition:
    """A table row, written compactly: ``step("assigned", {MANAGER}, notify=(LECTURER,))``."""
    return Transition(target, frozenset(actors), tuple(notify), audit)


@dataclass(frozen=True)
class Applied:
    """What ``apply`` did, for the caller's flash message, signals and tests."""

    obj: Any
    action: str
    from_state: str
    to_state: str
    actor: Any
    reason: str = ""


Effect = Callable[..., "str | None"]


def _always_kinds(user: Any, obj: Any) -> set[str]:  # pragma: no cover - a default only
    return set()


@dataclass(frozen=True)
class Table:
    """A state machine: its labels, its transitions, and how it audits and notifies."""

    audit_prefix: str
    states: Mapping[str, str]
    actions: Mapping[str, str]
    transitions: Mapping[tuple[str, str], Transition]
    actor_kinds: Callable[[Any, Any], set[str]] = _always_kinds
    subject: Callable[[Any], str] = str
    recipients: Callable[[Any, tuple[str, ...]], set[int]] | None = None
    effects: Mapping[str, Effect] = field(default_factory=dict)
    link: Callable[[Any], tuple[str, dict]] | None = None
    notice: Callable[[Applied], tuple[str, str]] | None = None
    notice_kind: str = "general"
    on_applied: Callable[[Applied], None] | None = None
    state_attr: str = "state"
    #: the noun in refusals: "点单当前状态为「已派单」，不能接单。"
    noun: str = ""

    def __post_init__(self) -> None:
        for (state, action), transition in self.transitions.items():
            unknown = {state, transition.target} - set(self.states)
            if unknown or action not in self.actions:
                raise ValueError(
                    f"{self.audit_prefix}: ({state}, {action}) names {unknown or action}"
                )

    # -- reading -------------------------------------------------------------------------------

    def kinds(self, user: Any, obj: Any) -> set[str]:
        """What ``user`` is to ``obj``; the site itself (``None``) is ``SYSTEM``."""
        return {SYSTEM} if user is None else set(self.actor_kinds(user, obj))

    def allowed_actions(self, user: Any, obj: Any) -> list[str]:
        """The actions ``user`` may take on ``obj`` now, in table order (for its buttons)."""
        state, kinds = getattr(obj, self.state_attr), self.kinds(user, obj)
        return [
            action
            for (from_state, action), transition in self.transitions.items()
            if from_state == state and transition.actors & kinds
        ]

    def action_to(self, obj: Any, target: str) -> str | None:
        """The action leading from ``obj``'s state to ``target``, for forms that post the state
        they want rather than an action; None when no row leads there."""
        state = getattr(obj, self.state_attr)
        return next(
            (
                action
                for (source, action), transition in self.transitions.items()
                if source == state and transition.target == target
            ),
            None,
        )

    def can(self, user: Any, obj: Any, action: str) -> bool:
        try:
            self.check(user, obj, action)
        except TransitionRefused:
            return False
        return True

    def check(self, user: Any, obj: Any, action: str) -> Transition:
        """The transition ``user`` may take, or :class:`TransitionRefused`."""
        if action not in self.actions:
            raise TransitionRefused(f"未知操作：{action}", 404)
        state = getattr(obj, self.state_attr)
        transition = self.transitions.get((state, action))
        label = self.actions[action]
        if transition is None:
            state_label = self.states.get(state, state)
            raise TransitionRefused(f"{self.noun}当前状态为「{state_label}」，不能{label}。", 409)
        if not transition.actors & self.kinds(user, obj):
            raise TransitionRefused(f"您无权对这个{self.noun or '对象'}执行「{label}」。", 403)
        return transition

    # -- changing ------------------------------------------------------------------------------

    def apply(self, obj: Any, action: str, user: Any, **data: Any) -> Applied:
        """Move ``obj`` by ``action`` for ``user`` (None: the site itself); the caller commits.

        ``data`` goes to the action's effect (a lecturer, a slot, a reason …). Raises
        :class:`TransitionRefused` with nothing changed.
        """
        transition = self.check(user, obj, action)
        from_state = getattr(obj, self.state_attr)
        effect = self.effects.get(action)
        reason = (effect(obj, user, **data) if effect else None) or ""
        setattr(obj, self.state_attr, transition.target)
        applied = Applied(obj, action, from_state, transition.target, user, reason)
        if self.on_applied is not None:
            self.on_applied(applied)
        if transition.audit:
            name = transition.audit if isinstance(transition.audit, str) else None
            summary = f"{self.subject(obj)}：{self.actions[action]}"
            audit.record(
                name or f"{self.audit_prefix}.{action}",
                obj,
                summary + (f"，{reason}" if reason else ""),
            )
        self._notify(applied, transition)
        return applied

    def _notify(self, applied: Applied, transition: Transition) -> None:
        if not transition.notify or self.recipients is None:
            return
        actor_id = getattr(applied.actor, "id", None)
        user_ids = self.recipients(applied.obj, transition.notify) - {actor_id}
        if not user_ids:
            return
        subject, body = (self.notice or self.default_notice)(applied)
        link = self.link(applied.obj) if self.link else None
        for user_id in sorted(user_ids):
            notify.notify(user_id, subject, body, link=link, kind=self.notice_kind)

    def default_notice(self, applied: Applied) -> tuple[str, str]:
        """ "<noun><action>：<subject>" and "状态：<new state>。说明：<reason>"."""
        subject = f"{self.noun}{self.actions[applied.action]}：{self.subject(applied.obj)}"
        body = f"状态：{self.states[applied.to_state]}"
        return subject, body + (f"。说明：{applied.reason}" if applied.reason else "")
