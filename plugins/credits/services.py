"""The credit bank's public functions: credit and reverse a source, balances, rankings.

Signal receivers and views call these; nothing else writes the ledger.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from core.extensions import db
from core.i18n import translate
from core.models import User
from core.timeutil import period_bounds, to_local, utcnow
from plugins.credits.models import CREDIT, REVERSAL, CreditEntry, CreditRule


def N_(text: str) -> str:
    """Mark a string for the catalog; it is translated where it is shown (``activity_label``)."""
    return text


#: activity type → (label, default amount, default daily cap, default monthly cap)
ACTIVITY_TYPES: dict[str, tuple] = {
    "attendance": (N_("参加活动（每次）"), 2, 6, 60),
    "volunteer_hours": (N_("志愿服务（每小时）"), 3, 24, 200),
    "lecture": (N_("授课（每场）"), 10, 20, 100),
    "contest": (N_("参加竞赛（每次）"), 3, 6, 30),
    "learning_item": (N_("指尖学习（每条）"), 1, 3, 30),
    "course": (N_("学完网上课程（每门）"), 5, 10, 30),
    "daily_practice": (N_("每日一练（每天）"), 1, 1, 31),
}


def activity_label(activity_type: str) -> str:
    """The activity's name, translated when answering a request (plain Chinese otherwise)."""
    entry = ACTIVITY_TYPES.get(activity_type)
    if entry is None:
        return activity_type
    return translate(entry[0])


def get_rule(activity_type: str) -> CreditRule:
    """The rule for an activity type, made from the defaults on first use."""
    query = select(CreditRule).where(CreditRule.activity_type == activity_type)
    rule = db.session.scalar(query)
    if rule is None:
        _label, amount, daily, monthly = ACTIVITY_TYPES[activity_type]
        try:
            with db.session.begin_nested():
                db.session.add(
                    CreditRule(
                        activity_type=activity_type,
                        amount=amount,
                        daily_cap=daily,
                        monthly_cap=monthly,
                    )
                )
        except IntegrityError:  # made by a concurrent request
            pass
        rule = db.session.scalar(query)
    return rule


def all_rules() -> list[CreditRule]:
    return [get_rule(kind) for kind in ACTIVITY_TYPES]


def _sum_between(user_id: int, rule: str, start: datetime, end: datetime) -> int:
    return db.session.scalar(
        select(func.coalesce(func.sum(CreditEntry.amount), 0)).where(
            CreditEntry.user_id == user_id,
            CreditEntry.rule == rule,
            CreditEntry.occurred_at >= start,
            CreditEntry.occurred_at < end,
        )
    )


def capped_amount(rule: CreditRule, user_id: int, wanted: int, when: datetime) -> tuple[int, str]:
    """What the caps still allow of ``wanted`` on the day and month of ``when``, and why less."""
    local = to_local(when)
    allowed, note = wanted, ""
    if rule.daily_cap is not None:
        day_start, day_end = period_bounds(local.date(), local.date() + timedelta(days=1))
        room = max(
            rule.daily_cap - _sum_between(user_id, rule.activity_type, day_start, day_end), 0
        )
        if room < allowed:
            allowed, note = room, f"已达每日上限 {rule.daily_cap} 分"
    if rule.monthly_cap is not None:
        first = local.date().replace(day=1)
        following = (first + timedelta(days=32)).replace(day=1)
        month_start, month_end = period_bounds(first, following)
        used = _sum_between(user_id, rule.activity_type, month_start, month_end)
        room = max(rule.monthly_cap - used, 0)
        if room < allowed:
            allowed, note = room, f"已达每月上限 {rule.monthly_cap} 分"
    return allowed, note


def _generation(source: str, kind: str, source_id: str, user_id: int) -> int:
    """How many times this source was undone for this person: the next credit's generation."""
    return db.session.scalar(
        select(func.count(CreditEntry.id)).where(
            CreditEntry.source == source,
            CreditEntry.source_kind == kind,
            CreditEntry.source_id == source_id,
            CreditEntry.user_id == user_id,
            CreditEntry.entry_kind == REVERSAL,
        )
    )


