"""The learning plugin object; each hook delegates to ``hooks.py`` (or the module it names)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from core.hookspecs import hookimpl
from core.hooktypes import NavItem
from core.plugins import Plugin
from plugins.learning import models  # noqa: F401  (tables known to create_all and Alembic)


class LearningPlugin(Plugin):
    name = "learning"
    title = _l("网上学习")
    uses = ("calendar", "competitions", "credits")

    @hookimpl
    def register_blueprints(self):
        from plugins.learning.blueprint import routes

        return routes()

    @hookimpl
    def register_permissions(self):
        from plugins.learning.hooks import PERMISSIONS

        return PERMISSIONS

    @hookimpl
    def register_commands(self):
        from plugins.learning.cli import commands

        return commands()

    @hookimpl
    def setup_app(self, app):
        from plugins.learning.blueprint import setup

        setup(app)

    @hookimpl
    def nav_items(self, user):
        return [
            NavItem("learning.index", _l("网上学习"), order=62),
            NavItem("learning.practice_today", _l("每日一练"), login_required=True, order=63),
        ]

    @hookimpl
    def render_slot(self, slot, user):
        from plugins.learning import hooks

        return hooks.render_slot(slot, user)

    @hookimpl
    def report_metrics(self, unit_ids, start, end):
        from plugins.learning import hooks

        return hooks.report_metrics(unit_ids, start, end)

    @hookimpl
    def learning_entries(self, start, end):
        from plugins.learning import hooks

        return hooks.learning_entries(start, end)

    @hookimpl
    def uploaded_files(self):
        from plugins.learning import hooks

        return hooks.uploaded_files()

    @hookimpl
    def load_demo_data(self, town):
        from plugins.learning import demo

        demo.load(town)

    @hookimpl
    def audit_labels(self):
        from plugins.learning import hooks

        return hooks.audit_labels()
