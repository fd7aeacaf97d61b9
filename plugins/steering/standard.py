"""The demonstration-village standard (示范社区评估标准): items, self-assessment, town score,
and the milestones (demonstration villages by a year, full coverage) with the gap."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from flask import current_app
from sqlalchemy import select

from core import audit, orgunits, permissions
from core.extensions import db
from core.i18n import translate
from core.models import OrgUnit
from core.plugins import registry
from core.statemachine import Table, TransitionRefused, step
from core.timeutil import local_today, utcnow
from plugins.steering.models import (
    N_,
    Milestone,
    StandardAnswer,
    StandardAssessment,
    StandardItem,
)
from plugins.steering.services import TaskError


def items(year: int) -> list[StandardItem]:
    return list(
        db.session.scalars(
            select(StandardItem)
            .where(StandardItem.year == year)
            .order_by(StandardItem.position, StandardItem.id)
        )
    )


def pass_mark() -> Decimal:
    """The town score from which a village counts as a demonstration village (85)."""
    return Decimal(str(current_app.config.get("STEERING_DEMONSTRATION_PASS", 85)))


def metric_labels(year: int) -> dict[str, str]:
    """Report figures on offer (``report_metrics`` of every enabled plugin), key → label."""
    found: dict[str, str] = {}
    for group in registry().hook.report_metrics(
        unit_ids=[], start=date(year, 1, 1), end=date(year + 1, 1, 1)
    ):
        for metric in group or []:
            found.setdefault(
                metric.key, f"{metric.label}（{metric.unit}）" if metric.unit else metric.label
            )
    return found


def metric_values(unit_id: int, year: int, keys: set[str]) -> dict[str, float]:
    """The unit's figures for the year so far, for the keys the standard uses."""
    if not keys:
        return {}
    values: dict[str, float] = {}
    for group in registry().hook.report_metrics(
        unit_ids=[unit_id], start=date(year, 1, 1), end=date(year + 1, 1, 1)
    ):
        for metric in group or []:
            if metric.key in keys:
                values[metric.key] = float(metric.values.get(unit_id, 0))
    return values


@dataclass(frozen=True)
class ItemRow:
    title: str
    points: int
    evidence: str = ""
    metric_key: str | None = None
    metric_target: Decimal | None = None


def save_items(year: int, rows: list[ItemRow], known_metrics: set[str]) -> None:
    """Replace the year's items; points must sum to 100 (raise ``TaskError``, nothing saved)."""
    if not rows:
        raise TaskError(translate("请至少填写一项评估内容。"), "items")
    total = sum(row.points for row in rows)
    if total != 100:
        raise TaskError(
            translate("各项分值合计须为 100 分，现在是 %(total)s 分。") % {"total": total}, "items"
        )
    for row in rows:
        if row.metric_key and row.metric_key not in known_metrics:
            raise TaskError(translate("引用的统计指标不存在。"), "items")
        if row.metric_key and not row.metric_target:
            raise TaskError(translate("引用统计指标时请填写满分所需的数值。"), "items")
    used = db.session.scalar(
        select(StandardAnswer.id)
        .join(StandardItem, StandardItem.id == StandardAnswer.item_id)
        .where(StandardItem.year == year)
        .limit(1)
    )
    if used is not None:
        raise TaskError(
            translate("本年度已有村（社区）按此标准自评，不能再修改评估内容。"), "items"
        )
    for item in items(year):
        db.session.delete(item)
    db.session.flush()
    for position, row in enumerate(rows):
        db.session.add(
            StandardItem(
                year=year,
                position=position,
                title=row.title,
                points=row.points,
                evidence=row.evidence,
                metric_key=row.metric_key or None,
                metric_target=row.metric_target if row.metric_key else None,
            )
        )
    audit.record(
        "steering.standard_set",
        object_type="steering_standard_item",
        object_id=year,
        summary=f"{year} 年示范社区评估标准：{len(rows)} 项",
    )


def assessment(unit_id: int, year: int) -> StandardAssessment | None:
    return db.session.scalar(
        select(StandardAssessment).where(
            StandardAssessment.org_unit_id == unit_id, StandardAssessment.year == year
        )
    )


def _check_points(item: StandardItem, value: Decimal | None) -> Decimal:
    if value is None:
        raise TaskError(translate("请为每一项打分。"), "points")
    if value < 0 or value > item.points:
        raise TaskError(
            translate("“%(title)s”的得分应在 0 到 %(points)s 之间。")
            % {"title": item.title, "points": item.points},
            "points",
        )
    return value


VILLAGE, MANAGER = "village", "manager"


def _assessment_kinds(user, record: StandardAssessment) -> set[str]:
    """The village's coordinator self-assesses; a manager of the village scores."""
    kinds = set()
    if permissions.can(user, "steering.self_assess", record.org_unit_id):
        kinds.add(VILLAGE)
    if permissions.can(user, "steering.manage", record.org_unit_id):
        kinds.add(MANAGER)
    return kinds


