"""What the reports plugin gives the rest of the site: permissions, navigation, the 指尖学习
panel, audit labels and the uploaded files its rows refer to.

Reports offers no figure and no service of its own: it reads everyone's ``report_metrics``
(``metrics.collect``) and ``learning_entries`` (``views_learning.plugin_entries``).
"""

from __future__ import annotations

from datetime import timedelta

from flask import render_template
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from sqlalchemy import select

from core import timeutil
from core.extensions import db
from core.hooktypes import NavItem
from core.permissions import Permission
from plugins.reports import services
from plugins.reports.models import Income, LearningItem, Spending

PERMISSIONS = [
    Permission(
        "reports.view",
        _l("查看工作进度、通报、考核和经费报表（村负责人只看本村）"),
        ("programme_manager", "counsellor", "village_coordinator"),
    ),
    Permission(
        "reports.manage",
        _l("设置年度目标、示范村、考核权重、经费预算和收入，发布指尖学习"),
        ("programme_manager",),
    ),
    Permission(
        "reports.record_spending",
        _l("登记本村（社区）专项经费支出和票据"),
        ("village_coordinator", "programme_manager"),
    ),
]

AUDIT_LABELS = {
    "reports.budget_set": _l("设置专项经费标准"),
    "reports.income_added": _l("登记经费收入"),
    "reports.income_deleted": _l("删除经费收入"),
    "reports.demonstration_set": _l("设置示范村"),
    "reports.learning_published": _l("发布学习内容"),
    "reports.learning_withdrawn": _l("撤下学习内容"),
    "reports.spending_added": _l("登记经费支出"),
    "reports.spending_deleted": _l("删除经费支出"),
    "reports.targets_set": _l("设置年度目标"),
    "reports.weights_set": _l("设置考核权重"),
    "reports_budget": _l("专项经费"),
    "reports_income": _l("经费收入"),
    "reports_spending": _l("经费支出"),
    "reports_learning_item": _l("学习内容"),
    "reports_target": _l("年度目标"),
    "reports_village_goal": _l("村年度目标"),
    "reports_weight": _l("考核权重"),
}


def nav_items(user) -> list[NavItem]:
    return [
        NavItem("reports.index", _l("工作进度"), permission="reports.view", order=70),
        NavItem("reports.learning", _l("指尖学习"), order=65),
    ]


def render_slot(slot: str, user) -> Markup | None:
    """Today's 指尖学习 items on the home page and the dashboard."""
    if slot not in ("home", "dashboard"):
        return None
    day = timeutil.local_today()
    items = services.items_between(day, day + timedelta(days=1))
    return Markup(render_template("reports/_panel.html", items=items, day=day))


def uploaded_files() -> dict[str, dict[str, str]]:
    """Receipts of spending, documents of income and pictures of 指尖学习 items, by file name."""
    rows = [
        (name, f"reports_spending {row_id}")
        for row_id, name in db.session.execute(select(Spending.id, Spending.receipt_file))
        if name
    ]
    rows += [
        (name, f"reports_income {row_id}")
        for row_id, name in db.session.execute(select(Income.id, Income.document_file))
        if name
    ]
    rows += [
        (name, f"reports_learning_item {row_id}")
        for row_id, name in db.session.execute(select(LearningItem.id, LearningItem.picture_file))
        if name
    ]
    return {"reports": dict(rows)}
