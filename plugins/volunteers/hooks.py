"""What the volunteers plugin gives the core and other plugins.

Permissions, navigation, audit labels, the dashboard panel, calendar entries and report
metrics. Mediation sessions appear in the calendar only as "调解活动": never the description,
the parties or the type.
"""

from __future__ import annotations

from datetime import datetime

from flask import render_template
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from sqlalchemy import func, select

from core.extensions import db
from core.hooktypes import CalendarEntry, Metric, NavItem
from core.notify import resolve_link
from core.orgunits import roll_up
from core.permissions import Permission, can, unit_ids_where
from core.timeutil import utcnow
from plugins.volunteers.mediation.models import CaseMediator, MediationCase
from plugins.volunteers.mediation.services import can_view
from plugins.volunteers.models import Assignment, Shift, ShiftRole
from plugins.volunteers.profiles import profile_of
from plugins.volunteers.reports import hours_counted, mediation_counted

PERMISSIONS = [
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
    Permission("volunteers.manage_skills", _l("管理技能清单和志愿队"), ("programme_manager",)),
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

NAV_ITEMS = [
    NavItem("volunteers.index", _l("志愿服务"), order=40),
    NavItem("volunteers.manage", _l("排班"), permission="volunteers.manage_shifts", order=41),
]

AUDIT_LABELS = {
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

#: Public entries: shifts and mediation sessions.
CALENDAR_TABLES = ["volunteers_shift", "volunteers_mediation_case"]
#: Personal: shifts assigned (with the role's name) and cases mediated.
CALENDAR_PERSONAL_TABLES = [
    "volunteers_assignment.user_id",
    "volunteers_mediation_mediator.user_id",
    "volunteers_shift_role",
]


def configure(app) -> None:
    """The plugin's settings and their defaults."""
    app.config.setdefault("VOLUNTEERS_REQUIRE_APPROVAL", False)
    app.config.setdefault("VOLUNTEERS_REMINDER_HOURS", "24,2")


# --- dashboard panel -------------------------------------------------------------------------


def panel_context(user) -> dict:
    """The volunteer's next shifts and open invitations; for managers, shifts short of people."""
    now = utcnow()
    mine = db.session.execute(
        select(Assignment.status, Shift)
        .join(ShiftRole, ShiftRole.id == Assignment.role_id)
        .join(Shift, Shift.id == ShiftRole.shift_id)
        .where(
            Assignment.user_id == user.id,
            Assignment.status.in_(("confirmed", "invited")),
            Shift.ends_at > now,
            Shift.cancelled.is_(False),
        )
        .order_by(Shift.starts_at)
    ).all()
    upcoming = [shift for status, shift in mine if status == "confirmed"]
    invitations = sum(1 for status, _ in mine if status == "invited")
    short = 0
    if can(user, "volunteers.manage_shifts"):
        units = unit_ids_where(user, "volunteers.manage_shifts")
        confirmed = (
            select(func.count(Assignment.id))
            .where(Assignment.role_id == ShiftRole.id, Assignment.status == "confirmed")
            .scalar_subquery()
        )
        short = db.session.scalar(
            select(func.count(func.distinct(Shift.id)))
            .join(ShiftRole, ShiftRole.shift_id == Shift.id)
            .where(
                Shift.org_unit_id.in_(units),
                Shift.starts_at > now,
                Shift.cancelled.is_(False),
                confirmed < ShiftRole.needed,
            )
        )
    return {
        "profile": profile_of(user.id),
        "upcoming": upcoming[:3],
        "invitations": invitations,
        "short": short,
        "manager": can(user, "volunteers.manage_shifts"),
    }


def render_slot(slot: str, user) -> Markup | None:
    """The dashboard panel for a signed-in user; nothing in other slots."""
    if slot != "dashboard" or user is None:
        return None
    return Markup(render_template("volunteers/_panel.html", **panel_context(user)))


# --- calendar entries ------------------------------------------------------------------------

COLOUR_SHIFT = "#1e6b2f"
COLOUR_MEDIATION = "#5a3d8a"
MEDIATION_TITLE = "调解活动"
#: What the calendar shows as these entries' category (message ids of this plugin's catalog).
SHIFT_LABEL, MEDIATION_LABEL = "志愿服务", "人民调解"


def shift_uid(shift_id: int) -> str:
    return f"volunteers-shift-{shift_id}@xiangxuetong"


def _shift_entry(shift: Shift, public: bool, role_name: str | None = None) -> CalendarEntry:
    description = shift.description if not role_name else f"岗位：{role_name}\n{shift.description}"
    return CalendarEntry(
        uid=shift_uid(shift.id),
        source="volunteers",
        title=f"志愿服务：{shift.title}",
        start=shift.starts_at,
        end=shift.ends_at,
        url=resolve_link("volunteers.shift_detail", {"shift_id": shift.id}) or "",
        category="volunteers",
        category_label=SHIFT_LABEL,
        colour=COLOUR_SHIFT,
        location=shift.venue,
        description=description.strip(),
        org_unit_id=shift.org_unit_id,
        public=public,
        cancelled=shift.cancelled,
        sequence=shift.sequence,
        last_modified=shift.updated_at,
    )


def _mediation_entry(case: MediationCase, personal: bool, linked: bool = False) -> CalendarEntry:
    """Only "调解活动" and the time for everyone; a link (and the place) only for those who may
    open the case (its mediators and helpers, the justice office, the requester)."""
    linked = linked or personal
    url = resolve_link("volunteers.mediation_detail", {"case_id": case.id}) if linked else None
    return CalendarEntry(
        uid=f"volunteers-mediation-{case.id}@xiangxuetong",
        source="volunteers",
        title=MEDIATION_TITLE,
        start=case.starts_at,
        end=case.ends_at,
        url=url or "",  # "": not a link for others
        category="mediation",
        category_label=MEDIATION_LABEL,
        colour=COLOUR_MEDIATION,
        location=case.venue if personal else "",
        org_unit_id=case.org_unit_id,
        public=not personal,
        cancelled=case.state == "cancelled",
        sequence=case.sequence,
        last_modified=case.updated_at,
    )


def calendar_entries(start: datetime, end: datetime, viewer, personal: bool) -> list:
    """What the calendar shows: public shifts and sessions, or the viewer's own."""
    in_window = (Shift.starts_at < end, Shift.ends_at > start)
    sessions = select(MediationCase).where(
        MediationCase.state.in_(("scheduled", "concluded", "cancelled")),
        MediationCase.starts_at.is_not(None),
        MediationCase.starts_at < end,
        MediationCase.ends_at > start,
    )
    if personal:
        if viewer is None or not getattr(viewer, "is_authenticated", False):
            return []
        rows = db.session.execute(
            select(Shift, ShiftRole.name)
            .join(ShiftRole, ShiftRole.shift_id == Shift.id)
            .join(Assignment, Assignment.role_id == ShiftRole.id)
            .where(Assignment.user_id == viewer.id, Assignment.status == "confirmed", *in_window)
        ).all()
        found = [_shift_entry(shift, False, role) for shift, role in rows]
        cases = db.session.scalars(
            sessions.join(CaseMediator, CaseMediator.case_id == MediationCase.id).where(
                CaseMediator.user_id == viewer.id, CaseMediator.removed.is_(False)
            )
        ).all()
        return found + [_mediation_entry(case, True) for case in cases]
    shifts = db.session.scalars(select(Shift).where(Shift.public.is_(True), *in_window)).all()
    cases = db.session.scalars(sessions).all()
    return [_shift_entry(s, True) for s in shifts] + [
        _mediation_entry(c, False, linked=can_view(viewer, c)) for c in cases
    ]


# --- report metrics --------------------------------------------------------------------------


def report_metrics(unit_ids, start, end) -> list[Metric]:
    """Confirmed service hours and mediation sessions held, per unit with its descendants."""
    hours = db.session.execute(
        select(Shift.org_unit_id, func.sum(Assignment.hours))
        .join(ShiftRole, ShiftRole.id == Assignment.role_id)
        .join(Shift, Shift.id == ShiftRole.shift_id)
        .where(hours_counted(start, end))
        .group_by(Shift.org_unit_id)
    ).all()
    sessions = db.session.execute(
        select(MediationCase.org_unit_id, func.count(MediationCase.id))
        .where(mediation_counted(start, end))
        .group_by(MediationCase.org_unit_id)
    ).all()
    return [
        Metric(
            "volunteers.hours",
            "志愿服务时长",
            {
                unit_id: round(total, 2)
                for unit_id, total in roll_up(
                    unit_ids, {u: float(h or 0) for u, h in hours}
                ).items()
            },
            "小时",
            evidence_endpoint="volunteers.report_hours",
        ),
        Metric(
            "volunteers.mediation_sessions",
            "人民调解场次",
            roll_up(unit_ids, {u: float(n) for u, n in sessions}),
            "场",
            evidence_endpoint="volunteers.report_mediation",
        ),
    ]
