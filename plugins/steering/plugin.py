"""The steering plugin object and its hook implementations."""

from __future__ import annotations

from flask import render_template
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from core.hookspecs import hookimpl
from core.hooktypes import NavItem
from core.permissions import Permission
from core.plugins import Plugin
from plugins.steering import models, models_meetings, models_more  # noqa: F401  (tables)

#: Pages governed by a rule: the slot on that page → the rule linked there.
RULE_SLOTS = {"volunteer_signup": "volunteer_rules", "assessment": "assessment_method"}


class SteeringPlugin(Plugin):
    name = "steering"
    title = _l("工作督导")
    uses = ("calendar", "reports")

    @hookimpl
    def register_blueprints(self):
        from plugins.steering import (
            views_coverage,
            views_figures,
            views_meetings,
            views_rules,
            views_standard,
            views_tasks,
            views_visits,
        )
        from plugins.steering.blueprint import bp

        _ = (
            views_coverage,
            views_figures,
            views_meetings,
            views_rules,
            views_standard,
            views_tasks,
            views_visits,
        )  # routes attach on import
        return [bp]

    @hookimpl
    def register_permissions(self):
        return [
            Permission(
                "steering.view",
                _l("查看本单位的督办任务、检查记录、会议和评估"),
                ("programme_manager", "counsellor", "village_coordinator"),
            ),
            Permission(
                "steering.assign",
                _l("下达和验收督办任务，登记检查指导"),
                ("programme_manager", "counsellor"),
            ),
            Permission(
                "steering.manage",
                _l("组织推进会和培训、安排分片联系、制定示范社区评估标准并评分"),
                ("programme_manager",),
            ),
            Permission(
                "steering.self_assess",
                _l("本村（社区）对照示范标准自评"),
                ("village_coordinator",),
            ),
            Permission("steering.edit_rules", _l("编写和修订工作制度"), ("programme_manager",)),
        ]

    @hookimpl
    def register_commands(self):
        from plugins.steering.cli import steering

        return [steering]

    @hookimpl
    def nav_items(self, user):
        return [
            NavItem("steering.tasks_list", _l("工作督导"), permission="steering.view", order=75),
            NavItem("steering.rules_index", _l("工作制度"), order=95),
        ]

    @hookimpl
    def render_slot(self, slot, user):
        if slot == "dashboard" and user is not None:
            from plugins.steering import panel

            data = panel.dashboard_data(user)
            if data:
                return Markup(render_template("steering/_panel.html", **data))
        if slot == "progress" and user is not None:
            from plugins.steering import panel

            data = panel.progress_data(user)
            if data:
                return Markup(render_template("steering/_progress.html", **data))
        if slot in RULE_SLOTS:
            from plugins.steering import rules

            record = rules.page(RULE_SLOTS[slot])
            if record is not None and record.current is not None:
                return Markup(
                    render_template(
                        "steering/_rule_link.html",
                        slug=record.slug,
                        title=rules.RULES[record.slug],
                        number=record.current.number,
                    )
                )
        if slot == "profile" and user is not None:
            from plugins.steering import panel

            data = panel.profile_data(user)
            if data:
                return Markup(render_template("steering/_profile.html", **data))
        return None

    @hookimpl
    def calendar_entry_tables(self):
        return []  # meetings are personal entries only: nothing public to re-query

    @hookimpl
    def calendar_personal_tables(self):
        # Personal: meetings the person is invited to.
        return ["steering_meeting_attendee.user_id", "steering_meeting"]

    @hookimpl
    def calendar_entries(self, start, end, viewer, personal):
        from plugins.steering.meetings import calendar_entries

        return calendar_entries(start, end, viewer, personal)

    @hookimpl
    def report_metrics(self, unit_ids, start, end):
        from plugins.steering import figures

        return figures.report_metrics(unit_ids, start, end)

    @hookimpl
    def load_demo_data(self, town):
        from plugins.steering.demo import load

        load(town)

    @hookimpl
    def audit_labels(self):
        from plugins.steering.workflow import ACTIONS

        workflow = {f"steering.task_{key}": _l(text) for key, text in ACTIONS.items()}
        return workflow | {
            "steering.task_created": _l("下达督办任务"),
            "steering.evidence_added": _l("上传任务佐证"),
            "steering.visit_recorded": _l("登记检查指导"),
            "steering.meeting_created": _l("安排推进会或培训"),
            "steering.meeting_attendance": _l("登记会议出席和纪要"),
            "steering.area_assigned": _l("分配辅导员联系片区"),
            "steering.area_removed": _l("取消辅导员联系片区"),
            "steering.standard_set": _l("设置示范社区评估标准"),
            "steering.self_assessed": _l("村（社区）自评"),
            "steering.scored": _l("镇评分"),
            "steering.milestone_set": _l("设置年度目标进度"),
            "steering.rule_saved": _l("修改工作制度"),
            "steering_task": _l("督办任务"),
            "steering_visit": _l("检查指导"),
            "steering_meeting": _l("推进会或培训"),
            "steering_counsellor_area": _l("辅导员联系片区"),
            "steering_standard_item": _l("示范社区评估项目"),
            "steering_standard_assessment": _l("示范社区评估"),
            "steering_milestone": _l("年度目标进度"),
            "steering_rule_page": _l("工作制度"),
        }
