"""People's mediation: who may see what (the workflow itself is ``workflow.CASES``).

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

from datetime import datetime

from flask import abort
from sqlalchemy import or_, select

from core import permissions
from core.extensions import db
from core.timeutil import utcnow
from plugins.volunteers.mediation.models import CaseMediator, MediationCase


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