@dataclass(frozen=True)
class Source:
    """What is being credited: the sending plugin, its kind of object and the object's id."""

    plugin: str
    kind: str
    id: int | str


def credit(
    user_id: int,
    activity_type: str,
    source: Source,
    reason: str,
    occurred_at: datetime | None = None,
    quantity: float = 1,
) -> CreditEntry | None:
    """Credit ``user_id`` once for ``source``; None when already credited or the rule is off.

    Commits: receivers run after the sender's own commit.
    """
    occurred_at = occurred_at or utcnow()
    rule = get_rule(activity_type)
    if not rule.active:
        db.session.commit()
        return None
    # Caps are per person, so lock the person's row (PostgreSQL; SQLite writes one at a time):
    # two credits for one person cannot both pass a cap, and credits for different people,
    # such as 300 contest hand-ins at once, do not queue behind one another. NO KEY UPDATE
    # leaves rows that merely reference the person free to be written meanwhile.
    home = db.session.scalar(
        select(User.home_unit_id).where(User.id == user_id).with_for_update(key_share=True)
    )
    source_id = str(source.id)
    generation = _generation(source.plugin, source.kind, source_id, user_id)
    wanted = math.floor(rule.amount * quantity + 0.5)  # half up: 2.5 hours × 1 → 3
    amount, note = capped_amount(rule, user_id, wanted, occurred_at)
    entry = CreditEntry(
        user_id=user_id,
        org_unit_id=home,
        amount=amount,
        reason=reason[:200],
        source=source.plugin,
        source_kind=source.kind,
        source_id=source_id,
        rule=activity_type,
        entry_kind=CREDIT,
        generation=generation,
        note=note,
        occurred_at=occurred_at,
    )
    try:
        with db.session.begin_nested():
            db.session.add(entry)
    except IntegrityError:  # this source is already credited in this generation
        db.session.commit()
        return None
    db.session.commit()
    return entry


def reverse(source: Source, user_id: int | None = None, reason: str = "撤销") -> list[CreditEntry]:
    """Write a reversing entry for every live credit of ``source`` (of ``user_id`` if given)."""
    query = select(CreditEntry).where(
        CreditEntry.source == source.plugin,
        CreditEntry.source_kind == source.kind,
        CreditEntry.source_id == str(source.id),
        CreditEntry.entry_kind == CREDIT,
    )
    if user_id is not None:
        query = query.where(CreditEntry.user_id == user_id)
    written = []
    for entry in db.session.scalars(query.order_by(CreditEntry.id)).all():
        live_generation = _generation(
            entry.source, entry.source_kind, entry.source_id, entry.user_id
        )
        if entry.generation != live_generation:
            continue  # already reversed
        reversal = CreditEntry(
            user_id=entry.user_id,
            org_unit_id=entry.org_unit_id,
            amount=-entry.amount,
            reason=f"{reason}:{entry.reason}"[:200],
            source=entry.source,
            source_kind=entry.source_kind,
            source_id=entry.source_id,
            rule=entry.rule,
            entry_kind=REVERSAL,
            generation=entry.generation,
            occurred_at=entry.occurred_at,
        )
        try:
            with db.session.begin_nested():
                db.session.add(reversal)
        except IntegrityError:  # a concurrent undo got there first
            continue
        written.append(reversal)
    db.session.commit()
    return written


def balance(user_id: int, start: datetime | None = None, end: datetime | None = None) -> int:
    query = select(func.coalesce(func.sum(CreditEntry.amount), 0)).where(
        CreditEntry.user_id == user_id
    )
    if start is not None:
        query = query.where(CreditEntry.occurred_at >= start)
    if end is not None:
        query = query.where(CreditEntry.occurred_at < end)
    return db.session.scalar(query)


def history_query(user_id: int):
    return (
        select(CreditEntry)
        .where(CreditEntry.user_id == user_id)
        .order_by(CreditEntry.created_at.desc(), CreditEntry.id.desc())
    )
