"""The request workflow as ONE table: (state, action) → (new state, who may, who hears of it).

``apply`` is the only place a request changes state: it checks the actor on the object, runs
the action's checks and effects, writes the timeline row and the audit log, and queues the
notifications. The caller commits (``services.perform`` does, then sends signals).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from core import accounts, audit, notify, permissions
from core.extensions import db
from core.timeutil import utcnow
from plugins.lecturers.models import N_
from plugins.lecturers.requests.models import (
    OPEN_STATES,
    STATES,
    Decline,
    LectureRequest,
    RequestEvent,
)

MANAGER, LECTURER, VILLAGE = "manager", "lecturer", "village"
#: The site itself (cron): ``apply(..., user=None)``; no person can take a SYSTEM step.
SYSTEM = "system"
ACTOR_KINDS = (MANAGER, LECTURER, VILLAGE, SYSTEM)


@dataclass(frozen=True)
class Transition:
    target: str
    actors: frozenset[str]
    notify: tuple[str, ...]


def _t(target: str, actors: set[str], notify_: tuple[str, ...]) -> Transition:
    return Transition(target, frozenset(actors), notify_)


#: The whole workflow. Anything not in this table is refused.
TRANSITIONS: dict[tuple[str, str], Transition] = {
    ("submitted", "assign"): _t("assigned", {MANAGER}, (LECTURER, VILLAGE)),
    ("assigned", "withdraw"): _t("submitted", {MANAGER}, (LECTURER, VILLAGE)),
    ("assigned", "accept"): _t("accepted", {LECTURER}, (MANAGER, VILLAGE)),
    ("assigned", "decline"): _t("submitted", {LECTURER}, (MANAGER, VILLAGE)),
    # 限时接单: not accepted in LECTURERS_ACCEPT_HOURS, back to the dispatch queue.
    ("assigned", "expire"): _t("submitted", {SYSTEM}, (LECTURER, MANAGER)),
    ("accepted", "schedule"): _t("scheduled", {MANAGER, VILLAGE}, (LECTURER, VILLAGE, MANAGER)),
    ("scheduled", "reschedule"): _t("scheduled", {MANAGER}, (LECTURER, VILLAGE)),
    ("scheduled", "deliver"): _t("delivered", {LECTURER, MANAGER}, (VILLAGE, MANAGER)),
    ("delivered", "rate"): _t("rated", {VILLAGE}, (LECTURER, MANAGER)),
    ("rated", "close"): _t("closed", {MANAGER}, (LECTURER, VILLAGE)),
    **{
        (state, "cancel"): _t("cancelled", {VILLAGE, MANAGER}, (LECTURER, VILLAGE, MANAGER))
        for state in OPEN_STATES
    },
}

ACTIONS: dict[str, str] = {
    "assign": N_("派单"),
    "withdraw": N_("收回派单"),
    "accept": N_("接单"),
    "decline": N_("婉拒"),
    "expire": N_("超时未接单"),
    "schedule": N_("确认排期"),
    "reschedule": N_("改期"),
    "deliver": N_("登记宣讲完成"),
    "rate": N_("评价"),
    "close": N_("结案"),
    "cancel": N_("取消点单"),
}


class TransitionRefused(Exception):
    """A refused step; ``message`` is shown to the person, ``status`` is the HTTP status."""

    def __init__(self, message: str, status: int = 409):
        super().__init__(message)
        self.message = message
        self.status = status


def actor_kinds(user, request: LectureRequest) -> set[str]:
    """What ``user`` is to this request: a manager, its lecturer, its village's coordinator."""
    kinds: set[str] = set()
    if user is None:
        return {SYSTEM}
    if not getattr(user, "is_authenticated", False):
        return kinds
    if permissions.can(user, "lecturers.manage", request):
        kinds.add(MANAGER)
    if request.lecturer is not None and request.lecturer.user_id == user.id:
        kinds.add(LECTURER)
    if permissions.can(user, "lecturers.request", request):
        kinds.add(VILLAGE)
    return kinds


