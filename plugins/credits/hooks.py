"""What the credit bank gives the rest of the site: permissions, navigation, the dashboard
panel, the ``credits.earned`` figure, audit labels and the ``credits`` service."""

from __future__ import annotations

from datetime import date, datetime
from typing import Protocol, runtime_checkable

from flask import render_template
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from sqlalchemy import func, select

from core.extensions import db
from core.hooktypes import Metric, NavItem
from core.orgunits import roll_up
from core.permissions import Permission
from plugins.credits import rankings, services
from plugins.credits.models import CreditEntry

PERMISSIONS = [
    Permission("credits.manage_rules", _l("设置学分规则和上限"), ("programme_manager",)),
    Permission(
        "credits.view_people",
        _l("查看本村（社区）居民的学分记录"),
        ("village_coordinator", "counsellor", "programme_manager"),
    ),
]

AUDIT_LABELS = {
    "credits.rule_changed": _l("修改学分规则"),
    "credits_rule": _l("学分规则"),
    "credits_entry": _l("学分记录"),
    "credits_household": _l("家庭"),
}


def nav_items(user) -> list[NavItem]:
    return [NavItem("credits.index", _l("学分银行"), order=60)]


def render_slot(slot: str, user) -> Markup | None:
    """The dashboard panel: the person's balance and a link to their certificate."""
    if slot != "dashboard" or user is None:
        return None
    return Markup(render_template("credits/_panel.html", balance=services.balance(user.id)))


def earned_by_unit(
    unit_ids: list[int], start: date | datetime, end: date | datetime
) -> dict[int, int]:
    """Credits earned by the people of each unit (descendants included) in [start, end):
    the ``rankings.counted`` entries, one grouped query by unit id, then rolled up the tree."""
    rows = db.session.execute(
        select(CreditEntry.org_unit_id, func.sum(CreditEntry.amount))
        .where(rankings.counted(start, end))
        .group_by(CreditEntry.org_unit_id)
    ).all()
    totals = roll_up(unit_ids, {unit_id: int(total or 0) for unit_id, total in rows})
    return {unit_id: totals.get(unit_id, 0) for unit_id in unit_ids}


def report_metrics(unit_ids, start: date | datetime, end: date | datetime) -> list[Metric]:
    """``credits.earned``; its evidence page ``credits.ledger`` lists the same entries."""
    return [
        Metric(
            key="credits.earned",
            label="学分",
            values=earned_by_unit(list(unit_ids), start, end),
            unit="分",
            evidence_endpoint="credits.ledger",
        )
    ]


@runtime_checkable
class CreditsServiceProtocol(Protocol):
    """What ``get_service("credits")`` answers; callers duck-type it and never import this."""

    def balance(self, user_id: int) -> int:
        """A person's credits to date."""
        ...

    def household(self, user_id: int) -> tuple[str | None, list[tuple[int, str]]]:
        """The person's household name and its members (id, name), or (None, [])."""
        ...


class CreditsService:
    """What other plugins may ask of the credit bank (``get_service("credits")``), no import."""

    def balance(self, user_id: int) -> int:
        """A person's credits to date (e.g. for an award list)."""
        return services.balance(user_id)

    def household(self, user_id: int) -> tuple[str | None, list[tuple[int, str]]]:
        """The household name a person gave and its members (id, name), the person included;
        (None, []) when they gave none (e.g. for the learning plugin's family streaks)."""
        name, members = rankings.household_members(user_id)
        return name, [(member_id, display) for member_id, display, _credits in members]


def service_objects() -> dict[str, CreditsServiceProtocol]:
    return {"credits": CreditsService()}
