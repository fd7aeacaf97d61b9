"""What learning gives the rest of the site: its permissions, the dashboard panel (streak and
today's practice), report figures, new lessons for the 指尖学习 digest and feed, audit labels
and the media and attachment files it stores. ``plugin.py`` delegates each hook here."""

from __future__ import annotations

from flask import render_template, url_for
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from sqlalchemy import select

from core.extensions import db
from core.hooktypes import LearningEntry, Metric
from core.orgunits import roll_up
from core.permissions import Permission
from plugins.learning import catalog, figures
from plugins.learning.models import Attachment, Lesson
from plugins.learning.practice import services as practice

PERMISSIONS = [
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


def render_slot(slot: str, user) -> Markup | None:
    """The dashboard panel: the person's streak and whether today's practice is done."""
    if slot != "dashboard" or user is None:
        return None
    return Markup(
        render_template(
            "learning/_panel.html",
            streak=practice.streak(user.id),
            done_today=practice.local_day()
            in practice.finished_days(user.id, practice.local_day()),
        )
    )


def report_metrics(unit_ids, start, end) -> list[Metric]:
    """网上学员, 学完课程 and 指派学习完成率 per unit (see ``figures.py`` for what each counts)."""
    learners: dict[int | None, float] = {}
    for user, _count in figures.learner_rows(start, end):
        learners[user.home_unit_id] = learners.get(user.home_unit_id, 0) + 1
    completions: dict[int | None, float] = {}
    for row in figures.completion_rows(start, end):
        completions[row.home_unit_id] = completions.get(row.home_unit_id, 0) + 1
    return [
        Metric(
            "learning.learners",
            "网上学员",
            roll_up(unit_ids, learners),
            "人",
            evidence_endpoint="learning.report_learners",
        ),
        Metric(
            "learning.completions",
            "学完课程",
            roll_up(unit_ids, completions),
            "人次",
            evidence_endpoint="learning.report_completions",
        ),
        _rate(unit_ids, start, end),
    ]


def _rate(unit_ids, start, end) -> Metric:
    completed: dict[int | None, float] = {}
    assigned: dict[int | None, float] = {}
    for _assignment, person, done in figures.rate_rows(start, end):
        assigned[person.home_unit_id] = assigned.get(person.home_unit_id, 0) + 1
        completed[person.home_unit_id] = completed.get(person.home_unit_id, 0) + done
    return Metric(
        "learning.completion_rate",
        "指派学习完成率",
        roll_up(unit_ids, completed),
        "%",
        evidence_endpoint="learning.report_completion_rate",
        denominators=roll_up(unit_ids, assigned),
    )


def learning_entries(start, end) -> list[LearningEntry]:
    """Lessons of published courses that became visible in [start, end)."""
    return [
        catalog.entry(lesson, url_for("learning.lesson", lesson_id=lesson.id))
        for lesson in catalog.lessons_published_between(start, end)
    ]


def audit_labels() -> dict:
    """Labels of learning's audit actions and of the tables its records point at."""
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


def uploaded_files() -> dict[str, dict[str, str]]:
    """Lesson media and attachments, under ``UPLOAD_DIR/learning``."""
    found = {
        name: f"learning_lesson {lesson_id}"
        for lesson_id, name in db.session.execute(select(Lesson.id, Lesson.media_file))
        if name
    }
    found |= {
        name: f"learning_attachment {row_id}"
        for row_id, name in db.session.execute(select(Attachment.id, Attachment.stored_name))
    }
    return {"learning": found}
