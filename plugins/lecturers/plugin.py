"""The lecturers plugin object and its hook implementations."""

from __future__ import annotations

from flask import render_template
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

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
    def register_api(self):
        from plugins.lecturers.api import blp

        return [blp]

    @hookimpl
    def register_permissions(self):
        return [
            Permission(
                "lecturers.manage",
                _l("审核讲师、编辑菜单、派单（社区教育管理员）"),
                ("programme_manager",),
            ),
            Permission(
                "lecturers.request", _l("为本村点单并评价（村负责人）"), ("village_coordinator",)
            ),
            Permission(
                "lecturers.view_reports",
                _l("查看送讲覆盖报表"),
                ("programme_manager", "counsellor"),
            ),
            Permission(
                "lecturers.recommend",
                _l("推荐本单位人员加入讲师团"),
                ("village_coordinator", "counsellor", "programme_manager"),
            ),
        ]

    @hookimpl
    def register_commands(self):
        from plugins.lecturers.cli import lecturers

        return [lecturers]

    @hookimpl
    def setup_app(self, app):
        app.config.setdefault("LECTURERS_OVERDUE_DAYS", 3)
        app.config.setdefault("LECTURERS_ACCEPT_HOURS", 48)  # 限时接单

    @hookimpl
    def nav_items(self, user):
        return [NavItem("lecturers.index", _l("讲师团"), order=30)]

    @hookimpl
    def render_slot(self, slot, user):
        if slot != "dashboard" or user is None:
            return None
        from plugins.lecturers import panel

        data = panel.dashboard_data(user)
        if not data:
            return None
        return Markup(render_template("lecturers/_panel.html", **data))

    @hookimpl
    def calendar_entry_tables(self):
        # Title: topic and village; description: the lecturer's name.
        return [
            "lecturers_request",
            "lecturers_topic",
            "lecturers_lecturer",
            "org_unit.name",
            "user_account.display_name",
        ]

    @hookimpl
    def calendar_personal_tables(self):
        # Personal: lectures given, or in villages coordinated (a role).
        return ["lecturers_lecturer.user_id", "role_assignment.user_id"]

    @hookimpl
    def calendar_entries(self, start, end, viewer, personal):
        from plugins.lecturers import services

        return services.calendar_entries(start, end, viewer, personal)

    @hookimpl
    def report_metrics(self, unit_ids, start, end):
        from plugins.lecturers import services

        return services.report_metrics(unit_ids, start, end)

    @hookimpl
    def audit_labels(self):
        from plugins.lecturers.workflow import ACTIONS

        workflow = {f"lecturers.{key}": _l(text) for key, text in ACTIONS.items()}

        return {
            "lecturers.apply": _l("申请加入讲师团"),
            "lecturers.approve": _l("批准讲师"),
            "lecturers.reject": _l("不批准讲师"),
            "lecturers.recommend": _l("推荐讲师"),
            "lecturers.profile_edited": _l("修改讲师资料"),
            "lecturers.material_uploaded": _l("上传宣讲资料"),
            "lecturers.topic_saved": _l("保存点单专题"),
            "lecturers.submit": _l("提交点单"),
            "lecturers.wish_declined": _l("婉拒村民点单心愿"),
            "lecturers.wishes_merged": _l("村民心愿合并为点单"),
            "lecturers_lecturer": _l("讲师"),
            "lecturers_request": _l("点单"),
            "lecturers_topic": _l("点单专题"),
            "lecturers_material": _l("宣讲资料"),
            **workflow,
        }

    @hookimpl
    def load_demo_data(self, town):
        from plugins.lecturers import demo

        demo.load(town)

    @hookimpl
    def uploaded_files(self):
        from sqlalchemy import select

        from core.extensions import db
        from plugins.lecturers.models_requests import LecturerMaterial

        rows = []
        rows += [
            (name, f"lecturers_material {row_id}")
            for row_id, name in db.session.execute(
                select(LecturerMaterial.id, LecturerMaterial.stored_name)
            )
            if name
        ]
        return {"lecturers": dict(rows)}
