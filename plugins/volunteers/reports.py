"""Figures: service hours by volunteer, team and village; mediation sessions.

A unit's figure counts the unit and everything below it (``OrgUnit.path`` prefix); the
report metrics themselves are in ``hooks.py`` and filter with the functions here.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime

from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.orm import selectinload

from core import exports
from core.extensions import db
from core.figures import figure_bounds
from core.models import OrgUnit
from core.timeutil import to_local
from plugins.volunteers.mediation.models import MediationCase
from plugins.volunteers.models import Assignment, Profile, Shift, ShiftRole


def hours_counted(start: date | datetime, end: date | datetime) -> ColumnElement[bool]:
    """The service records a period counts: hours confirmed, on a shift not cancelled that
    ended inside [start, end) and before now. The figure, its evidence page and the hours
    report all filter with it."""
    first, cutoff = figure_bounds(start, end)
    return and_(
        Assignment.hours_confirmed_at.is_not(None),
        Shift.cancelled.is_(False),
        Shift.ends_at >= first,
        Shift.ends_at < cutoff,
    )


def mediation_counted(start: date | datetime, end: date | datetime) -> ColumnElement[bool]:
    """The mediation sessions a period counts: concluded with an outcome recorded, the
    session ended inside [start, end) and before now."""
    first, cutoff = figure_bounds(start, end)
    ended = func.coalesce(MediationCase.ends_at, MediationCase.starts_at)
    return and_(
        MediationCase.state == "concluded",
        MediationCase.outcome.is_not(None),
        ended >= first,
        ended < cutoff,
    )


def hour_records(unit_path: str | None, unit_ids: set[int], start, end) -> list[Assignment]:
    """The records ``hours_counted`` takes in [start, end) at shifts within the given units."""
    query = (
        select(Assignment)
        .join(ShiftRole, ShiftRole.id == Assignment.role_id)
        .join(Shift, Shift.id == ShiftRole.shift_id)
        .join(OrgUnit, OrgUnit.id == Shift.org_unit_id)
        .where(hours_counted(start, end), Shift.org_unit_id.in_(unit_ids))
        .options(
            selectinload(Assignment.user),
            selectinload(Assignment.role)
            .selectinload(ShiftRole.shift)
            .selectinload(Shift.org_unit),
        )
        .order_by(Shift.starts_at, Assignment.id)
    )
    if unit_path:
        query = query.where(OrgUnit.path.startswith(unit_path))
    return list(db.session.scalars(query))


def mediation_sessions(
    unit_path: str | None, unit_ids: set[int], start, end
) -> list[MediationCase]:
    """The sessions ``mediation_counted`` takes in [start, end) of cases within the units."""
    query = (
        select(MediationCase)
        .join(OrgUnit, OrgUnit.id == MediationCase.org_unit_id)
        .where(mediation_counted(start, end), MediationCase.org_unit_id.in_(unit_ids))
        .order_by(MediationCase.starts_at, MediationCase.id)
    )
    if unit_path:
        query = query.where(OrgUnit.path.startswith(unit_path))
    return list(db.session.scalars(query))


def summarise(records: list[Assignment]) -> dict[str, list[tuple[str, float, int]]]:
    """Totals by volunteer, team and village of service: (name, hours, records)."""
    profiles = {
        p.user_id: p
        for p in db.session.scalars(
            select(Profile)
            .where(Profile.user_id.in_({r.user_id for r in records}))
            .options(selectinload(Profile.teams))
        )
    }
    groups: dict[str, dict[str, list[float]]] = {
        "volunteer": defaultdict(list),
        "team": defaultdict(list),
        "village": defaultdict(list),
    }
    for record in records:
        hours = float(record.hours or 0)
        groups["volunteer"][record.user.display_name].append(hours)
        groups["village"][record.shift.org_unit.name].append(hours)
        profile = profiles.get(record.user_id)
        for team in (profile.teams if profile else []) or []:
            groups["team"][team.name].append(hours)
        if not profile or not profile.teams:
            groups["team"]["（未加入志愿队）"].append(hours)
    return {
        key: sorted(
            ((name, round(sum(v), 2), len(v)) for name, v in table.items()),
            key=lambda row: (-row[1], row[0]),
        )
        for key, table in groups.items()
    }


def roster_table(unit_ids: set[int]) -> tuple[list[str], list[tuple[str, list[int], int]]]:
    """Approved volunteers by home village (rows) and skill (columns)."""
    profiles = db.session.scalars(
        select(Profile)
        .where(Profile.status == "approved", Profile.home_unit_id.in_(unit_ids))
        .options(selectinload(Profile.skills), selectinload(Profile.home_unit))
    ).all()
    skills = sorted({s for p in profiles for s in p.skills}, key=lambda s: s.id)
    by_village: dict[str, list[Profile]] = defaultdict(list)
    for profile in profiles:
        by_village[profile.home_unit.name if profile.home_unit else "-"].append(profile)
    rows = []
    for village, people in sorted(by_village.items()):
        counts = [sum(1 for p in people if skill in p.skills) for skill in skills]
        rows.append((village, counts, len(people)))
    return [s.name for s in skills], rows


def export_xlsx(records: list[Assignment], start, end) -> bytes:
    """An XLSX workbook: every record, then totals by volunteer, team and village."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "服务记录"
    sheet.append(["日期", "班次", "岗位", "地点", "志愿者", "时长（小时）"])
    for r in records:
        sheet.append(
            [
                to_local(r.shift.starts_at).strftime("%Y-%m-%d %H:%M"),
                r.shift.title,
                r.role.name,
                r.shift.org_unit.name,
                r.user.display_name,
                float(r.hours or 0),
            ]
        )
    labels = {"volunteer": "按志愿者", "team": "按志愿队", "village": "按服务村（社区）"}
    for key, rows in summarise(records).items():
        table = book.create_sheet(labels[key])
        table.append(["名称", "时长（小时）", "记录数"])
        for row in rows:
            table.append(list(row))
    info = book.create_sheet("说明")
    info.append(["统计期间", f"{start} 至 {end}（不含）"])
    return exports.xlsx_bytes(book)
