"""The calendar plugin object and its hook implementations."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from core.hookspecs import hookimpl
from core.hooktypes import NavItem
from core.permissions import Permission
from core.plugins import Plugin


class CalendarPlugin(Plugin):
    name = "calendar"
    title = _l("活动日历")
    uses = ()

    @hookimpl
    def register_blueprints(self):
        from plugins.calendar.views import bp

        return [bp]

    @hookimpl
    def register_permissions(self):
        return [
            Permission(
                "calendar.manage_events",
                _l("创建和编辑活动(管理员全镇,村负责人本村)"),
                ("programme_manager", "village_coordinator"),
            )
        ]

    @hookimpl
    def nav_items(self, user):
        return [NavItem("calendar.index", _l("活动日历"), order=20)]

    @hookimpl
    def load_demo_data(self, town):
        """Filled in by the calendar issue."""
