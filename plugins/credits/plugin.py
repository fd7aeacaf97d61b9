"""The credits plugin object: each hook delegates to the module that does the work
(``hooks`` for what the plugin gives others)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from core.hookspecs import hookimpl
from core.plugins import Plugin
from plugins.credits import models  # noqa: F401  (tables known to create_all and Alembic)


class CreditsPlugin(Plugin):
    name = "credits"
    title = _l("学分银行")
    uses = ("calendar", "lecturers", "volunteers", "competitions")

    @hookimpl
    def register_blueprints(self):
        from plugins.credits import blueprint

        return blueprint.blueprints()

    @hookimpl
    def register_api(self):
        from plugins.credits.api import blp

        return [blp]

    @hookimpl
    def register_permissions(self):
        from plugins.credits import hooks

        return hooks.PERMISSIONS

    @hookimpl
    def register_services(self):
        from plugins.credits import hooks

        return hooks.service_objects()

    @hookimpl
    def register_commands(self):
        from plugins.credits import cli

        return cli.commands()

    @hookimpl
    def setup_app(self, app):
        from plugins.credits import receivers

        receivers.connect_all(app)

    @hookimpl
    def nav_items(self, user):
        from plugins.credits import hooks

        return hooks.nav_items(user)

    @hookimpl
    def render_slot(self, slot, user):
        from plugins.credits import hooks

        return hooks.render_slot(slot, user)

    @hookimpl
    def report_metrics(self, unit_ids, start, end):
        from plugins.credits import hooks

        return hooks.report_metrics(unit_ids, start, end)

    @hookimpl
    def audit_labels(self):
        from plugins.credits import hooks

        return hooks.AUDIT_LABELS

    @hookimpl
    def load_demo_data(self, town):
        from plugins.credits import demo

        demo.load(town)
