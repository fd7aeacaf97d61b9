"""The reports plugin object and its hook implementations."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from core.hookspecs import hookimpl
from core.hooktypes import NavItem
from core.permissions import Permission
from core.plugins import Plugin


class ReportsPlugin(Plugin):
    name = "reports"
    title = _l("工作进度")
    uses = ("calendar", "lecturers", "volunteers", "competitions", "credits")

    @hookimpl
    def register_blueprints(self):
        from plugins.reports.views import bp

        return [bp]

    @hookimpl
    def register_permissions(self):
        return [
            Permission(
                "reports.view_reports",
                _l("查看工作进度和考核报表"),
                ("programme_manager", "counsellor", "village_coordinator"),
            )
        ]

    @hookimpl
    def nav_items(self, user):
        return [NavItem("reports.index", _l("工作进度"), order=70)]

    @hookimpl
    def load_demo_data(self, town):
        """Filled in by the reports issue."""
