"""The volunteers plugin object and its hook implementations."""

from __future__ import annotations

import click
from flask import render_template
from flask.cli import with_appcontext
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from core.hookspecs import hookimpl
from core.hooktypes import NavItem
from core.permissions import Permission
from core.plugins import Plugin
from plugins.volunteers import models, models_mediation  # noqa: F401  (tables for create_all)


@click.group("volunteers")
def volunteers_cli() -> None:
    """志愿服务 (volunteers) commands."""


@volunteers_cli.command("send-reminders")
@with_appcontext
def send_reminders_command() -> None:
    """Queue shift and mediation reminders (VOLUNTEERS_REMINDER_HOURS); safe to rerun."""
    from core.extensions import db
    from plugins.volunteers.feeds import send_reminders

    queued = send_reminders()
    db.session.commit()
    click.echo(f"queued {queued} reminder(s)")


class VolunteersPlugin(Plugin):
    name = "volunteers"
    title = _l("志愿服务")
    uses = ("calendar",)

    @hookimpl
    def register_blueprints(self):
        from plugins.volunteers import (  # noqa: F401  (each module adds its routes)
            views_manage,
            views_me,
            views_mediation,
            views_plan,
            views_profile,
            views_reports,
            views_volunteer,
        )
        from plugins.volunteers.blueprint import bp

        return [bp]

    @hookimpl
    def register_api(self):
        from plugins.volunteers.api import blp

        return [blp]

    @hookimpl
    def register_permissions(self):
        return [
            Permission(
                "volunteers.manage_shifts",
                _l("发布和安排志愿服务班次、确认服务时长"),
                ("programme_manager", "counsellor", "village_coordinator"),
            ),
            Permission(
                "volunteers.approve_volunteers",
                _l("审核志愿者登记"),
                ("programme_manager", "counsellor"),
            ),
            Permission(
                "volunteers.manage_skills", _l("管理技能清单和志愿队"), ("programme_manager",)
            ),
            Permission(
                "volunteers.view_reports",
                _l("查看志愿服务统计和名册"),
                ("programme_manager", "counsellor", "village_coordinator"),
            ),
            Permission(
                "volunteers.request_mediation",
                _l("申请人民调解"),
                ("resident", "village_coordinator", "volunteer"),
            ),
            Permission(
                "volunteers.manage_mediation",
                _l("司法所：安排人民调解、查看案情"),
                ("mediator",),
            ),
        ]

    @hookimpl
    def register_commands(self):
        return [volunteers_cli]

    @hookimpl
    def setup_app(self, app):
        app.config.setdefault("VOLUNTEERS_REQUIRE_APPROVAL", False)
        app.config.setdefault("VOLUNTEERS_REMINDER_HOURS", "24,2")

    @hookimpl
    def nav_items(self, user):
        return [
            NavItem("volunteers.index", _l("志愿服务"), order=40),
            NavItem(
                "volunteers.manage", _l("排班"), permission="volunteers.manage_shifts", order=41
            ),
        ]

    @hookimpl
    def render_slot(self, slot, user):
        if slot != "dashboard" or user is None:
            return None
        from plugins.volunteers import panel

        return Markup(render_template("volunteers/_panel.html", **panel.context(user)))

    @hookimpl
    def calendar_entry_tables(self):
        return ["volunteers_shift", "volunteers_mediation_case"]

    @hookimpl
    def calendar_personal_tables(self):
        # Personal: shifts assigned (with the role's name) and cases mediated.
        return [
            "volunteers_assignment.user_id",
            "volunteers_mediation_mediator.user_id",
            "volunteers_shift_role",
        ]

    @hookimpl
    def calendar_entries(self, start, end, viewer, personal):
        from plugins.volunteers.feeds import entries

        return entries(start, end, viewer, personal)

    @hookimpl
    def report_metrics(self, unit_ids, start, end):
        from plugins.volunteers.reports import metrics

        return metrics(unit_ids, start, end)

    @hookimpl
    def audit_labels(self):
        return {
            "volunteers.approved": _l("审核通过志愿者"),
            "volunteers.rejected": _l("退回志愿者登记"),
            "volunteers.attendance_recorded": _l("代志愿者签到或签退"),
            "volunteers.autofill_booked": _l("采用自动排班"),
            "volunteers.hours_confirmed": _l("确认服务时长"),
            "volunteers.hours_over_bound": _l("确认超出班次的时长"),
            "volunteers.invited": _l("邀请志愿者"),
            "volunteers.no_show": _l("记为缺席"),
            "volunteers.mediation_scheduled": _l("安排人民调解"),
            "volunteers.mediation_concluded": _l("记录调解结果"),
            "volunteers.mediation_cancelled": _l("取消调解案件"),
            "volunteers.mediator_recused": _l("调解员回避"),
            "volunteers.role_added": _l("添加岗位"),
            "volunteers.role_changed": _l("修改岗位人数"),
            "volunteers.shift_created": _l("发布班次"),
            "volunteers.shift_changed": _l("修改班次"),
            "volunteers.shift_cancelled": _l("取消班次"),
            "volunteers.skill_added": _l("添加技能"),
            "volunteers.team_added": _l("添加志愿队"),
            "volunteers_profile": _l("志愿者"),
            "volunteers_shift": _l("班次"),
            "volunteers_shift_role": _l("岗位"),
            "volunteers_assignment": _l("志愿者排班"),
            "volunteers_mediation_case": _l("调解案件"),
            "volunteers_skill": _l("技能"),
            "volunteers_team": _l("志愿队"),
        }

    @hookimpl
    def load_demo_data(self, town):
        from plugins.volunteers.demo import load

        load(town)
