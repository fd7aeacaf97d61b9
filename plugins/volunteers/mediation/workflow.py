"""The mediation case as one table (``core.statemachine``): request → schedule → outcome.

Only the justice office (``volunteers.manage_mediation`` on the case's village) takes steps.
Audit rows name the case by number only: the type, the description and the parties stay out
of the log. A schedule tells each person on the case their task and the requester that it is
arranged, each in their own words, so its notices are sent by ``on_applied``.
"""

from __future__ import annotations

from datetime import date, datetime

from core import notify, permissions
from core.extensions import db
from core.i18n import translate as _
from core.models import User
from core.statemachine import Applied, Table, TransitionRefused, step
from core.timeutil import utcnow
from plugins.volunteers.mediation.models import CaseMediator, MediationCase

OFFICE = "office"

ACTIONS = {
    "schedule": "安排调解场次",
    "recuse": "调解员回避",
    "conclude": "记录调解结果",
    "cancel": "取消调解",
}
OPEN = ("requested", "scheduled")


def _kinds(user, case: MediationCase) -> set[str]:
    return {OFFICE} if permissions.can(user, "volunteers.manage_mediation", case) else set()


def has_conflict(user: User, case: MediationCase) -> bool:
    """A mediator living in the village of the case or of a party should step aside."""
    return user.home_unit_id in case.conflict_village_ids()


def _schedule(
    case: MediationCase,
    actor,
    *,
    starts_at: datetime,
    ends_at: datetime,
    venue: str,
    mediator_ids: list[int],
    volunteer_ids: list[int],
) -> None:
    """Set or change the session; add mediators and helpers, flagging same-village ones."""
    if ends_at <= starts_at:
        raise TransitionRefused(_("结束时间必须晚于开始时间。"), 422)
    if not mediator_ids and not case.active_mediators:
        raise TransitionRefused(_("请至少指定一名调解员。"), 422)
    people = {uid: db.session.get(User, uid) for uid in [*mediator_ids, *volunteer_ids]}
    if None in people.values():
        raise TransitionRefused(_("所选人员不存在。"), 422)
    if (case.starts_at, case.ends_at, case.venue) != (starts_at, ends_at, venue):
        case.sequence += 1
    case.starts_at, case.ends_at, case.venue = starts_at, ends_at, venue
    present = {m.user_id: m for m in case.mediators}
    for kind, ids in (("mediator", mediator_ids), ("volunteer", volunteer_ids)):
        for user_id in ids:
            row = present.get(user_id)
            if row is None:
                row = present[user_id] = CaseMediator(user_id=user_id, kind=kind)
                case.mediators.append(row)
            row.removed, row.kind = False, kind
            row.conflict = has_conflict(people[user_id], case)
    db.session.flush()


def _recuse(case: MediationCase, actor, *, row: CaseMediator | None, reason: str) -> str:
    """Take a mediator off the case (same village as a party, or any other reason)."""
    if row is None or row.case_id != case.id or row.removed:
        raise TransitionRefused(_("这名调解员不在本案中。"), 422)
    row.removed, row.removed_reason = True, reason or "回避"
    case.sequence += 1
    return row.user.display_name


def _conclude(
    case: MediationCase, actor, *, outcome: str, note: str, follow_up_on: date | None
) -> str:
    if case.starts_at and case.starts_at > utcnow():
        raise TransitionRefused(_("调解尚未开始，不能记录结果。"), 422)
    case.outcome, case.outcome_note, case.follow_up_on = outcome, note, follow_up_on
    case.sequence += 1
    return outcome


def _cancel(case: MediationCase, actor) -> None:
    case.sequence += 1


def _notify_schedule(applied: Applied) -> None:
    """Everyone on the case hears of their task; the requester that it is arranged."""
    if applied.action != "schedule":
        return
    case = applied.obj
    link = ("volunteers.mediation_detail", {"case_id": case.id})
    stamp = int(utcnow().timestamp())
    for row in case.active_mediators:
        task = "调解员" if row.kind == "mediator" else "协助调解现场"
        notify.notify(
            row.user_id,
            "人民调解场次安排",
            f"您被安排参加一场人民调解活动（{task}），请查看时间和地点。",
            link=link,
            dedupe_key=f"volunteers:mediation:{case.id}:{row.user_id}:{case.sequence}:{stamp}",
        )
    notify.notify(
        case.requester_id,
        "您申请的人民调解已安排",
        "司法所已安排调解时间和地点，请查看。",
        link=link,
        dedupe_key=f"volunteers:mediation:{case.id}:requester:{case.sequence}:{stamp}",
    )


CASES = Table(
    audit_prefix="volunteers",
    noun="调解案件",
    states={
        "requested": "待安排",
        "scheduled": "已安排",
        "concluded": "已结束",
        "cancelled": "已取消",
    },
    actions=ACTIONS,
    transitions={
        ("requested", "schedule"): step(
            "scheduled", {OFFICE}, audit="volunteers.mediation_scheduled"
        ),
        # a new time, place or mediators
        ("scheduled", "schedule"): step(
            "scheduled", {OFFICE}, audit="volunteers.mediation_scheduled"
        ),
        **{
            (state, "recuse"): step(state, {OFFICE}, audit="volunteers.mediator_recused")
            for state in OPEN
        },
        ("scheduled", "conclude"): step(
            "concluded", {OFFICE}, audit="volunteers.mediation_concluded"
        ),
        **{
            (state, "cancel"): step("cancelled", {OFFICE}, audit="volunteers.mediation_cancelled")
            for state in OPEN
        },
    },
    actor_kinds=_kinds,
    subject=lambda case: f"调解案件 #{case.id}",
    effects={"schedule": _schedule, "recuse": _recuse, "conclude": _conclude, "cancel": _cancel},
    on_applied=_notify_schedule,
)
