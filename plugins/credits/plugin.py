"""The credits plugin object and its hook implementations."""

from __future__ import annotations

from flask import render_template
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from core.hookspecs import hookimpl
from core.hooktypes import Metric, NavItem
from core.permissions import Permission
from core.plugins import Plugin
from plugins.credits import models  # noqa: F401  (tables known to create_all and Alembic)


class CreditsPlugin(Plugin):
    name = "credits"
    title = _l("学分银行")
    uses = ("calendar", "lecturers", "volunteers", "competitions")

    @hookimpl
    def register_blueprints(self):
        from plugins.credits import views, views_rankings, views_rules
        from plugins.credits.blueprint import bp

        _ = (views, views_rankings, views_rules)  # routes attach on import
        return [bp]

    @hookimpl
    def register_api(self):
        from plugins.credits.api import blp

        return [blp]

    @hookimpl
    def register_permissions(self):
        return [
            Permission("credits.manage_rules", _l("设置学分规则和上限"), ("programme_manager",)),
            Permission(
                "credits.view_people",
                _l("查看本村（社区）居民的学分记录"),
                ("village_coordinator", "counsellor", "programme_manager"),
            ),
        ]

    @hookimpl
    def register_services(self):
        from plugins.credits import services

        return {"credits": services.CreditsService()}

    @hookimpl
    def setup_app(self, app):
        from plugins.credits.receivers import connect_all

        connect_all(app)

    @hookimpl
    def nav_items(self, user):
        return [NavItem("credits.index", _l("学分银行"), order=60)]

    @hookimpl
    def render_slot(self, slot, user):
        if slot != "dashboard" or user is None:
            return None
        from plugins.credits import services

        return Markup(render_template("credits/_panel.html", balance=services.balance(user.id)))

    @hookimpl
    def report_metrics(self, unit_ids, start, end):
        from plugins.credits import rankings

        return [
            Metric(
                key="credits.earned",
                label="学分",
                values=rankings.earned_by_unit(list(unit_ids), start, end),
                unit="分",
                evidence_endpoint="credits.ledger",
            )
        ]

    @hookimpl
    def audit_labels(self):
        return {
            "credits.rule_changed": _l("修改学分规则"),
            "credits_rule": _l("学分规则"),
            "credits_entry": _l("学分记录"),
            "credits_household": _l("家庭"),
        }

    @hookimpl
    def load_demo_data(self, town):
        from plugins.credits.demo import load

        load(town)
