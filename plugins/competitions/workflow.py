"""The contest state machine as one ``core.statemachine.Table``: draft → published → cancelled.

A manager publishes a draft, withdraws a published contest to draft, or cancels either; every
step raises the calendar ``sequence`` (subscribers' calendars then take the change) and is
audited as ``competitions.contest_state``.
"""

from __future__ import annotations

from core.permissions import can
from core.statemachine import Table, step
from plugins.competitions.models import Contest

MANAGER = "manager"


def N_(text: str) -> str:
    """Mark ``text`` for the catalog; it is translated where it is shown."""
    return text


def managers(user, obj) -> set[str]:
    """MANAGER when ``user`` holds ``competitions.manage`` on the object's unit."""
    return {MANAGER} if can(user, "competitions.manage", obj) else set()


def _raise_sequence(contest: Contest, user, **data) -> None:
    contest.sequence += 1


CONTEST_TABLE = Table(
    audit_prefix="competitions",
    noun="竞赛",
    states={"draft": N_("草稿"), "published": N_("已发布"), "cancelled": N_("已取消")},
    actions={"publish": N_("发布"), "withdraw": N_("撤回为草稿"), "cancel": N_("取消竞赛")},
    transitions={
        ("draft", "publish"): step("published", {MANAGER}, audit="competitions.contest_state"),
        ("draft", "cancel"): step("cancelled", {MANAGER}, audit="competitions.contest_state"),
        ("published", "withdraw"): step("draft", {MANAGER}, audit="competitions.contest_state"),
        ("published", "cancel"): step("cancelled", {MANAGER}, audit="competitions.contest_state"),
    },
    actor_kinds=managers,
    subject=lambda contest: f"竞赛 {contest.title}",
    effects={"publish": _raise_sequence, "withdraw": _raise_sequence, "cancel": _raise_sequence},
)
