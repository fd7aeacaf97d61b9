"""The report tables: month by month, the progress bulletin, goals, the annual assessment.

Each builder returns plain rows that the HTML page, the XLSX and the tests read alike.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from core.hooktypes import Metric
from core.models import OrgUnit
from plugins.reports import metrics as m
from plugins.reports import services


@dataclass
class Column:
    key: str
    label: str
    unit: str


@dataclass
class Row:
    unit: OrgUnit | None
    label: str
    values: dict[str, float]
    links: dict[str, str] = field(default_factory=dict)
    score: float = 0.0
    rank: int = 0
    parts: dict[str, float] = field(default_factory=dict)


def columns(found: dict[str, Metric]) -> list[Column]:
    return [Column(key, metric.label, metric.unit) for key, metric in found.items()]


def monthly(unit: OrgUnit, start: date, end: date) -> tuple[list[Column], list[Row], Row]:
    """One unit's metrics per month of [start, end), with a total row."""
    rows, seen = [], {}
    for first, after in m.months(start, end):
        found = m.collect([unit.id], first, after)
        seen.update({key: metric for key, metric in found.items() if key not in seen})
        rows.append(
            Row(
                None,
                f"{first.year}年{first.month}月",
                {key: m.value(metric, unit.id) for key, metric in found.items()},
                {key: m.evidence(metric, unit.id, first, after) for key, metric in found.items()},
            )
        )
    cols = [Column(key, seen[key].label, seen[key].unit) for key in sorted(seen, key=m.order)]
    total = Row(
        None, "合计", {col.key: sum(row.values.get(col.key, 0) for row in rows) for col in cols}
    )
    return cols, rows, total


def bulletin(
    villages: list[OrgUnit],
    ranked_among: list[OrgUnit],
    start: date,
    end: date,
    year_weights: dict[str, float],
) -> tuple[list[Column], list[Row], Row]:
    """A row per village, a column per metric, totals, and a rank among ``ranked_among``.

    The rank follows the annual-assessment weights of the period's year, or equal weights over
    every metric when none are set, so the meeting sees the same order as the assessment.
    """
    ids = [unit.id for unit in ranked_among]
    found = m.collect(ids, start, end)
    cols = columns(found)
    equal = {col.key: 100 / len(cols) for col in cols} if cols else {}
    weights = year_weights or equal
    scored = m.score(found, ids, weights)
    shown = {unit.id for unit in villages}
    rows = []
    for unit in ranked_among:
        if unit.id not in shown:
            continue
        rows.append(
            Row(
                unit,
                unit.name,
                {col.key: m.value(found[col.key], unit.id) for col in cols},
                {col.key: m.evidence(found[col.key], unit.id, start, end) for col in cols},
                score=scored[unit.id].total,
                rank=scored[unit.id].rank,
            )
        )
    rows.sort(key=lambda row: (row.rank, row.label))
    total = Row(None, "合计", {col.key: sum(row.values[col.key] for row in rows) for col in cols})
    return cols, rows, total


def assessment(
    groups: list[list[OrgUnit]], shown: set[int], year: int, weights: dict[str, float]
) -> tuple[list[Column], list[list[Row]]]:
    """Weighted score and rank per unit for a year, with each number's evidence link.

    Units are ranked within their group (villages among villages, schools and departments
    among themselves); the metrics are gathered once for all of them.
    """
    start, end = m.year_bounds(year)
    found = m.collect([unit.id for units in groups for unit in units], start, end)
    cols = [
        Column(
            key,
            found[key].label if key in found else key,
            found[key].unit if key in found else "",
        )
        for key in weights
    ]
    goals = services.targets(year)
    tables = []
    for units in groups:
        scored = m.score(found, [unit.id for unit in units], weights, goals)
        rows = [
            Row(
                unit,
                unit.name,
                {col.key: m.value(found.get(col.key), unit.id) for col in cols},
                {
                    col.key: m.evidence(found[col.key], unit.id, start, end)
                    for col in cols
                    if col.key in found
                },
                score=scored[unit.id].total,
                rank=scored[unit.id].rank,
                parts=scored[unit.id].parts,
            )
            for unit in units
            if unit.id in shown
        ]
        rows.sort(key=lambda row: (row.rank, row.label))
        tables.append(rows)
    return cols, tables


@dataclass
class Progress:
    unit: OrgUnit
    centre_set_up: bool
    active_this_quarter: bool
    demonstration: bool
    values: dict[str, float]
    expected: dict[str, float]
    behind: set[str]

    @property
    def is_behind(self) -> bool:
        return bool(self.behind) or not self.centre_set_up or not self.active_this_quarter


def progress(
    villages: list[OrgUnit], year: int, today: date
) -> tuple[list[Column], list[Progress]]:
    """Each village against the goals: centre set up, active this quarter, yearly targets pro rata."""
    ids = [unit.id for unit in villages]
    start, end = m.year_bounds(year)
    until = min(end, max(start, today))
    elapsed = (until - start).days / (end - start).days if today < end else 1.0
    found = m.collect(ids, start, until) if until > start else {}
    goals = services.targets(year)
    q_start, q_end = m.quarter_bounds(min(today, date(year, 12, 31)))
    quarter = m.collect(ids, q_start, min(q_end, end))
    activity = [metric for key, metric in quarter.items() if key in m.ACTIVITY_KEYS]
    demonstration = services.demonstration_ids()
    cols = [
        Column(
            key, found[key].label if key in found else key, found[key].unit if key in found else ""
        )
        for key in goals
    ]
    rows = []
    for unit in villages:
        values = {key: m.value(found.get(key), unit.id) for key in goals}
        expected = {key: round(goals[key] * elapsed, 1) for key in goals}
        rows.append(
            Progress(
                unit=unit,
                centre_set_up=unit.learning_centre_opened_on is not None,
                active_this_quarter=any(m.value(metric, unit.id) > 0 for metric in activity),
                demonstration=unit.id in demonstration,
                values=values,
                expected=expected,
                behind={key for key in goals if values[key] < expected[key]},
            )
        )
    return cols, rows
