"""The competitions plugin object and its hook implementations."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from core.hookspecs import hookimpl
from core.hooktypes import NavItem
from core.permissions import Permission
from core.plugins import Plugin


class CompetitionsPlugin(Plugin):
    name = "competitions"
    title = _l("知识竞赛")
    uses = ("calendar",)

    @hookimpl
    def register_blueprints(self):
        from plugins.competitions.views import bp

        return [bp]

    @hookimpl
    def register_permissions(self):
        return [
            Permission(
                "competitions.manage_contests", _l("管理题库、竞赛和评比"), ("programme_manager",)
            )
        ]

    @hookimpl
    def nav_items(self, user):
        return [NavItem("competitions.index", _l("知识竞赛"), order=50)]

    @hookimpl
    def load_demo_data(self, town):
        """Filled in by the competitions issue."""
