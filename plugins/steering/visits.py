"""Inspection visits (检查指导): the checklist from what the site holds, findings into tasks."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import select

from core import audit
from core.extensions import db
from core.i18n import translate
from core.models import OrgUnit
from core.plugins import get_service
from core.timeutil import local_today
from plugins.steering import services
from plugins.steering.models import CHECK_RESULTS, MATERIALS, Task, Visit, VisitCheck


@dataclass
class ChecklistRow:
    """One material of the checklist with the site's holdings for the unit and period."""

    material: str
    label: str
    holdings: list = field(default_factory=list)


def checklist(unit: OrgUnit, start: date, end: date) -> tuple[list[ChecklistRow], bool]:
    """The checklist rows and whether the calendar could be asked (False: it is switched off).

    ``end`` is the last day checked (inclusive).
    """
    service = get_service("calendar_holdings")
    found = service.unit_holdings(unit.id, start, end + timedelta(days=1)) if service else []
    rows = [ChecklistRow(key, label) for key, label in MATERIALS.items()]
    by_key = {row.material: row for row in rows}
    for holding in found:
        if holding.kind in by_key:
            by_key[holding.kind].holdings.append(holding)
    return rows, service is not None


def finding_lines(findings: str) -> list[str]:
    """Each non-empty line of the findings is one finding (and one task if asked)."""
    return [
        line.strip(" -·、\t") for line in (findings or "").splitlines() if line.strip(" -·、\t")
    ]


def record_visit(
    unit: OrgUnit,
    user,
    *,
    visited_on: date,
    visitors: str,
    period_start: date,
    period_end: date,
    findings: str,
    results: dict[str, tuple[str, str]],
    task_owner_id: int | None = None,
    task_deadline: date | None = None,
) -> Visit:
    """Save a visit with its checks; with an owner, each finding becomes a task for the unit.

    Raises ``services.TaskError`` before anything is kept when a task would be refused; the caller
    commits (or rolls back on the error).
    """
    if visited_on > local_today():
        raise services.TaskError(translate("检查日期不能晚于今天。"), "visited_on")
    if any(result not in CHECK_RESULTS for result, _note in results.values()):
        raise services.TaskError(translate("请为每项资料选择检查结果。"), "visitors")
    rows, _asked = checklist(unit, period_start, period_end)
    counts = {row.material: len(row.holdings) for row in rows}
    visit = Visit(
        org_unit_id=unit.id,
        visited_on=visited_on,
        visitors=visitors,
        findings=findings or "",
        period_start=period_start,
        period_end=period_end,
        recorded_by_id=user.id,
    )
    visit.checks = [
        VisitCheck(
            material=key,
            result=results.get(key, ("missing", ""))[0],
            note=results.get(key, ("missing", ""))[1][:200],
            site_count=counts.get(key, 0),
        )
        for key in MATERIALS
    ]
    db.session.add(visit)
    db.session.flush()
    audit.record("steering.visit_recorded", visit, f"检查指导 {unit.name} {visited_on.isoformat()}")
    lines = finding_lines(findings)
    if task_owner_id:
        if not lines:
            raise services.TaskError(
                translate("没有可生成整改任务的问题，请逐行填写发现的问题。"), "findings"
            )
        for line in lines:
            services.create_task(
                unit,
                line,
                task_owner_id,
                task_deadline,
                user,
                source="visit",
                visit_id=visit.id,
                description=translate("检查指导 %(day)s 发现的问题。")
                % {"day": visited_on.isoformat()},
            )
    return visit


def visit_tasks(visit: Visit) -> list[Task]:
    return list(db.session.scalars(select(Task).where(Task.visit_id == visit.id).order_by(Task.id)))


def visible_visits(unit_ids: set[int]) -> list[Visit]:
    return list(
        db.session.scalars(
            select(Visit)
            .where(Visit.org_unit_id.in_(unit_ids))
            .order_by(Visit.visited_on.desc(), Visit.id.desc())
        )
    )
