"""What steering gives the rest of the site: its permissions, the dashboard, profile, progress
and rule-link slots, meetings on personal calendars, report figures, audit labels and the
evidence files it stores. ``plugin.py`` delegates each hook here."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from flask import render_template, request, url_for
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from sqlalchemy import func, select

from core import orgunits
from core.extensions import db
from core.hooktypes import CalendarEntry, Metric
from core.orgunits import roll_up
from core.permissions import Permission, unit_ids_where
from core.timeutil import from_local, local_today, to_local
from plugins.steering import figures, rules, standard
from plugins.steering import services as task_services
from plugins.steering.meetings import services as meeting_services
from plugins.steering.meetings.models import MEETING_KINDS, Meeting, MeetingAttendee
from plugins.steering.models import OPEN_TASK_STATES, Task, TaskEvidence
from plugins.steering.workflow import ACTIONS
from plugins.steering.workflow import TABLE as TASKS

PERMISSIONS = [
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

#: Pages governed by a rule: the slot on that page → the rule linked there.
RULE_SLOTS = {"volunteer_signup": "volunteer_rules", "assessment": "assessment_method"}

#: Personal calendar entries: meetings the person is invited to (nothing public).
CALENDAR_PERSONAL_TABLES = ["steering_meeting_attendee.user_id", "steering_meeting"]


def render_slot(slot: str, user) -> Markup | None:
    """The owner's overdue tasks (dashboard), training hours (profile), demonstration results
    (progress) and the link to a governing rule (volunteer sign-up, assessment)."""
    if slot == "dashboard" and user is not None:
        data = dashboard_data(user)
        if data:
            return Markup(render_template("steering/_panel.html", **data))
    if slot == "progress" and user is not None:
        data = progress_data(user)
        if data:
            return Markup(render_template("steering/_progress.html", **data))
    if slot in RULE_SLOTS:
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
        data = profile_data(user)
        if data:
            return Markup(render_template("steering/_profile.html", **data))
    return None


def dashboard_data(user) -> dict | None:
    """The owner's overdue tasks and open count, or None when they own no open task."""
    open_count = db.session.scalar(
        select(func.count(Task.id)).where(
            Task.owner_id == user.id, Task.state.in_(OPEN_TASK_STATES)
        )
    )
    if not open_count:
        return None
    return {
        "user": user,
        "open_count": open_count,
        "overdue": task_services.overdue_tasks(owner_id=user.id),
    }


def profile_data(user) -> dict | None:
    """This year's training hours, for people invited to any training (else None)."""
    invited = db.session.scalar(
        select(MeetingAttendee.id)
        .join(Meeting, Meeting.id == MeetingAttendee.meeting_id)
        .where(MeetingAttendee.user_id == user.id, Meeting.kind == "training")
        .limit(1)
    )
    if invited is None:
        return None
    year = local_today().year
    return {"year": year, "hours": meeting_services.training_hours(year, [user.id]).get(user.id, 0)}


def progress_data(user) -> dict | None:
    """Demonstration results by village and year (the progress page's year and two before)."""
    visible = unit_ids_where(user, "steering.view")
    villages = [village for village in orgunits.villages() if village.id in visible]
    if not villages:
        return None
    year = request.args.get("year", type=int) or standard.this_year()
    years = [year - 2, year - 1, year]
    records = standard.history([village.id for village in villages])
    return {
        "year": year,
        "years": years,
        "villages": villages,
        "results": {(r.org_unit_id, r.year): r for r in records if r.year in years},
        "milestones": standard.milestones(),
        "pass_mark": standard.pass_mark(),
    }


def calendar_entries(start, end, viewer, personal: bool) -> list:
    """Meetings the viewer is invited to, on their personal calendar and feed only."""
    if not personal or viewer is None or not getattr(viewer, "is_authenticated", False):
        return []
    first, last = to_local(start).date(), to_local(end).date()
    rows = db.session.scalars(
        select(Meeting)
        .join(MeetingAttendee, MeetingAttendee.meeting_id == Meeting.id)
        .where(
            MeetingAttendee.user_id == viewer.id,
            Meeting.held_on >= first,
            Meeting.held_on <= last,
        )
        .order_by(Meeting.held_on, Meeting.id)
    )
    entries = []
    for meeting in rows:
        begins = from_local(datetime.combine(meeting.held_on, time()))
        ends = begins + timedelta(days=1)
        if not (begins < end and ends > start):
            continue
        entries.append(
            CalendarEntry(
                uid=f"steering-meeting-{meeting.id}@xiangxuetong",
                source="steering",
                title=meeting.title,
                start=begins,
                end=ends,
                url=url_for("steering.meeting", meeting_id=meeting.id),
                category=MEETING_KINDS[meeting.kind],
                colour="#5a3e1b",
                location=meeting.venue,
                description=meeting.agenda,
                org_unit_id=meeting.org_unit_id,
                all_day=True,
                public=False,
            )
        )
    return entries


def _per_unit(items, unit_of, value_of=lambda item: 1) -> dict[int, float]:
    counts: dict[int, float] = {}
    for item in items:
        counts[unit_of(item)] = counts.get(unit_of(item), 0) + float(value_of(item))
    return counts


def report_metrics(unit_ids, start, end) -> list[Metric]:
    """The four figures per unit (each counting the units below it too)."""
    wanted = list(unit_ids or [])
    roots = wanted
    late = _per_unit(figures.overdue_tasks(roots, start, end), lambda t: t.org_unit_id)
    on_time = _per_unit(figures.closed_on_time(roots, start, end), lambda t: t.org_unit_id)
    visited = _per_unit(figures.visits(roots, start, end), lambda v: v.org_unit_id)
    hours = _per_unit(
        figures.trainings(roots, start, end), lambda r: r[0].org_unit_id, lambda r: r[2]
    )
    return [
        Metric(
            "steering.tasks_overdue",
            "逾期任务",
            roll_up(wanted, late),
            "个",
            evidence_endpoint="steering.figure_overdue",
        ),
        Metric(
            "steering.tasks_on_time",
            "按期办结任务",
            roll_up(wanted, on_time),
            "个",
            evidence_endpoint="steering.figure_on_time",
        ),
        Metric(
            "steering.visits",
            "检查指导",
            roll_up(wanted, visited),
            "次",
            evidence_endpoint="steering.figure_visits",
        ),
        Metric(
            "steering.training_hours",
            "业务培训学时",
            roll_up(wanted, hours),
            "人·小时",
            evidence_endpoint="steering.figure_training",
        ),
    ]


def audit_labels() -> dict:
    """Labels of steering's audit actions and of the tables its records point at."""
    steps = {
        row.audit: _l(ACTIONS[action])
        for (_state, action), row in TASKS.transitions.items()
        if isinstance(row.audit, str)
    }
    return steps | {
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


def uploaded_files() -> dict[str, dict[str, str]]:
    """Evidence files of tasks, under ``UPLOAD_DIR/steering``."""
    rows = db.session.execute(
        select(TaskEvidence.id, TaskEvidence.task_id, TaskEvidence.stored_name)
    )
    return {
        "steering": {
            name: f"steering_task {task_id} 佐证 {row_id}" for row_id, task_id, name in rows
        }
    }
