"""The report tables: month by month, the progress bulletin, goals, the annual assessment.

Each builder returns plain rows that the HTML page, the XLSX and the tests read alike.
"""

from __future__ import annotations

import math
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
    ratio: bool = False


@dataclass
class Row:
    unit: OrgUnit | None
    label: str
    values: dict[str, float]
    links: dict[str, str] = field(default_factory=dict)
    score: float = 0.0
    rank: int = 0
    parts: dict[str, float] = field(default_factory=dict)
    #: (numerator, denominator) of each ratio column, so a total can be Σnum / Σden.
    fractions: dict[str, tuple[float, float]] = field(default_factory=dict)


def columns(found: dict[str, Metric]) -> list[Column]:
    return [
        Column(key, metric.label, metric.unit, metric.is_ratio) for key, metric in found.items()
    ]


def fractions(found: dict[str, Metric], unit_id: int) -> dict[str, tuple[float, float]]:
    return {key: metric.fraction(unit_id) for key, metric in found.items() if metric.is_ratio}


def totals(cols: list[Column], rows: list[Row]) -> dict[str, float]:
    """The 合计 of each column: a count's sum, or a ratio's Σnumerators / Σdenominators."""
    result = {}
    for col in cols:
        if col.ratio:
            parts = [row.fractions.get(col.key, (0, 0)) for row in rows]
            result[col.key] = m.percent(sum(n for n, _ in parts), sum(d for _, d in parts))
        else:
            result[col.key] = sum(row.values.get(col.key, 0) for row in rows)
    return result


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
                fractions=fractions(found, unit.id),
            )
        )
    cols = columns({key: seen[key] for key in sorted(seen, key=m.order)})
    # The whole period's figure is the sum of its months (each item is dated by one moment).
    total = Row(
        None,
        "合计",
        totals(cols, rows),
        {col.key: m.evidence(seen[col.key], unit.id, start, end) for col in cols},
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
                fractions=fractions(found, unit.id),
            )
        )
    rows.sort(key=lambda row: (row.rank, row.label))
    total = Row(None, "合计", totals(cols, rows))
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


#: Progress states of one village on one yearly target.
DONE, ON_TRACK, BEHIND = "done", "on_track", "behind"


@dataclass
class Goal:
    """One yearly target of one village: the whole target, what is due by today, what is done."""

    target: int
    expected: int
    done: float
    state: str


def goal_state(target: int, elapsed: float, done: float, tolerance: float) -> Goal:
    """The township's rule, stated on the progress page: due by today is the target pro rata
    to the share of the year gone (rounded up); done ≥ target is 已完成, done ≥ due less the
    tolerance (10%) is 达标, anything less is 落后."""
    expected = math.ceil(round(target * elapsed, 6))
    if done >= target:
        state = DONE
    elif done >= expected * (1 - tolerance) - 1e-9:
        state = ON_TRACK
    else:
        state = BEHIND
    return Goal(target, expected, done, state)


@dataclass
class Progress:
    unit: OrgUnit
    centre_set_up: bool
    demonstration: bool
    quarter: dict[str, float]
    quarter_links: dict[str, str]
    goals: dict[str, Goal]
    links: dict[str, str]

    @property
    def active_this_quarter(self) -> bool:
        return any(amount > 0 for amount in self.quarter.values())

    @property
    def behind(self) -> set[str]:
        return {key for key, goal in self.goals.items() if goal.state == BEHIND}

    @property
    def is_behind(self) -> bool:
        return bool(self.behind) or not self.centre_set_up or not self.active_this_quarter


def elapsed_share(start: date, end: date, today: date) -> float:
    """The share of [start, end) gone by the start of ``today`` (0 before, 1 after)."""
    gone = min(max((today - start).days, 0), (end - start).days)
    return gone / (end - start).days


def progress(
    villages: list[OrgUnit], year: int, today: date
) -> tuple[list[Column], list[Column], list[Progress]]:
    """Each village against the goals: centre set up, activities held this quarter, and each
    yearly target pro rata to the date. Figures are the year's, as on the assessment (the
    metrics stop at now), and the quarter's; each links to its evidence."""
    ids = [unit.id for unit in villages]
    start, end = m.year_bounds(year)
    elapsed = elapsed_share(start, end, today)
    tolerance = services.progress_tolerance()
    found = m.collect(ids, start, end)
    goals = services.targets(year)
    q_start, q_end = m.quarter_bounds(min(max(today, start), date(year, 12, 31)))
    quarter = {
        key: metric
        for key, metric in m.collect(ids, q_start, q_end).items()
        if key in m.ACTIVITY_KEYS
    }
    demonstration = services.demonstration_ids()
    quarter_cols = [Column(key, metric.label, metric.unit) for key, metric in quarter.items()]
    cols = [
        Column(
            key, found[key].label if key in found else key, found[key].unit if key in found else ""
        )
        for key in sorted(goals, key=m.order)
    ]
    rows = []
    for unit in villages:
        rows.append(
            Progress(
                unit=unit,
                centre_set_up=unit.learning_centre_opened_on is not None,
                demonstration=unit.id in demonstration,
                quarter={key: m.value(metric, unit.id) for key, metric in quarter.items()},
                quarter_links={
                    key: m.evidence(metric, unit.id, q_start, q_end)
                    for key, metric in quarter.items()
                },
                goals={
                    col.key: goal_state(
                        goals[col.key], elapsed, m.value(found.get(col.key), unit.id), tolerance
                    )
                    for col in cols
                },
                links={
                    col.key: m.evidence(found[col.key], unit.id, start, end)
                    for col in cols
                    if col.key in found
                },
            )
        )
    return quarter_cols, cols, rows
