"""The steering plugin object; each hook delegates to ``hooks.py`` (or the module it names)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from core.hookspecs import hookimpl
from core.hooktypes import NavItem
from core.plugins import Plugin
from plugins.steering import models  # noqa: F401  (tables, meetings' included)


class SteeringPlugin(Plugin):
    name = "steering"
    title = _l("工作督导")
    uses = ("calendar", "reports")

    @hookimpl
    def register_blueprints(self):
        from plugins.steering.blueprint import routes

        return routes()

    @hookimpl
    def register_permissions(self):
        from plugins.steering.hooks import PERMISSIONS

        return PERMISSIONS

    @hookimpl
    def register_commands(self):
        from plugins.steering.cli import steering

        return [steering]

    @hookimpl
    def nav_items(self, user):
        return [
            NavItem("steering.tasks_list", _l("工作督导"), permission="steering.view", order=75),
            NavItem("steering.rules_index", _l("工作制度"), order=95),
        ]

    @hookimpl
    def render_slot(self, slot, user):
        from plugins.steering import hooks

        return hooks.render_slot(slot, user)

    @hookimpl
    def calendar_entry_tables(self):
        return []  # meetings are personal entries only: nothing public to re-query

    @hookimpl
    def calendar_personal_tables(self):
        from plugins.steering.hooks import CALENDAR_PERSONAL_TABLES

        return CALENDAR_PERSONAL_TABLES

    @hookimpl
    def calendar_entries(self, start, end, viewer, personal):
        from plugins.steering import hooks

        return hooks.calendar_entries(start, end, viewer, personal)

    @hookimpl
    def report_metrics(self, unit_ids, start, end):
        from plugins.steering import hooks

        return hooks.report_metrics(unit_ids, start, end)

    @hookimpl
    def uploaded_files(self):
        from plugins.steering import hooks

        return hooks.uploaded_files()

    @hookimpl
    def load_demo_data(self, town):
        from plugins.steering import demo

        demo.load(town)

    @hookimpl
    def audit_labels(self):
        from plugins.steering import hooks

        return hooks.audit_labels()
