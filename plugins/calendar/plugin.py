"""The calendar plugin object and its hook implementations."""

from __future__ import annotations

from flask import render_template
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from core.hookspecs import hookimpl
from core.hooktypes import NavItem
from core.permissions import Permission
from core.plugins import Plugin

CONFIG_DEFAULTS = {
    "CALENDAR_FEED_DAYS_BACK": 90,
    "CALENDAR_FEED_DAYS_AHEAD": 365,
    "CALENDAR_MAX_UPLOAD_MB": 10,
    "CALENDAR_CHECKIN_OPENS_MINUTES_BEFORE": 60,
    "CALENDAR_CHECKIN_CLOSES_MINUTES_AFTER": 60,
}


class CalendarPlugin(Plugin):
    name = "calendar"
    title = _l("活动日历")
    uses = ()

    @hookimpl
    def register_blueprints(self):
        from plugins.calendar import (  # noqa: F401  (each module adds its routes to bp)
            views_admin,
            views_checkin,
            views_feeds,
            views_manage,
            views_materials,
            views_pages,
            views_people,
            views_reports,
        )
        from plugins.calendar.blueprint import bp

        return [bp]

    @hookimpl
    def register_api(self):
        from plugins.calendar.api import blp

        return [blp]

    @hookimpl
    def register_permissions(self):
        return [
            Permission(
                "calendar.manage_events",
                _l("创建和编辑活动（管理员全镇，村负责人本村）"),
                ("programme_manager", "village_coordinator"),
            ),
            Permission(
                "calendar.manage_categories", _l("管理活动类别和颜色"), ("programme_manager",)
            ),
            Permission(
                "calendar.checkin",
                _l("点名签到、代报名、导出签到册"),
                ("village_coordinator", "counsellor", "programme_manager"),
            ),
            Permission(
                "calendar.view_reports",
                _l("查看本村（社区）举办的活动和签到记录（工作进度的依据）"),
                ("village_coordinator", "counsellor", "programme_manager"),
            ),
            Permission(
                "calendar.view_materials",
                _l("查看和上传活动资料"),
                ("counsellor", "programme_manager", "village_coordinator"),
            ),
        ]

    @hookimpl
    def calendar_entry_tables(self):
        # Category names and colours, unit names and the unit tree (village filters) show on
        # every page and feed; a unit's population or learning-centre details do not.
        unit = ("name", "path", "parent_id", "kind", "active")
        return ["calendar_category", *(f"org_unit.{column}" for column in unit)]

    @hookimpl
    def calendar_personal_tables(self):
        # The private feed's own dates: the person's registrations.
        return ["calendar_registration.user_id"]

    @hookimpl
    def register_services(self):
        from plugins.calendar import holdings, services

        return {"calendar": services, "calendar_holdings": holdings}

    @hookimpl
    def register_commands(self):
        from plugins.calendar.reminders import calendar_cli

        return [calendar_cli]

    @hookimpl
    def setup_app(self, app):
        from plugins.calendar import tracking
        from plugins.calendar.blueprint import clock
        from plugins.calendar.category_names import shown_name

        tracking.install()

        for key, value in CONFIG_DEFAULTS.items():
            app.config.setdefault(key, value)
        app.jinja_env.filters["clock"] = clock
        app.jinja_env.filters["category_name"] = shown_name

    @hookimpl
    def nav_items(self, user):
        return [
            NavItem("calendar.index", _l("活动日历"), order=20),
            NavItem(
                "calendar.manage", _l("活动管理"), permission="calendar.manage_events", order=21
            ),
        ]

    @hookimpl
    def render_slot(self, slot, user):
        if slot == "profile" and user is not None:
            from plugins.calendar.views_feeds import token_for

            row = token_for(user.id)
            return Markup(
                render_template("calendar/_profile.html", token=row.token if row else None)
            )
        if slot == "dashboard" and user is not None:
            from plugins.calendar.panels import dashboard_panel

            return dashboard_panel(user)
        if slot == "home":
            from plugins.calendar.panels import home_panel

            return home_panel()
        return None

    @hookimpl
    def report_metrics(self, unit_ids, start, end):
        from plugins.calendar.metrics import metrics

        return metrics(unit_ids, start, end)

    @hookimpl
    def audit_labels(self):
        return {
            "calendar.attendance_late_recorded": _l("补录签到"),
            "calendar.attendance_ticked": _l("点名签到"),
            "calendar.attendance_undone": _l("撤销签到"),
            "calendar.walk_in_recorded": _l("登记现场签到"),
            "calendar.category_created": _l("新增活动类别"),
            "calendar.category_updated": _l("修改活动类别"),
            "calendar.event_created": _l("创建活动"),
            "calendar.event_updated": _l("修改活动"),
            "calendar.event_cancelled": _l("取消整个活动"),
            "calendar.occurrence_cancelled": _l("取消一次活动"),
            "calendar.occurrence_restored": _l("恢复一次活动"),
            "calendar.occurrence_edited": _l("修改一次活动"),
            "calendar.series_split": _l("拆分系列活动"),
            "calendar.series_paused": _l("暂停系列活动"),
            "calendar.series_unpaused": _l("取消暂停系列活动"),
            "calendar.material_uploaded": _l("上传活动资料"),
            "calendar.proxy_registered": _l("代报名"),
            "calendar_event": _l("活动"),
            "calendar_category": _l("活动类别"),
            "calendar_material": _l("活动资料"),
            "calendar_registration": _l("报名"),
            "calendar_attendance": _l("签到记录"),
        }

    @hookimpl
    def load_demo_data(self, town):
        from plugins.calendar.demo import load

        load(town)

    @hookimpl
    def uploaded_files(self):
        from sqlalchemy import select

        from core.extensions import db
        from plugins.calendar.models import CalendarMaterial

        rows = []
        rows += [
            (name, f"calendar_material {row_id}")
            for row_id, name in db.session.execute(
                select(CalendarMaterial.id, CalendarMaterial.stored_name)
            )
            if name
        ]
        return {"calendar": dict(rows)}
