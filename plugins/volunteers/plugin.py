"""The volunteers plugin object; each hook delegates to the module that does the work."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from core.hookspecs import hookimpl
from core.plugins import Plugin
from plugins.volunteers import models  # noqa: F401  (tables for create_all)
from plugins.volunteers.mediation import models as mediation_models  # noqa: F401  (the same)


class VolunteersPlugin(Plugin):
    name = "volunteers"
    title = _l("志愿服务")
    uses = ("calendar",)

    @hookimpl
    def register_blueprints(self):
        from plugins.volunteers.blueprint import blueprints

        return blueprints()

    @hookimpl
    def register_api(self):
        from plugins.volunteers.api import blp

        return [blp]

    @hookimpl
    def register_permissions(self):
        from plugins.volunteers.hooks import PERMISSIONS

        return list(PERMISSIONS)

    @hookimpl
    def register_commands(self):
        from plugins.volunteers.cli import volunteers_cli

        return [volunteers_cli]

    @hookimpl
    def setup_app(self, app):
        from plugins.volunteers import hooks

        hooks.configure(app)

    @hookimpl
    def nav_items(self, user):
        from plugins.volunteers.hooks import NAV_ITEMS

        return list(NAV_ITEMS)

    @hookimpl
    def render_slot(self, slot, user):
        from plugins.volunteers import hooks

        return hooks.render_slot(slot, user)

    @hookimpl
    def calendar_entry_tables(self):
        from plugins.volunteers.hooks import CALENDAR_TABLES

        return list(CALENDAR_TABLES)

    @hookimpl
    def calendar_personal_tables(self):
        from plugins.volunteers.hooks import CALENDAR_PERSONAL_TABLES

        return list(CALENDAR_PERSONAL_TABLES)

    @hookimpl
    def calendar_entries(self, start, end, viewer, personal):
        from plugins.volunteers import hooks

        return hooks.calendar_entries(start, end, viewer, personal)

    @hookimpl
    def report_metrics(self, unit_ids, start, end):
        from plugins.volunteers import hooks

        return hooks.report_metrics(unit_ids, start, end)

    @hookimpl
    def audit_labels(self):
        from plugins.volunteers.hooks import AUDIT_LABELS

        return dict(AUDIT_LABELS)

    @hookimpl
    def load_demo_data(self, town):
        from plugins.volunteers.demo import load

        load(town)