def _claim(record: StandardAssessment, user, *, items, claims) -> str:
    """Check every claim first (points within the item's, evidence where asked), then keep them."""
    checked = {}
    for item in items:
        points, evidence = claims.get(item.id, (None, ""))
        checked[item.id] = (_check_points(item, points), evidence)
        if item.evidence and not evidence.strip():
            raise TaskError(
                translate("“%(title)s”需要填写佐证材料。") % {"title": item.title}, "points"
            )
    if record.id is None:
        db.session.add(record)
    answers = {answer.item_id: answer for answer in record.answers}
    for item in items:
        points, evidence = checked[item.id]
        answer = answers.get(item.id) or StandardAnswer(item_id=item.id)
        answer.self_points, answer.evidence = points, evidence[:500]
        if item.id not in answers:
            record.answers.append(answer)
    record.self_total = sum((points for points, _e in checked.values()), Decimal(0))
    record.submitted_by_id, record.submitted_at = user.id, utcnow()
    return f"{record.self_total} 分"


def _score(record: StandardAssessment, user, *, points) -> str:
    """Check every item's points first, then keep them and the total."""
    checked = {a.item_id: _check_points(a.item, points.get(a.item_id)) for a in record.answers}
    for answer in record.answers:
        answer.town_points = checked[answer.item_id]
    record.town_total = sum(checked.values(), Decimal(0))
    record.scored_by_id, record.scored_at = user.id, utcnow()
    return f"{record.town_total} 分"


def _subject(record: StandardAssessment) -> str:
    return f"{db.session.get(OrgUnit, record.org_unit_id).name} {record.year} 年评估"


#: A village's assessment of a year: self-assessed (again and again) until the town scores it;
#: the town may score again. "new" is a record not saved yet.
ASSESSMENT = Table(
    audit_prefix="steering",
    noun="评估",
    states={"new": N_("未自评"), "submitted": N_("待评分"), "scored": N_("已评分")},
    actions={"self_assess": N_("自评"), "score": N_("评分")},
    transitions={
        ("new", "self_assess"): step("submitted", {VILLAGE}, audit="steering.self_assessed"),
        ("submitted", "self_assess"): step("submitted", {VILLAGE}, audit="steering.self_assessed"),
        ("submitted", "score"): step("scored", {MANAGER}, audit="steering.scored"),
        ("scored", "score"): step("scored", {MANAGER}, audit="steering.scored"),
    },
    actor_kinds=_assessment_kinds,
    subject=_subject,
    effects={"self_assess": _claim, "score": _score},
    on_applied=lambda applied: db.session.flush(),  # the audit row names the saved record
)


def self_assess(
    unit: OrgUnit, year: int, user, claims: dict[int, tuple[Decimal | None, str]]
) -> StandardAssessment:
    """A village's self-assessment: points and evidence per item; refused once scored."""
    year_items = items(year)
    if not year_items:
        raise TaskError(translate("本年度还没有制定评估标准。"), "points")
    record = assessment(unit.id, year) or StandardAssessment(
        org_unit_id=unit.id, year=year, state="new"
    )
    if record.state == "scored":
        raise TransitionRefused(translate("镇里已经评分，不能再修改自评。"), 409)
    ASSESSMENT.apply(record, "self_assess", user, items=year_items, claims=claims)
    return record


def score(record: StandardAssessment, user, points: dict[int, Decimal | None]) -> None:
    """The town's score of a self-assessment, item by item."""
    ASSESSMENT.apply(record, "score", user, points=points)


def history(unit_ids: list[int]) -> list[StandardAssessment]:
    return list(
        db.session.scalars(
            select(StandardAssessment)
            .where(StandardAssessment.org_unit_id.in_(unit_ids))
            .order_by(StandardAssessment.year.desc(), StandardAssessment.org_unit_id)
        )
    )


def demonstration_by(year: int) -> set[int]:
    """Villages scored at or above the pass mark in ``year`` or before."""
    return set(
        db.session.scalars(
            select(StandardAssessment.org_unit_id).where(
                StandardAssessment.state == "scored",
                StandardAssessment.year <= year,
                StandardAssessment.town_total >= pass_mark(),
            )
        )
    )


@dataclass(frozen=True)
class MilestoneRow:
    year: int
    target: int
    achieved: int
    full_coverage: bool

    @property
    def gap(self) -> int:
        return max(0, self.target - self.achieved)


def milestones() -> list[MilestoneRow]:
    villages = len(orgunits.villages())
    rows = []
    for milestone in db.session.scalars(select(Milestone).order_by(Milestone.year)):
        target = villages if milestone.full_coverage else milestone.demonstration_villages
        achieved = len(demonstration_by(milestone.year))
        rows.append(MilestoneRow(milestone.year, target, achieved, milestone.full_coverage))
    return rows


def set_milestone(year: int, villages: int, full_coverage: bool) -> Milestone:
    if not 2000 <= year <= 2100:
        raise TaskError(translate("年份应在 2000 到 2100 之间。"), "year")
    if villages < 0:
        raise TaskError(translate("示范村数量不能为负数。"), "villages")
    milestone = db.session.scalar(select(Milestone).where(Milestone.year == year))
    if milestone is None:
        milestone = Milestone(year=year)
        db.session.add(milestone)
    milestone.demonstration_villages, milestone.full_coverage = villages, full_coverage
    db.session.flush()
    audit.record(
        "steering.milestone_set",
        milestone,
        f"{year} 年底：示范村 {villages} 个" + ("，全覆盖" if full_coverage else ""),
    )
    return milestone


def this_year() -> int:
    return local_today().year
