"""People's mediation: who may see what, and the case workflow (request → schedule → outcome).

The description and the parties are confidential (DESIGN: "confidential cases only their
assigned officers"). Who sees what:

- the case's assigned mediators (``kind == "mediator"``, not recused), the justice office
  (holders of ``volunteers.manage_mediation`` on the case's village: the ``mediator`` role held
  at the town) and site admins: everything;
- the requester: their own case, as they wrote it;
- a helping volunteer (``kind == "volunteer"``): the session's time, place and their task only;
- anyone else, including a mediator not assigned to the case: 404, as if it did not exist.
"""

from __future__ import annotations

from datetime import date, datetime

from flask import abort
from sqlalchemy import or_, select

from core import audit, notify, permissions
from core.extensions import db
from core.models import User
from core.timeutil import utcnow
from plugins.volunteers.mediation.models import CASE_TRANSITIONS, CaseMediator, MediationCase
from plugins.volunteers.services import _


class CaseError(ValueError):
    """A workflow step the rules refuse (shown to the user)."""


def is_office(user, case: MediationCase | None = None) -> bool:
    return permissions.can(user, "volunteers.manage_mediation", case)


def _active_row(user, case: MediationCase) -> CaseMediator | None:
    if user is None or not user.is_authenticated:
        return None
    return next((m for m in case.active_mediators if m.user_id == user.id), None)


def is_assigned(user, case: MediationCase) -> bool:
    """An assigned mediator (not a helping volunteer) who has not stepped aside."""
    row = _active_row(user, case)
    return row is not None and row.kind == "mediator"


def is_helper(user, case: MediationCase) -> bool:
    """A volunteer helping at the session: sees time, place and task, never the case."""
    row = _active_row(user, case)
    return row is not None and row.kind != "mediator"


def can_see_private(user, case: MediationCase) -> bool:
    """Description and parties: assigned mediators, the justice office, admins."""
    if user is None or not user.is_authenticated:
        return False
    return is_office(user, case) or is_assigned(user, case)


def can_see_case(user, case: MediationCase) -> bool:
    """The case as written (type, village, description, parties): the above and the requester."""
    return can_see_private(user, case) or (
        user is not None and user.is_authenticated and case.requester_id == user.id
    )


def can_view(user, case: MediationCase) -> bool:
    """May open the case page at all (a helper gets the session-only page)."""
    if user is None or not user.is_authenticated:
        return False
    return can_see_case(user, case) or is_helper(user, case)


def get_visible(case_id: int, user) -> MediationCase:
    """The case, or 404 for anyone who may not see it (no leak that it exists)."""
    case = db.session.get(MediationCase, case_id)
    if case is None or not can_view(user, case):
        abort(404)
    return case


def visible_cases(user) -> list[MediationCase]:
    """Cases the user may open: their own requests, assigned ones, all in the office's units."""
    clauses = [
        MediationCase.requester_id == user.id,
        MediationCase.id.in_(
            select(CaseMediator.case_id).where(
                CaseMediator.user_id == user.id, CaseMediator.removed.is_(False)
            )
        ),
    ]
    office_units = permissions.unit_ids_where(user, "volunteers.manage_mediation")
    if office_units:
        clauses.append(MediationCase.org_unit_id.in_(office_units))
    return list(
        db.session.scalars(
            select(MediationCase)
            .where(or_(*clauses))
            .order_by(MediationCase.created_at.desc(), MediationCase.id.desc())
        )
    )


def upcoming_sessions(user_id: int, now: datetime | None = None) -> list[tuple]:
    """Scheduled sessions not yet over that ``user_id`` mediates or helps at: (case, kind)."""
    now = now or utcnow()
    rows = db.session.execute(
        select(MediationCase, CaseMediator.kind)
        .join(CaseMediator, CaseMediator.case_id == MediationCase.id)
        .where(
            CaseMediator.user_id == user_id,
            CaseMediator.removed.is_(False),
            MediationCase.state == "scheduled",
            MediationCase.ends_at > now,
        )
        .order_by(MediationCase.starts_at)
    ).all()
    return [(case, kind) for case, kind in rows]


