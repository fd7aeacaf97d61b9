"""The reports plugin object: each hook delegates to the module that does the work
(``hooks`` for what the plugin gives others)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from core.hookspecs import hookimpl
from core.plugins import Plugin
from plugins.reports import models  # noqa: F401  (tables known to create_all and Alembic)


class ReportsPlugin(Plugin):
    name = "reports"
    title = _l("工作进度")
    uses = ("calendar", "lecturers", "volunteers", "competitions", "credits")

    @hookimpl
    def register_blueprints(self):
        from plugins.reports import blueprint

        return blueprint.blueprints()

    @hookimpl
    def register_permissions(self):
        from plugins.reports import hooks

        return hooks.PERMISSIONS

    @hookimpl
    def register_commands(self):
        from plugins.reports import cli

        return cli.commands()

    @hookimpl
    def nav_items(self, user):
        from plugins.reports import hooks

        return hooks.nav_items(user)

    @hookimpl
    def render_slot(self, slot, user):
        from plugins.reports import hooks

        return hooks.render_slot(slot, user)

    @hookimpl
    def audit_labels(self):
        from plugins.reports import hooks

        return hooks.AUDIT_LABELS

    @hookimpl
    def load_demo_data(self, town):
        from plugins.reports import demo

        demo.load(town)

    @hookimpl
    def uploaded_files(self):
        from plugins.reports import hooks

        return hooks.uploaded_files()
