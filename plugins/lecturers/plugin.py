"""The lecturers plugin object; each hook delegates in one line (mostly to ``hooks.py``)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from core.hookspecs import hookimpl
from core.hooktypes import NavItem
from core.plugins import Plugin


class LecturersPlugin(Plugin):
    name = "lecturers"
    title = _l("讲师团")
    uses = ("calendar",)

    @hookimpl
    def register_blueprints(self):
        from plugins.lecturers.blueprint import blueprints

        return blueprints()

    @hookimpl
    def register_api(self):
        from plugins.lecturers.api import blp

        return [blp]

    @hookimpl
    def register_permissions(self):
        from plugins.lecturers.hooks import PERMISSIONS

        return PERMISSIONS

    @hookimpl
    def register_commands(self):
        from plugins.lecturers.cli import lecturers

        return [lecturers]

    @hookimpl
    def setup_app(self, app):
        from plugins.lecturers import hooks

        hooks.setup_app(app)

    @hookimpl
    def nav_items(self, user):
        return [NavItem("lecturers.index", _l("讲师团"), order=30)]

    @hookimpl
    def render_slot(self, slot, user):
        from plugins.lecturers import hooks

        return hooks.render_slot(slot, user)

    @hookimpl
    def calendar_entry_tables(self):
        from plugins.lecturers.hooks import CALENDAR_ENTRY_TABLES

        return CALENDAR_ENTRY_TABLES

    @hookimpl
    def calendar_personal_tables(self):
        from plugins.lecturers.hooks import CALENDAR_PERSONAL_TABLES

        return CALENDAR_PERSONAL_TABLES

    @hookimpl
    def calendar_entries(self, start, end, viewer, personal):
        from plugins.lecturers import hooks

        return hooks.calendar_entries(start, end, viewer, personal)

    @hookimpl
    def report_metrics(self, unit_ids, start, end):
        from plugins.lecturers import hooks

        return hooks.report_metrics(unit_ids, start, end)

    @hookimpl
    def audit_labels(self):
        from plugins.lecturers import hooks

        return hooks.audit_labels()

    @hookimpl
    def load_demo_data(self, town):
        from plugins.lecturers import demo

        demo.load(town)

    @hookimpl
    def uploaded_files(self):
        from plugins.lecturers import hooks

        return hooks.uploaded_files()
