"""Demo ledger: credits for the demo people through the same service the signals use."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from core.demo import PEOPLE, demo_user
from core.extensions import db
from core.models import OrgUnit
from core.timeutil import utcnow
from plugins.credits import services
from plugins.credits.models import CreditHousehold
from plugins.credits.services import Source

#: (activity type, source kind, how many, quantity each)
PLAN = [
    ("attendance", "attendance", 14, 1),
    ("volunteer_hours", "hours", 4, 2.5),
    ("contest", "attempt", 3, 1),
    ("learning_item", "learning_item", 6, 1),
]


def load(town: OrgUnit) -> None:
    """Credit each demo person for a spread of past activities; the ledger's own uniqueness
    makes a second run add nothing."""
    roles = sorted({role for role, *_ in PEOPLE})
    now = utcnow()
    start = datetime(now.year, 1, 5, 2, 0, tzinfo=UTC)
    span = max((now - start).days, 1)  # spread over this year so far
    for person_index, role in enumerate(roles):
        user = demo_user(role)
        if user is None:
            continue
        for plan_index, (activity, kind, count, quantity) in enumerate(PLAN):
            for n in range(count - person_index % 3):
                when = start + timedelta(days=(23 * n + 3 * plan_index + person_index) % span)
                services.credit(
                    user.id,
                    activity,
                    Source("demo", kind, f"{user.id}-{n}"),
                    f"演示：{services.activity_label(activity)}",
                    when,
                    quantity=quantity,
                )
    lecturer = demo_user("lecturer")
    if lecturer is not None:
        for n in range(5):
            services.credit(
                lecturer.id,
                "lecture",
                Source("demo", "lecture", n),
                "演示：授课 健康扶贫政策",
                start + timedelta(days=(61 * n + 3) % span),
            )

    # Two households, so the 学习型家庭 view has something to show.
    for role, household in (("resident", "王家院子"), ("village_coordinator", "王家院子")):
        user = demo_user(role)
        if (
            user is not None
            and db.session.scalar(
                select(CreditHousehold.id).where(CreditHousehold.user_id == user.id)
            )
            is None
        ):
            db.session.add(CreditHousehold(user_id=user.id, name=household))
    db.session.commit()
