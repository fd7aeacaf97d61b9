"""The calendar plugin object; each hook delegates to ``hooks.py`` (or ``cli.py``, ``demo.py``)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from core.hookspecs import hookimpl
from core.plugins import Plugin


class CalendarPlugin(Plugin):
    name = "calendar"
    title = _l("活动日历")
    uses = ()

    @hookimpl
    def register_blueprints(self):
        from plugins.calendar.blueprint import with_views

        return [with_views()]

    @hookimpl
    def register_api(self):
        from plugins.calendar.api import blp

        return [blp]

    @hookimpl
    def register_permissions(self):
        from plugins.calendar.hooks import PERMISSIONS

        return PERMISSIONS

    @hookimpl
    def calendar_entry_tables(self):
        from plugins.calendar.hooks import ENTRY_TABLES

        return ENTRY_TABLES

    @hookimpl
    def calendar_personal_tables(self):
        from plugins.calendar.hooks import PERSONAL_TABLES

        return PERSONAL_TABLES

    @hookimpl
    def register_services(self):
        from plugins.calendar import hooks

        return hooks.public_services()

    @hookimpl
    def register_commands(self):
        from plugins.calendar.cli import calendar_cli

        return [calendar_cli]

    @hookimpl
    def setup_app(self, app):
        from plugins.calendar import hooks

        return hooks.setup_app(app)

    @hookimpl
    def nav_items(self, user):
        from plugins.calendar import hooks

        return hooks.nav_items()

    @hookimpl
    def render_slot(self, slot, user):
        from plugins.calendar import hooks

        return hooks.render_slot(slot, user)

    @hookimpl
    def report_metrics(self, unit_ids, start, end):
        from plugins.calendar import hooks

        return hooks.report_metrics(unit_ids, start, end)

    @hookimpl
    def audit_labels(self):
        from plugins.calendar.hooks import AUDIT_LABELS

        return AUDIT_LABELS

    @hookimpl
    def load_demo_data(self, town):
        from plugins.calendar.demo import load

        return load(town)

    @hookimpl
    def uploaded_files(self):
        from plugins.calendar import hooks

        return hooks.uploaded_files()
