"""Demo data: budgets, income and spending, goals and weights, a fortnight of 指尖学习 items."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select

from core import orgunits, timeutil
from core.demo import demo_user
from core.extensions import db
from core.models import OrgUnit
from plugins.reports import services
from plugins.reports.models import (
    AssessmentWeight,
    Budget,
    Income,
    LearningItem,
    Spending,
    YearTarget,
)

TARGETS = {
    "calendar.events_held": 24,
    "calendar.participant_times": 600,
    "lecturers.lectures_delivered": 6,
    "volunteers.hours": 300,
    "credits.earned": 400,
}
WEIGHTS = {
    "calendar.events_held": 30,
    "calendar.participant_times": 25,
    "lecturers.lectures_delivered": 15,
    "volunteers.hours": 15,
    "credits.earned": 15,
}
ITEMS = [
    ("垃圾分类小知识", "可回收物、有害垃圾、厨余垃圾、其他垃圾，分清四类，从我做起。"),
    ("冬季老人防跌倒", "起床慢一点，地面防滑，夜间留一盏小灯。"),
    ("电信诈骗识别三招", "不轻信陌生来电，不点陌生链接，不向陌生账户转账。"),
    ("健康扶贫政策问答", "家庭医生签约、大病专项救治，村卫生室可以咨询。"),
    ("柑橘冬季管护", "清园、修剪、涂白，减少来年病虫害。"),
    ("人民调解怎么申请", "邻里纠纷可到村调解室或司法所申请调解，不收费。"),
    ("家庭教育：多陪伴少说教", "每天留出半小时，和孩子一起读书或散步。"),
]


def load(town: OrgUnit) -> None:
    """Idempotent: each row is looked up by its natural key before it is made."""
    today = timeutil.local_today()
    year = today.year
    villages = orgunits.villages(within=town)
    for index, village in enumerate(villages):
        standard = (village.population or 0) * services.funds_per_resident()
        # Every third village budgets below the standard, so the flag shows.
        amount = standard * Decimal("0.8") if index % 3 == 2 else standard + 1000
        if services.budget(village.id, year) is None:
            db.session.add(Budget(org_unit_id=village.id, year=year, amount=amount))
        if not services.spendings(village.id, year):
            for month, (category, share) in enumerate(
                [("activity", "0.2"), ("materials", "0.1"), ("lecturer", "0.15")], start=2
            ):
                db.session.add(
                    Spending(
                        org_unit_id=village.id,
                        # Spending is recorded once paid: never after today.
                        spent_on=min(date(year, month + index % 3, 15), today),
                        category=category,
                        amount=(amount * Decimal(share)).quantize(Decimal("0.01")),
                        description=f"演示：{services.SPENDING_CATEGORIES[category]}",
                    )
                )
        if not services.incomes(village.id, year):
            # The town pays most of the budget early in the year, the district adds a grant.
            for source, share, month in (("town_budget", "0.7", 1), ("higher_grant", "0.3", 4)):
                db.session.add(
                    Income(
                        org_unit_id=village.id,
                        received_on=min(date(year, month, 10), today),
                        source=source,
                        amount=(amount * Decimal(share)).quantize(Decimal("0.01")),
                        description=f"演示：{services.INCOME_SOURCES[source]}",
                    )
                )
            if index == 0:
                db.session.add(
                    Income(
                        org_unit_id=village.id,
                        received_on=min(date(year, 6, 1), today),
                        source="sponsor",
                        amount=Decimal("2000.00"),
                        description="演示：本地企业赞助学习中心图书",
                    )
                )
    if not services.targets(year):
        for key, target in TARGETS.items():
            db.session.add(YearTarget(year=year, metric_key=key, target=target))
    if not services.weights(year):
        for key, weight in WEIGHTS.items():
            db.session.add(AssessmentWeight(year=year, metric_key=key, weight=weight))
    if not services.demonstration_ids() and villages:
        services.set_demonstration({villages[0].id})
    manager = demo_user("programme_manager")
    for offset, (title, body) in enumerate(ITEMS * 2):
        day = today - timedelta(days=offset)
        exists = db.session.scalar(
            select(LearningItem.id).where(
                LearningItem.title == title, LearningItem.publish_on == day
            )
        )
        if exists is None:
            db.session.add(
                LearningItem(
                    publish_on=day,
                    title=title,
                    body=body,
                    created_by_id=manager.id if manager else None,
                )
            )
    db.session.commit()
