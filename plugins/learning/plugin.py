"""The learning plugin object and its hook implementations."""

from __future__ import annotations

from flask import render_template, url_for
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from core.hookspecs import hookimpl
from core.hooktypes import NavItem
from core.permissions import Permission
from core.plugins import Plugin
from plugins.learning import models  # noqa: F401  (tables known to create_all and Alembic)


class LearningPlugin(Plugin):
    name = "learning"
    title = _l("网上学习")
    uses = ("calendar", "competitions", "credits")

    @hookimpl
    def register_blueprints(self):
        from plugins.learning import (
            figures,
            views_assign,
            views_learn,
            views_manage,
            views_practice,
        )
        from plugins.learning.blueprint import bp

        _ = (figures, views_assign, views_learn, views_manage, views_practice)  # routes attach
        return [bp]

    @hookimpl
    def register_permissions(self):
        return [
            Permission(
                "learning.manage",
                _l("编写网上课程和课时，上传音视频，关联线下课"),
                ("programme_manager",),
            ),
            Permission(
                "learning.assign",
                _l("布置学习任务、查看学习进度、维护党员名册"),
                ("programme_manager", "counsellor", "village_coordinator"),
            ),
        ]

    @hookimpl
    def setup_app(self, app):
        from plugins.learning.receivers import connect_all
        from plugins.learning.views_manage import guard_upload_size

        connect_all(app)
        # First of all, before CSRF protection reads (and spools) a 2 GB body.
        app.before_request_funcs.setdefault(None, []).insert(0, guard_upload_size)

    @hookimpl
    def nav_items(self, user):
        return [
            NavItem("learning.index", _l("网上学习"), order=62),
            NavItem("learning.practice_today", _l("每日一练"), login_required=True, order=63),
        ]

    @hookimpl
    def render_slot(self, slot, user):
        if slot != "dashboard" or user is None:
            return None
        from plugins.learning import practice

        return Markup(
            render_template(
                "learning/_panel.html",
                streak=practice.streak(user.id),
                done_today=practice.local_day()
                in practice.finished_days(user.id, practice.local_day()),
            )
        )

    @hookimpl
    def report_metrics(self, unit_ids, start, end):
        from plugins.learning import figures

        return figures.metrics(unit_ids, start, end)

    @hookimpl
    def learning_entries(self, start, end):
        from plugins.learning import catalog

        return [
            catalog.entry(lesson, url_for("learning.lesson", lesson_id=lesson.id))
            for lesson in catalog.lessons_published_between(start, end)
        ]

    @hookimpl
    def load_demo_data(self, town):
        from plugins.learning.demo import load

        load(town)

    @hookimpl
    def audit_labels(self):
        return {
            "learning.course_created": _l("新建网上课程"),
            "learning.course_updated": _l("修改网上课程"),
            "learning.course_published": _l("发布网上课程"),
            "learning.lesson_created": _l("新建课时"),
            "learning.lesson_updated": _l("修改课时"),
            "learning.attachment_added": _l("上传课时附件"),
            "learning.event_linked": _l("把活动关联到课时"),
            "learning.assigned": _l("指派学习"),
            "learning.party_member_added": _l("加入党员名册"),
            "learning.party_member_removed": _l("移出党员名册"),
            "learning_course": _l("网上课程"),
            "learning_lesson": _l("课时"),
            "learning_assignment": _l("指派学习"),
            "learning_party_member": _l("党员名册"),
            "learning_event_link": _l("活动与课时关联"),
        }
