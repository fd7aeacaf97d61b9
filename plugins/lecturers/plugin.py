"""The lecturers plugin object and its hook implementations."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from core.hookspecs import hookimpl
from core.hooktypes import NavItem
from core.permissions import Permission
from core.plugins import Plugin


class LecturersPlugin(Plugin):
    name = "lecturers"
    title = _l("讲师团")
    uses = ("calendar",)

    @hookimpl
    def register_blueprints(self):
        from plugins.lecturers.views import bp

        return [bp]

    @hookimpl
    def register_permissions(self):
        return [
            Permission(
                "lecturers.manage_requests",
                _l("派单、审核讲师(社区教育管理员)"),
                ("programme_manager",),
            )
        ]

    @hookimpl
    def nav_items(self, user):
        return [NavItem("lecturers.index", _l("讲师团"), order=30)]

    @hookimpl
    def load_demo_data(self, town):
        """Filled in by the lecturers issue."""
