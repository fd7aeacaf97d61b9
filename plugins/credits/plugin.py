"""The credits plugin object and its hook implementations."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from core.hookspecs import hookimpl
from core.hooktypes import NavItem
from core.permissions import Permission
from core.plugins import Plugin


class CreditsPlugin(Plugin):
    name = "credits"
    title = _l("学分银行")
    uses = ("calendar", "lecturers", "volunteers", "competitions")

    @hookimpl
    def register_blueprints(self):
        from plugins.credits.views import bp

        return [bp]

    @hookimpl
    def register_permissions(self):
        return [
            Permission("credits.manage_rules", _l("设置学分规则和上限"), ("programme_manager",))
        ]

    @hookimpl
    def nav_items(self, user):
        return [NavItem("credits.index", _l("学分银行"), order=60)]

    @hookimpl
    def load_demo_data(self, town):
        """Filled in by the credits issue."""
