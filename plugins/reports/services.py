"""Reads and writes of the reports plugin's own tables, and who sees which units."""

from __future__ import annotations

import math
from datetime import date, timedelta
from decimal import Decimal

from flask import current_app, request
from sqlalchemy import ColumnElement, and_, func, or_, select

from core import orgunits, timeutil
from core.extensions import db
from core.models import OrgUnit, OrgUnitKind
from core.permissions import can, unit_ids_where
from plugins.reports.models import (
    AssessmentWeight,
    Budget,
    Income,
    LearningItem,
    Spending,
    VillageGoal,
    YearTarget,
)

SPENDING_CATEGORIES = {
    "activity": "活动开展",
    "materials": "教材资料",
    "equipment": "设施设备",
    "lecturer": "讲师补贴",
    "publicity": "宣传",
    "other": "其他",
}

#: Where programme money comes from (经费收入).
INCOME_SOURCES = {
    "town_budget": "镇财政预算",
    "higher_grant": "上级拨款",
    "sponsor": "社会赞助",
    "other": "其他",
}


def towns() -> list[OrgUnit]:
    return list(
        db.session.scalars(
            select(OrgUnit)
            .where(OrgUnit.kind == OrgUnitKind.town, OrgUnit.active.is_(True))
            .order_by(OrgUnit.id)
        )
    )


def visible_villages(user) -> list[OrgUnit]:
    """Villages whose rows ``user`` may see in detail (all for town staff, own for coordinators)."""
    allowed = unit_ids_where(user, "reports.view")
    return [village for village in orgunits.villages() if village.id in allowed]


def within_seen_towns(units: list[OrgUnit], shown: set[int]) -> list[OrgUnit]:
    """Those of ``units`` whose town holds a unit in ``shown`` (ranking peers of what is shown)."""
    by_id = {unit.id: unit for unit in units}
    seen = set(shown) | {by_id[i].parent_id for i in shown if i in by_id}
    return [unit for unit in units if unit.parent_id in seen]


def managed_villages(user) -> list[OrgUnit]:
    """Villages whose goals ``user`` may set."""
    allowed = unit_ids_where(user, "reports.manage")
    return [village for village in orgunits.villages() if village.id in allowed]


def visible_districts(user) -> list[OrgUnit]:
    """Districts ``user`` sees whole (their overview shows the district, not its first town)."""
    districts = db.session.scalars(
        select(OrgUnit)
        .where(OrgUnit.kind == OrgUnitKind.district, OrgUnit.active.is_(True))
        .order_by(OrgUnit.id)
    )
    return [unit for unit in districts if can(user, "reports.view", unit)]


def visible_towns(user) -> list[OrgUnit]:
    return [town for town in towns() if can(user, "reports.view", town)]


def other_units() -> list[OrgUnit]:
    """Schools and departments, assessed beside the villages."""
    return list(
        db.session.scalars(
            select(OrgUnit)
            .where(
                OrgUnit.kind.in_((OrgUnitKind.school, OrgUnitKind.department)),
                OrgUnit.active.is_(True),
            )
            .order_by(OrgUnit.kind, OrgUnit.name)
        )
    )


def demonstration_ids() -> set[int]:
    return set(
        db.session.scalars(
            select(VillageGoal.org_unit_id).where(VillageGoal.demonstration.is_(True))
        )
    )


def set_demonstration(unit_ids: set[int], among: list[OrgUnit] | None = None) -> None:
    """Make exactly ``unit_ids`` the demonstration villages of ``among`` (default: all).

    Villages outside ``among`` (another town's) keep their flag. Caller audits and commits.
    """
    existing = {goal.org_unit_id: goal for goal in db.session.scalars(select(VillageGoal))}
    for village in orgunits.villages() if among is None else among:
        goal = existing.get(village.id)
        wanted = village.id in unit_ids
        if goal is None and wanted:
            db.session.add(VillageGoal(org_unit_id=village.id, demonstration=True))
        elif goal is not None and goal.demonstration != wanted:
            goal.demonstration = wanted


def targets(year: int) -> dict[str, int]:
    """The year's target per metric, whole numbers (a stored 21.8 reads as 22)."""
    rows = db.session.scalars(select(YearTarget).where(YearTarget.year == year))
    return {row.metric_key: math.ceil(row.target) for row in rows}


def weights(year: int) -> dict[str, float]:
    rows = db.session.scalars(
        select(AssessmentWeight)
        .where(AssessmentWeight.year == year, AssessmentWeight.weight > 0)
        .order_by(AssessmentWeight.id)
    )
    return {row.metric_key: float(row.weight) for row in rows}


def _replace(model, year: int, values: dict[str, Decimal | None], column: str) -> None:
    """Make the year's rows of ``model`` exactly ``values`` (None or absent: no row)."""
    for row in db.session.scalars(select(model).where(model.year == year)):
        db.session.delete(row)
    db.session.flush()
    for key, amount in values.items():
        if amount is not None:
            db.session.add(model(year=year, metric_key=key, **{column: amount}))