def allowed_actions(user, request: LectureRequest) -> list[str]:
    """The actions ``user`` may take now, in table order (for the buttons on the page)."""
    kinds = actor_kinds(user, request)
    return [
        action
        for (state, action), step in TRANSITIONS.items()
        if state == request.state and step.actors & kinds
    ]


def _refuse_unless_allowed(user, request: LectureRequest, action: str) -> Transition:
    if action not in ACTIONS:
        raise TransitionRefused(f"未知操作：{action}", 404)
    kinds = actor_kinds(user, request)
    step = TRANSITIONS.get((request.state, action))
    if step is None:
        raise TransitionRefused(
            f"点单当前状态为「{STATES[request.state]}」，不能{ACTIONS[action]}。", 409
        )
    if not step.actors & kinds:
        raise TransitionRefused(f"您无权对这个点单执行「{ACTIONS[action]}」。", 403)
    return step


def _recipients(request: LectureRequest, who: tuple[str, ...], lecturer_user_id) -> set[int]:
    ids: set[int] = set()
    if LECTURER in who and lecturer_user_id:
        ids.add(lecturer_user_id)
    if VILLAGE in who:
        ids |= {u.id for u in accounts.users_with_role("village_coordinator", request.village)}
    if MANAGER in who:
        ids |= {u.id for u in accounts.users_with_role("programme_manager", request.village)}
    return ids


def apply(request: LectureRequest, action: str, user, **data) -> RequestEvent:
    """Move ``request`` by ``action`` for ``user``; raise ``TransitionRefused`` (nothing changed).

    ``data`` carries what the action needs (lecturer, slot_id, reason, attendance ...).
    """
    from plugins.lecturers.requests import effects  # the per-action checks and changes

    step = _refuse_unless_allowed(user, request, action)
    previous_state = request.state
    previous_lecturer_user = request.lecturer.user_id if request.lecturer else None
    # Checks first (they raise before anything is touched), then the change.
    reason = getattr(effects, action)(request, user, **data)
    now = utcnow()
    request.state = step.target
    if step.target != previous_state:
        request.state_changed_at = now
    request.updated_at = now
    request.sequence = (request.sequence or 0) + 1
    event = RequestEvent(
        request_id=request.id,
        action=action,
        from_state=previous_state,
        to_state=step.target,
        actor_id=user.id if user is not None else None,
        reason=reason or "",
        created_at=now,
    )
    db.session.add(event)
    summary = (
        f"点单 #{request.id} {request.topic.name}（{request.village.name}）：{ACTIONS[action]}"
    )
    audit.record(f"lecturers.{action}", request, summary + (f",{reason}" if reason else ""))
    lecturer_user = request.lecturer.user_id if request.lecturer else previous_lecturer_user
    actor_id = user.id if user is not None else None
    for user_id in _recipients(request, step.notify, lecturer_user) - {actor_id}:
        notify.notify(
            user_id,
            f"微讲堂点单{ACTIONS[action]}：{request.topic.name}（{request.village.name}）",
            f"状态：{STATES[step.target]}" + (f"。说明：{reason}" if reason else ""),
            link=f"/lectures/requests/{request.id}",
            kind="dispatch",
        )
    return event


def record_submission(request: LectureRequest, user) -> None:
    """The first timeline row, audit entry and notifications of a new request."""
    db.session.add(
        RequestEvent(
            request_id=request.id,
            action="submit",
            from_state=None,
            to_state="submitted",
            actor_id=user.id,
        )
    )
    audit.record(
        "lecturers.submit",
        request,
        f"点单 #{request.id} {request.topic.name}（{request.village.name}）：提交",
    )
    for user_id in _recipients(request, (MANAGER,), None) - {user.id}:
        notify.notify(
            user_id,
            f"新的微讲堂点单：{request.topic.name}（{request.village.name}）",
            "请在派单队列中为它选派讲师。",
            link=f"/lectures/requests/{request.id}",
        )


def has_declined(request_id: int, lecturer_id: int) -> bool:
    return (
        db.session.scalar(
            select(Decline.id).where(
                Decline.request_id == request_id, Decline.lecturer_id == lecturer_id
            )
        )
        is not None
    )
