"""The volunteers plugin object and its hook implementations."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from core.hookspecs import hookimpl
from core.hooktypes import NavItem
from core.permissions import Permission
from core.plugins import Plugin


class VolunteersPlugin(Plugin):
    name = "volunteers"
    title = _l("志愿服务")
    uses = ("calendar",)

    @hookimpl
    def register_blueprints(self):
        from plugins.volunteers.views import bp

        return [bp]

    @hookimpl
    def register_permissions(self):
        return [
            Permission(
                "volunteers.manage_shifts",
                _l("发布和安排志愿服务班次"),
                ("programme_manager", "counsellor"),
            )
        ]

    @hookimpl
    def nav_items(self, user):
        return [NavItem("volunteers.index", _l("志愿服务"), order=40)]

    @hookimpl
    def load_demo_data(self, town):
        """Filled in by the volunteers issue."""