def save_targets(year: int, values: dict[str, Decimal | None]) -> None:
    """Targets are whole numbers: a fraction is rounded up (21.8 events → 22)."""
    whole = {key: None if v is None else Decimal(math.ceil(v)) for key, v in values.items()}
    _replace(YearTarget, year, whole, "target")


def progress_tolerance() -> float:
    """How far below the expected-to-date figure a village still counts as on track (0.1)."""
    return float(current_app.config.get("REPORTS_PROGRESS_TOLERANCE", 0.1))


def save_weights(year: int, values: dict[str, Decimal | None]) -> None:
    _replace(AssessmentWeight, year, values, "weight")


def funds_per_resident() -> Decimal:
    return Decimal(str(current_app.config.get("REPORTS_FUNDS_PER_RESIDENT", 2)))


def budget(unit_id: int, year: int) -> Budget | None:
    return db.session.scalar(
        select(Budget).where(Budget.org_unit_id == unit_id, Budget.year == year)
    )


def funds_rows(villages: list[OrgUnit], year: int) -> list[dict]:
    """Per village: population, standard, budget, spent, balance (budget − spent), income
    received and the funds balance (income − spent), below-standard flag."""
    ids = [village.id for village in villages]
    budgets = dict(
        db.session.execute(
            select(Budget.org_unit_id, Budget.amount).where(
                Budget.year == year, Budget.org_unit_id.in_(ids)
            )
        ).all()
    )
    spent = dict(
        db.session.execute(
            select(Spending.org_unit_id, func.sum(Spending.amount))
            .where(spent_in(year), Spending.org_unit_id.in_(ids))
            .group_by(Spending.org_unit_id)
        ).all()
    )
    received = dict(
        db.session.execute(
            select(Income.org_unit_id, func.sum(Income.amount))
            .where(received_in(year), Income.org_unit_id.in_(ids))
            .group_by(Income.org_unit_id)
        ).all()
    )
    per_resident = funds_per_resident()
    rows = []
    for village in villages:
        standard = (village.population or 0) * per_resident
        amount = Decimal(budgets.get(village.id) or 0)
        used = Decimal(spent.get(village.id) or 0)
        income = Decimal(received.get(village.id) or 0)
        rows.append(
            {
                "unit": village,
                "population": village.population or 0,
                "standard": standard,
                "budget": amount if village.id in budgets else None,
                "spent": used,
                "balance": amount - used,
                "income": income,
                "funds_balance": income - used,
                "below": amount < standard,
            }
        )
    return rows


def spent_in(year: int) -> ColumnElement[bool]:
    """Spending a year's 已支出 counts: dated in that year, not after today."""
    today = timeutil.local_today()
    return and_(
        Spending.spent_on >= date(year, 1, 1),
        Spending.spent_on < date(year + 1, 1, 1),
        Spending.spent_on <= today,
    )


def spendings(unit_id: int, year: int) -> list[Spending]:
    """The spending behind a village's 已支出 (the funds detail page lists exactly these)."""
    return list(
        db.session.scalars(
            select(Spending)
            .where(Spending.org_unit_id == unit_id, spent_in(year))
            .order_by(Spending.spent_on.desc(), Spending.id.desc())
        )
    )


def received_in(year: int) -> ColumnElement[bool]:
    """Income a year's 收入 counts: dated in that year, not after today."""
    today = timeutil.local_today()
    return and_(
        Income.received_on >= date(year, 1, 1),
        Income.received_on < date(year + 1, 1, 1),
        Income.received_on <= today,
    )


def incomes(unit_id: int, year: int) -> list[Income]:
    """The income behind a village's 收入 (the funds detail page lists exactly these)."""
    return list(
        db.session.scalars(
            select(Income)
            .where(Income.org_unit_id == unit_id, received_in(year))
            .order_by(Income.received_on.desc(), Income.id.desc())
        )
    )


def for_requested_town(query):
    """Narrow to ``?town=<id>``: that town's items and those for everyone, not another town's."""
    unit = orgunits.requested_unit(request.args)
    if unit is None:
        return query
    return query.where(
        or_(
            LearningItem.org_unit_id.is_(None),
            LearningItem.org_unit_id.in_(orgunits.related_unit_ids(unit)),
        )
    )


def items_between(first: date, after: date) -> list[LearningItem]:
    """The 指尖学习 items published on the local days [first, after) up to today, not withdrawn,
    for the requested town (``?town=``), oldest first."""
    return list(
        db.session.scalars(
            for_requested_town(select(LearningItem))
            .where(
                LearningItem.publish_on >= first,
                LearningItem.publish_on < min(after, timeutil.local_today() + timedelta(days=1)),
                LearningItem.withdrawn.is_(False),
            )
            .order_by(LearningItem.publish_on, LearningItem.id)
        )
    )
