"""When SMS may go out and how many: quiet hours and the monthly budget.

No SMS between ``SMS_QUIET_START`` and ``SMS_QUIET_END`` o'clock local time (21 and 8) except
the kinds in ``SMS_URGENT_KINDS``; those deliveries wait until the quiet hours end. The month's
budget is a number of messages (``SMS_MONTHLY_LIMIT``) and/or yuan (``SMS_MONTHLY_BUDGET_YUAN``
at ``SMS_PRICE_YUAN`` each): admins are told at 80 %, and at 100 % SMS waits for next month.
"""

from __future__ import annotations

import math
from datetime import datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import func, select, update

from core.extensions import db
from core.models import Notification, NotificationDelivery

SPENDING = ("sending", "sent", "unknown")  # handed to the provider: billed or maybe billed


def _zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["TIMEZONE"])


def quiet_until(now: datetime) -> datetime | None:
    """The end of the quiet hours (UTC) when ``now`` falls inside them, else None."""
    settings = current_app.config
    start, end = settings["SMS_QUIET_START"], settings["SMS_QUIET_END"]
    if start == end:
        return None
    local = now.astimezone(_zone())
    hour = local.hour
    quiet = (hour >= start or hour < end) if start > end else (start <= hour < end)
    if not quiet:
        return None
    day = local.date() if hour < end else local.date() + timedelta(days=1)
    return datetime.combine(day, time(end), _zone()).astimezone(now.tzinfo)


def postpone_quiet(now: datetime) -> int:
    """Move due non-urgent SMS to the end of the quiet hours; returns how many."""
    until = quiet_until(now)
    if until is None:
        return 0
    urgent = tuple(current_app.config["SMS_URGENT_KINDS"])
    not_urgent = select(Notification.id).where(Notification.kind.not_in(urgent))
    result = db.session.execute(
        update(NotificationDelivery)
        .where(
            NotificationDelivery.channel == "sms",
            NotificationDelivery.status == "pending",
            NotificationDelivery.next_attempt_at <= now,
            NotificationDelivery.notification_id.in_(not_urgent),
        )
        .values(next_attempt_at=until)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return result.rowcount


def month_bounds(now: datetime) -> tuple[datetime, datetime]:
    """This local month's first instant and next month's, in UTC."""
    local = now.astimezone(_zone())
    first = datetime(local.year, local.month, 1, tzinfo=_zone())
    following = datetime(local.year + local.month // 12, local.month % 12 + 1, 1, tzinfo=_zone())
    return first.astimezone(now.tzinfo), following.astimezone(now.tzinfo)


def spent(start: datetime, end: datetime) -> int:
    """SMS units handed to the provider in [start, end)."""
    return db.session.scalar(
        select(func.coalesce(func.sum(func.coalesce(NotificationDelivery.fee, 1)), 0)).where(
            NotificationDelivery.channel == "sms",
            NotificationDelivery.status.in_(SPENDING),
            NotificationDelivery.handed_at >= start,
            NotificationDelivery.handed_at < end,
        )
    )


def price() -> Decimal:
    return Decimal(str(current_app.config["SMS_PRICE_YUAN"]))


def monthly_limit() -> int | None:
    """Messages allowed a month (the tighter of the count and the yuan budget); None: no cap."""
    settings = current_app.config
    limits = []
    if settings["SMS_MONTHLY_LIMIT"]:
        limits.append(int(settings["SMS_MONTHLY_LIMIT"]))
    if settings["SMS_MONTHLY_BUDGET_YUAN"] and price() > 0:
        limits.append(math.floor(Decimal(str(settings["SMS_MONTHLY_BUDGET_YUAN"])) / price()))
    return min(limits) if limits else None


class Budget:
    """What a sender may still hand over this month; counted once a run, then kept locally."""

    def __init__(self, now: datetime) -> None:
        self.start, self.next_month = month_bounds(now)
        self.limit = monthly_limit()
        self.used = spent(self.start, self.next_month) if self.limit is not None else 0
        self.warned: set[str] = set()

    def allow(self, wanted: int) -> int:
        if self.limit is None:
            return wanted
        return max(0, min(wanted, self.limit - self.used))

    def spend(self, units: int) -> None:
        self.used += units
        if not self.limit:
            return
        level = "100" if self.used >= self.limit else "80" if self.used >= 0.8 * self.limit else ""
        if level and level not in self.warned:
            self.warned.add(level)
            warn_admins(self.start, self.used, self.limit)


def warn_admins(month_start: datetime, used: int, limit: int) -> None:
    """Tell every site admin once a month (and once more when the budget is used up)."""
    from core import notify
    from core.models import RoleAssignment

    level = "100" if used >= limit else "80"
    month = month_start.astimezone(_zone()).strftime("%Y-%m")
    admins = db.session.scalars(
        select(RoleAssignment.user_id).where(RoleAssignment.role == "site_admin").distinct()
    ).all()
    for user_id in admins:
        notify.notify(
            user_id,
            f"短信预算已用 {level}%（{used}/{limit} 条）",
            "本月短信额度将尽；用完后非紧急短信顺延到下月。"
            if level == "80"
            else "本月短信额度已用完，短信顺延到下月发送。",
            kind="general",
            dedupe_key=f"sms-budget:{month}:{level}",
            channels=("log",),
        )


def year_spend(year: int) -> list[tuple[int, int, Decimal]]:
    """(month, SMS units, yuan at ``SMS_PRICE_YUAN``) for each month of ``year`` with spend."""
    rows = []
    for month in range(1, 13):
        first = datetime(year, month, 1, tzinfo=_zone())
        following = datetime(year + month // 12, month % 12 + 1, 1, tzinfo=_zone())
        units = spent(first, following)
        if units:
            rows.append((month, units, (price() * units).quantize(Decimal("0.01"))))
    return rows
