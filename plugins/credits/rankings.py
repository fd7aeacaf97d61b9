"""Read-only sums over the ledger: a person's totals, rankings, households, and ``counted``,
the one filter behind every period figure (``hooks.earned_by_unit`` sums it per unit)."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime

from sqlalchemy import ColumnElement, and_, exists, func, select
from sqlalchemy.orm import aliased, selectinload

from core.extensions import db
from core.figures import figure_bounds
from core.models import OrgUnit, User
from plugins.credits.models import CREDIT, REVERSAL, CreditEntry, CreditHousehold
from plugins.credits.services import activity_label


def counted(start: date | datetime, end: date | datetime) -> ColumnElement[bool]:
    """The ledger entries a period's figures count: credits (not reversal lines) that were never
    reversed, dated inside [start, end) and before now. Every sum by period uses it."""
    first, cutoff = figure_bounds(start, end)
    reversal = aliased(CreditEntry)
    reversed_ = exists().where(
        reversal.source == CreditEntry.source,
        reversal.source_kind == CreditEntry.source_kind,
        reversal.source_id == CreditEntry.source_id,
        reversal.user_id == CreditEntry.user_id,
        reversal.entry_kind == REVERSAL,
        reversal.generation == CreditEntry.generation,
    )
    return and_(
        CreditEntry.entry_kind == CREDIT,
        CreditEntry.occurred_at >= first,
        CreditEntry.occurred_at < cutoff,
        ~reversed_,
    )


def counted_entries(
    start: date | datetime, end: date | datetime, unit_ids: Collection[int]
) -> list[CreditEntry]:
    """The entries behind ``credits.earned`` of the people of ``unit_ids``, oldest first."""
    return list(
        db.session.scalars(
            select(CreditEntry)
            .where(counted(start, end), CreditEntry.org_unit_id.in_(list(unit_ids)))
            .options(selectinload(CreditEntry.user))
            .order_by(CreditEntry.occurred_at, CreditEntry.id)
        )
    )


def totals_by_rule(user_id: int) -> list[tuple[str, int]]:
    rows = db.session.execute(
        select(CreditEntry.rule, func.sum(CreditEntry.amount))
        .where(CreditEntry.user_id == user_id)
        .group_by(CreditEntry.rule)
        .order_by(CreditEntry.rule)
    ).all()
    return [(activity_label(rule), int(total)) for rule, total in rows]


def person_ranking(
    start: datetime, end: datetime, unit_ids: set[int] | None = None, limit: int = 50
) -> list[tuple[int, str, str, int]]:
    """(user id, name, village, credits) for the period, best first."""
    total = func.sum(CreditEntry.amount).label("total")
    query = (
        select(User.id, User.display_name, OrgUnit.name, total)
        .join(User, User.id == CreditEntry.user_id)
        .outerjoin(OrgUnit, OrgUnit.id == CreditEntry.org_unit_id)
        .where(counted(start, end))
        .group_by(User.id, User.display_name, OrgUnit.name)
        .having(func.sum(CreditEntry.amount) > 0)
        .order_by(total.desc(), User.id)
        .limit(limit)
    )
    if unit_ids is not None:
        query = query.where(CreditEntry.org_unit_id.in_(unit_ids))
    return [(row[0], row[1], row[2] or "", int(row[3])) for row in db.session.execute(query)]


def village_ranking(start: datetime, end: datetime) -> list[tuple[int, str, int, int]]:
    """(unit id, village name, credits, people credited) for the period, best first."""
    total = func.sum(CreditEntry.amount).label("total")
    rows = db.session.execute(
        select(OrgUnit.id, OrgUnit.name, total, func.count(func.distinct(CreditEntry.user_id)))
        .join(OrgUnit, OrgUnit.id == CreditEntry.org_unit_id)
        .where(counted(start, end))
        .group_by(OrgUnit.id, OrgUnit.name)
        .order_by(total.desc(), OrgUnit.name)
    ).all()
    return [(row[0], row[1], int(row[2]), int(row[3])) for row in rows]


def household_ranking(
    start: datetime, end: datetime, unit_ids: set[int] | None = None
) -> list[tuple[str, str, int, int]]:
    """(village, household, people credited, credits) for the period, best first."""
    total = func.sum(CreditEntry.amount).label("total")
    query = (
        select(
            OrgUnit.name,
            CreditHousehold.name,
            func.count(func.distinct(CreditEntry.user_id)),
            total,
        )
        .join(CreditHousehold, CreditHousehold.user_id == CreditEntry.user_id)
        .join(User, User.id == CreditEntry.user_id)
        .join(OrgUnit, OrgUnit.id == User.home_unit_id)
        .where(counted(start, end))
        .group_by(OrgUnit.name, CreditHousehold.name)
        .order_by(total.desc(), OrgUnit.name, CreditHousehold.name)
    )
    if unit_ids is not None:
        query = query.where(User.home_unit_id.in_(unit_ids))
    return [(row[0], row[1], int(row[2]), int(row[3])) for row in db.session.execute(query)]


def household_members(user_id: int) -> tuple[str | None, list[tuple[int, str, int]]]:
    """The household name of ``user_id`` and its members (same village) with their balances."""
    mine = db.session.scalar(select(CreditHousehold).where(CreditHousehold.user_id == user_id))
    if mine is None:
        return None, []
    home = db.session.scalar(select(User.home_unit_id).where(User.id == user_id))
    rows = db.session.execute(
        select(User.id, User.display_name, func.coalesce(func.sum(CreditEntry.amount), 0))
        .join(CreditHousehold, CreditHousehold.user_id == User.id)
        .outerjoin(CreditEntry, CreditEntry.user_id == User.id)
        .where(CreditHousehold.name == mine.name, User.home_unit_id == home)
        .group_by(User.id, User.display_name)
        .order_by(User.display_name)
    ).all()
    return mine.name, [(row[0], row[1], int(row[2])) for row in rows]
