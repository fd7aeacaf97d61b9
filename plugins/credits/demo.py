"""Demo ledger: credits for the demo people through the same service the signals use."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from core.demo import PEOPLE, demo_user
from core.models import OrgUnit
from plugins.credits import services
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
    start = datetime(2026, 1, 5, 2, 0, tzinfo=UTC)
    for person_index, role in enumerate(roles):
        user = demo_user(role)
        if user is None:
            continue
        for plan_index, (activity, kind, count, quantity) in enumerate(PLAN):
            for n in range(count - person_index % 3):
                when = start + timedelta(days=9 * n + plan_index + person_index)
                services.credit(
                    user.id,
                    activity,
                    Source("demo", kind, f"{user.id}-{n}"),
                    f"演示:{services.activity_label(activity)}",
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
                "演示:授课 健康扶贫政策",
                start + timedelta(days=30 * n + 3),
            )
