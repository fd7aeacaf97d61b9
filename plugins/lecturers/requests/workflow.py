"""The request workflow as ONE table (``TABLE``, a ``core.statemachine.Table``):
(state, action) → (new state, who may, who hears of it).

``TABLE.apply`` is the only place a request changes state: it checks the actor on the object,
runs the action's checks and effects (``effects.py``), writes the timeline row (``on_applied``),
the audit row (``lecturers.<action>``) and queues the notices. The caller commits
(``services.perform`` does, then sends signals).
"""

from __future__ import annotations

from core import accounts, audit, notify, permissions
from core.extensions import db
from core.statemachine import SYSTEM, Applied, Table, step
from core.timeutil import utcnow
from plugins.lecturers.models import N_
from plugins.lecturers.requests import effects
from plugins.lecturers.requests.models import OPEN_STATES, STATES, LectureRequest, RequestEvent

MANAGER, LECTURER, VILLAGE = "manager", "lecturer", "village"
#: ``SYSTEM`` is the site itself (cron): ``TABLE.apply(..., user=None)``; no person can take it.
ACTOR_KINDS = (MANAGER, LECTURER, VILLAGE, SYSTEM)

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


def subject(request: LectureRequest) -> str:
    """The request as audit rows name it: 点单 #3 专题（村）."""
    return f"点单 #{request.id} {request.topic.name}（{request.village.name}）"


def recipients(request: LectureRequest, who: tuple[str, ...]) -> set[int]:
    """The people behind the notify kinds; a lecturer the step took off the request still
    hears of it (withdraw, decline, expire)."""
    ids: set[int] = set()
    lecturer_user_id = (
        request.lecturer.user_id
        if request.lecturer is not None
        else getattr(request, "former_lecturer_user_id", None)
    )
    if LECTURER in who and lecturer_user_id:
        ids.add(lecturer_user_id)
    if VILLAGE in who:
        ids |= {u.id for u in accounts.users_with_role("village_coordinator", request.village)}
    if MANAGER in who:
        ids |= {u.id for u in accounts.users_with_role("programme_manager", request.village)}
    return ids


def notice(applied: Applied) -> tuple[str, str]:
    request = applied.obj
    return (
        f"微讲堂点单{ACTIONS[applied.action]}：{request.topic.name}（{request.village.name}）",
        f"状态：{STATES[applied.to_state]}"
        + (f"。说明：{applied.reason}" if applied.reason else ""),
    )


def record_step(applied: Applied) -> None:
    """The timeline row of a step; every step raises ``sequence`` (iCalendar SEQUENCE)."""
    request, now = applied.obj, utcnow()
    if applied.to_state != applied.from_state:
        request.state_changed_at = now
    request.updated_at = now
    request.sequence = (request.sequence or 0) + 1
    db.session.add(
        RequestEvent(
            request_id=request.id,
            action=applied.action,
            from_state=applied.from_state,
            to_state=applied.to_state,
            actor_id=applied.actor.id if applied.actor is not None else None,
            reason=applied.reason,
            created_at=now,
        )
    )


def link(request: LectureRequest) -> tuple[str, dict]:
    return ("lecturers.request_detail", {"request_id": request.id})


#: The whole workflow. Anything not in this table is refused.
TABLE = Table(
    audit_prefix="lecturers",
    noun="点单",
    states=STATES,
    actions=ACTIONS,
    transitions={
        ("submitted", "assign"): step("assigned", {MANAGER}, (LECTURER, VILLAGE)),
        ("assigned", "withdraw"): step("submitted", {MANAGER}, (LECTURER, VILLAGE)),
        ("assigned", "accept"): step("accepted", {LECTURER}, (MANAGER, VILLAGE)),
        ("assigned", "decline"): step("submitted", {LECTURER}, (MANAGER, VILLAGE)),
        # 限时接单: not accepted in LECTURERS_ACCEPT_HOURS, back to the dispatch queue.
        ("assigned", "expire"): step("submitted", {SYSTEM}, (LECTURER, MANAGER)),
        ("accepted", "schedule"): step(
            "scheduled", {MANAGER, VILLAGE}, (LECTURER, VILLAGE, MANAGER)
        ),
        ("scheduled", "reschedule"): step("scheduled", {MANAGER}, (LECTURER, VILLAGE)),
        ("scheduled", "deliver"): step("delivered", {LECTURER, MANAGER}, (VILLAGE, MANAGER)),
        ("delivered", "rate"): step("rated", {VILLAGE}, (LECTURER, MANAGER)),
        ("rated", "close"): step("closed", {MANAGER}, (LECTURER, VILLAGE)),
        **{
            (state, "cancel"): step("cancelled", {VILLAGE, MANAGER}, (LECTURER, VILLAGE, MANAGER))
            for state in OPEN_STATES
        },
    },
    actor_kinds=actor_kinds,
    subject=subject,
    recipients=recipients,
    effects=effects.EFFECTS,
    link=link,
    notice=notice,
    notice_kind="dispatch",
    on_applied=record_step,
)


def record_submission(request: LectureRequest, user) -> None:
    """The first timeline row, audit entry and notifications of a new request (its state is
    ``submitted`` from creation; every later change goes through ``TABLE.apply``)."""
    db.session.add(
        RequestEvent(
            request_id=request.id,
            action="submit",
            from_state=None,
            to_state="submitted",
            actor_id=user.id,
        )
    )
    audit.record("lecturers.submit", request, f"{subject(request)}：提交")
    for user_id in recipients(request, (MANAGER,)) - {user.id}:
        notify.notify(
            user_id,
            f"新的微讲堂点单：{request.topic.name}（{request.village.name}）",
            "请在派单队列中为它选派讲师。",
            link=link(request),
        )