def _move(case: MediationCase, state: str) -> None:
    if state not in CASE_TRANSITIONS[case.state]:
        raise CaseError(_("这个案件当前的状态不允许这样操作。"))
    case.state = state


def has_conflict(user: User, case: MediationCase) -> bool:
    """A mediator living in the village of the case or of a party should step aside."""
    return user.home_unit_id in case.conflict_village_ids()


def schedule(
    case: MediationCase,
    starts_at: datetime,
    ends_at: datetime,
    venue: str,
    mediator_ids: list[int],
    volunteer_ids: list[int],
) -> None:
    """Set or change the session; add mediators (flagging conflicts); notify those concerned."""
    if ends_at <= starts_at:
        raise CaseError(_("结束时间必须晚于开始时间。"))
    if not mediator_ids and not case.active_mediators:
        raise CaseError(_("请至少指定一名调解员。"))
    changed = (case.starts_at, case.ends_at, case.venue) != (starts_at, ends_at, venue)
    _move(case, "scheduled")
    case.starts_at, case.ends_at, case.venue = starts_at, ends_at, venue
    if changed:
        case.sequence += 1
    present = {m.user_id: m for m in case.mediators}
    for kind, ids in (("mediator", mediator_ids), ("volunteer", volunteer_ids)):
        for user_id in ids:
            user = db.session.get(User, user_id)
            if user is None:
                raise CaseError(_("所选人员不存在。"))
            row = present.get(user_id)
            if row is None:
                row = CaseMediator(user_id=user_id, kind=kind)
                case.mediators.append(row)
            row.removed, row.kind = False, kind
            row.conflict = has_conflict(user, case)
    db.session.flush()
    audit.record("volunteers.mediation_scheduled", case, "安排人民调解场次")
    stamp = int(utcnow().timestamp())
    for row in case.active_mediators:
        task = "调解员" if row.kind == "mediator" else "协助调解现场"
        notify.notify(
            row.user_id,
            "人民调解场次安排",
            f"您被安排参加一场人民调解活动（{task}），请查看时间和地点。",
            link=f"/volunteers/mediation/{case.id}",
            dedupe_key=f"volunteers:mediation:{case.id}:{row.user_id}:{case.sequence}:{stamp}",
        )
    notify.notify(
        case.requester_id,
        "您申请的人民调解已安排",
        "司法所已安排调解时间和地点，请查看。",
        link=f"/volunteers/mediation/{case.id}",
        dedupe_key=f"volunteers:mediation:{case.id}:requester:{case.sequence}:{stamp}",
    )


def recuse(case: MediationCase, row: CaseMediator, reason: str) -> None:
    """Take a mediator off the case (same village as a party, or any other reason)."""
    if row.case_id != case.id or row.removed:
        raise CaseError(_("这名调解员不在本案中。"))
    if case.state not in ("requested", "scheduled"):
        raise CaseError(_("案件已结束或已取消。"))
    row.removed, row.removed_reason = True, reason or "回避"
    case.sequence += 1
    audit.record("volunteers.mediator_recused", case, f"调解员回避：{row.user.display_name}")


def conclude(case: MediationCase, outcome: str, note: str, follow_up_on: date | None) -> None:
    if case.starts_at and case.starts_at > utcnow():
        raise CaseError(_("调解尚未开始，不能记录结果。"))
    _move(case, "concluded")
    case.outcome, case.outcome_note, case.follow_up_on = outcome, note, follow_up_on
    case.sequence += 1
    audit.record("volunteers.mediation_concluded", case, f"记录调解结果：{outcome}")


def cancel(case: MediationCase) -> None:
    _move(case, "cancelled")
    case.sequence += 1
    audit.record("volunteers.mediation_cancelled", case, "取消调解")
