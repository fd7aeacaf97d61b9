"""Gathering metrics from every plugin, splitting periods into months, scoring and ranking.

The period convention matches the ``report_metrics`` hook: [start, end) of local dates.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, timedelta

from flask import url_for
from werkzeug.routing import BuildError

from core.hooktypes import Metric
from core.plugins import registry

log = logging.getLogger("xiangxuetong.reports")

#: Known keys in the order a township office reads them; unknown keys follow alphabetically.
KNOWN_ORDER = [
    "calendar.events_held",
    "calendar.participant_times",
    "lecturers.lectures_delivered",
    "lecturers.audience",
    "volunteers.hours",
    "volunteers.mediation_sessions",
    "competitions.participants",
    "credits.earned",
]

#: Activities a learning centre holds: one of them in a quarter makes the village active there.
#: (Participants, hours and credits are people's figures, not activities held.)
ACTIVITY_KEYS = (
    "calendar.events_held",
    "lecturers.lectures_delivered",
    "volunteers.mediation_sessions",
)


def order(key: str) -> tuple[int, str]:
    return (KNOWN_ORDER.index(key) if key in KNOWN_ORDER else len(KNOWN_ORDER), key)


def collect(unit_ids: list[int], start: date, end: date) -> dict[str, Metric]:
    """Every plugin's metrics for ``unit_ids`` over [start, end), by key, in reading order.

    One plugin failing must not take the reports down: its metrics are left out and logged.
    """
    found: dict[str, Metric] = {}
    hook = registry().hook.report_metrics
    for impl in reversed(hook.get_hookimpls()):
        try:
            metrics = impl.function(unit_ids=list(unit_ids), start=start, end=end) or []
        except Exception:
            log.exception("report_metrics of plugin %s failed", impl.plugin_name)
            continue
        for metric in metrics:
            found.setdefault(metric.key, metric)
    return {key: found[key] for key in sorted(found, key=order)}


def value(metric: Metric | None, unit_id: int) -> float:
    """A unit's figure; for a ratio metric its percentage (see ``percent``)."""
    if metric is None:
        return 0
    if metric.is_ratio:
        return percent(*metric.fraction(unit_id))
    return metric.values.get(unit_id, 0) or 0


def percent(numerator: float, denominator: float) -> float:
    """numerator / denominator as a percentage to one decimal; 0 when nothing is counted."""
    return round(100 * numerator / denominator, 1) if denominator else 0.0


def months(start: date, end: date) -> list[tuple[date, date]]:
    """[start, end) cut at month boundaries."""
    pieces = []
    current = start
    while current < end:
        following = (current.replace(day=1) + timedelta(days=32)).replace(day=1)
        pieces.append((current, min(following, end)))
        current = following
    return pieces


def year_bounds(year: int) -> tuple[date, date]:
    return date(year, 1, 1), date(year + 1, 1, 1)


def quarter_bounds(day: date) -> tuple[date, date]:
    first_month = 3 * ((day.month - 1) // 3) + 1
    start = date(day.year, first_month, 1)
    end = date(day.year + 1, 1, 1) if first_month == 10 else date(day.year, first_month + 3, 1)
    return start, end


def evidence(metric: Metric, unit_id: int, start: date, end: date) -> str:
    """The link to the list of items behind one number, or "" when the plugin gave none.

    The list page applies the same definition to the same unit and period (end exclusive),
    so its length is the number.
    """
    if metric.evidence_endpoint:
        try:
            return url_for(
                metric.evidence_endpoint,
                unit_id=unit_id,
                start=start.isoformat(),
                end=end.isoformat(),
            )
        except BuildError:
            log.warning(
                "evidence endpoint %s of %s is unknown", metric.evidence_endpoint, metric.key
            )
            return ""
    if not metric.evidence_url:
        return ""
    try:
        return metric.evidence_url.format(
            unit_id=unit_id, start=start.isoformat(), end=end.isoformat()
        )
    except (KeyError, IndexError, ValueError):
        return ""


@dataclass
class Scored:
    unit_id: int
    parts: dict[str, float]
    total: float
    rank: int = 0


def score(
    metrics: dict[str, Metric],
    unit_ids: list[int],
    weights: dict[str, float],
    targets: dict[str, float] | None = None,
) -> dict[int, Scored]:
    """Weighted score out of 100 per unit.

    A criterion with a yearly target earns its weight in full at the target (pro rata below);
    without a target it is measured against the best unit compared.
    """
    targets = targets or {}
    result = {unit_id: Scored(unit_id, {}, 0.0) for unit_id in unit_ids}
    for key, weight in weights.items():
        metric = metrics.get(key)
        column = {unit_id: value(metric, unit_id) for unit_id in unit_ids}
        target = targets.get(key) or 0
        best = max(column.values(), default=0)
        for unit_id, amount in column.items():
            share = _share(amount, target, best)
            result[unit_id].parts[key] = round(weight * share, 2)
    for scored in result.values():
        scored.total = round(sum(scored.parts.values()), 2)
    rank(list(result.values()))
    return result


def _share(amount: float, target: float, best: float) -> float:
    if target > 0:
        return min(amount / target, 1.0)
    return amount / best if best > 0 else 0.0


def rank(rows: list[Scored]) -> None:
    """Competition ranking (1, 2, 2, 4) by total, best first."""
    ordered = sorted(rows, key=lambda row: -row.total)
    for position, row in enumerate(ordered, start=1):
        if position > 1 and row.total == ordered[position - 2].total:
            row.rank = ordered[position - 2].rank
        else:
            row.rank = position
