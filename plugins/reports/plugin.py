"""The reports plugin object and its hook implementations."""

from __future__ import annotations

from datetime import timedelta

from flask import render_template
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from core.hookspecs import hookimpl
from core.hooktypes import NavItem
from core.permissions import Permission
from core.plugins import Plugin
from plugins.reports import models  # noqa: F401  (tables known to create_all and Alembic)


class ReportsPlugin(Plugin):
    name = "reports"
    title = _l("工作进度")
    uses = ("calendar", "lecturers", "volunteers", "competitions", "credits")

    @hookimpl
    def register_blueprints(self):
        from plugins.reports import (
            views_funds,
            views_goals,
            views_income,
            views_learning,
            views_reports,
        )
        from plugins.reports.blueprint import bp

        _ = (views_funds, views_goals, views_income, views_learning, views_reports)
        return [bp]

    @hookimpl
    def register_permissions(self):
        return [
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

    @hookimpl
    def nav_items(self, user):
        return [
            NavItem("reports.index", _l("工作进度"), permission="reports.view", order=70),
            NavItem("reports.learning", _l("指尖学习"), order=65),
        ]

    @hookimpl
    def render_slot(self, slot, user):
        if slot not in ("home", "dashboard"):
            return None
        from plugins.reports.forms import today
        from plugins.reports.views_learning import items_between

        day = today()
        items = items_between(day, day + timedelta(days=1))
        return Markup(render_template("reports/_panel.html", items=items, day=day))

    @hookimpl
    def audit_labels(self):
        return {
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
            "reports_spending": _l("经费支出"),
            "reports_learning_item": _l("学习内容"),
            "reports_target": _l("年度目标"),
            "reports_village_goal": _l("村年度目标"),
            "reports_weight": _l("考核权重"),
        }

    @hookimpl
    def load_demo_data(self, town):
        from plugins.reports.demo import load

        load(town)

    @hookimpl
    def uploaded_files(self):
        from sqlalchemy import select

        from core.extensions import db
        from plugins.reports.models import LearningItem, Spending

        rows = []
        rows += [
            (name, f"reports_spending {row_id}")
            for row_id, name in db.session.execute(select(Spending.id, Spending.receipt_file))
            if name
        ]
        rows += [
            (name, f"reports_learning_item {row_id}")
            for row_id, name in db.session.execute(
                select(LearningItem.id, LearningItem.picture_file)
            )
            if name
        ]
        return {"reports": dict(rows)}
