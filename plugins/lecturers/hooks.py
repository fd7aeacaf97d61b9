"""What the lecturers plugin gives the core and other plugins: permissions, calendar entries,
report metrics, the dashboard panel, audit labels and the uploaded files it refers to.

``plugin.py`` delegates each hook here in one line. The plugin offers no public service.
"""

from __future__ import annotations

from flask import current_app, render_template
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from core import permissions
from core.extensions import db
from core.hooktypes import CalendarEntry, Metric
from core.models import OrgUnit, RoleAssignment
from core.orgunits import roll_up
from core.permissions import Permission
from core.timeutil import as_moment
from plugins.lecturers import services
from plugins.lecturers.models import Lecturer
from plugins.lecturers.requests.models import OPEN_STATES, LectureRequest, LecturerMaterial
from plugins.lecturers.requests.services import CALENDAR_STATES

PERMISSIONS = [
    Permission(
        "lecturers.manage",
        _l("审核讲师、编辑菜单、派单（社区教育管理员）"),
        ("programme_manager",),
    ),
    Permission("lecturers.request", _l("为本村点单并评价（村负责人）"), ("village_coordinator",)),
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

#: Settings and their defaults (``instance/config.py`` may set them).
SETTINGS = {
    "LECTURERS_OVERDUE_DAYS": 3,  # waiting longer is highlighted on /manage and reminded
    "LECTURERS_ACCEPT_HOURS": 48,  # 限时接单: unanswered longer goes back to the queue
}


def setup_app(app) -> None:
    """Give the plugin's settings their defaults."""
    for key, value in SETTINGS.items():
        app.config.setdefault(key, value)


#: The calendar plugin's own category for micro-lectures, so its filters and colours apply.
CATEGORY, COLOUR = "微讲堂", "#0b4f9c"

#: The public entries' tables. Title: topic and village; description: the lecturer's name.
CALENDAR_ENTRY_TABLES = [
    "lecturers_request",
    "lecturers_topic",
    "lecturers_lecturer",
    "org_unit.name",
    "user_account.display_name",
]
#: Personal entries: lectures given, or in villages coordinated (a role).
CALENDAR_PERSONAL_TABLES = ["lecturers_lecturer.user_id", "role_assignment.user_id"]


def _coordinated_village_ids(user) -> set[int]:
    paths = db.session.scalars(
        select(OrgUnit.path)
        .join(RoleAssignment, RoleAssignment.org_unit_id == OrgUnit.id)
        .where(RoleAssignment.user_id == user.id, RoleAssignment.role == "village_coordinator")
    ).all()
    if not paths:
        return set()
    return set(
        db.session.scalars(
            select(OrgUnit.id).where(or_(*[OrgUnit.path.startswith(path) for path in paths]))
        )
    )


def calendar_entries(start, end, viewer, personal: bool) -> list:
    """Scheduled and delivered lectures (and those cancelled after scheduling) in [start, end)."""
    start, end = as_moment(start), as_moment(end)
    query = (
        select(LectureRequest)
        .where(
            or_(
                LectureRequest.state.in_(CALENDAR_STATES),
                (LectureRequest.state == "cancelled") & LectureRequest.published.is_(True),
            ),
            LectureRequest.scheduled_start < end,
            LectureRequest.scheduled_end > start,
        )
        .order_by(LectureRequest.scheduled_start)
        .options(
            selectinload(LectureRequest.topic),
            selectinload(LectureRequest.village),
            selectinload(LectureRequest.lecturer).selectinload(Lecturer.user),
        )
    )
    if personal:
        if viewer is None or not getattr(viewer, "id", None):
            return []
        villages = _coordinated_village_ids(viewer)
        mine = LectureRequest.lecturer_id.in_(
            select(Lecturer.id).where(Lecturer.user_id == viewer.id)
        )
        query = query.where(
            or_(mine, LectureRequest.org_unit_id.in_(villages)) if villages else mine
        )
    return [entry_of(request) for request in db.session.scalars(query)]


def public_path(request_id: int) -> str:
    """The lecture's public page; built from the URL map, as hooks also run outside requests."""
    adapter = current_app.url_map.bind("")
    return adapter.build("lecturers.public_lecture", {"request_id": request_id})


def entry_of(request: LectureRequest) -> CalendarEntry:
    """The calendar's view of a lecture; its link is the public page everyone may open."""
    lecturer = request.lecturer.user.display_name if request.lecturer else ""
    return CalendarEntry(
        uid=f"lecturers-request-{request.id}@xiangxuetong",
        source="lecturers",
        title=f"微讲堂：{request.topic.name}（{request.village.name}）",
        start=request.scheduled_start,
        end=request.scheduled_end,
        url=public_path(request.id),
        category=CATEGORY,
        category_label=CATEGORY,
        colour=COLOUR,
        location=request.venue,
        description=f"{request.format_label} · 主讲：{lecturer} · {request.audience_group_label}",
        org_unit_id=request.org_unit_id,
        public=True,
        cancelled=request.state == "cancelled",
        sequence=request.sequence or 0,
        last_modified=request.updated_at,
    )


def report_metrics(unit_ids, start, end) -> list[Metric]:
    """Lectures delivered and audience per unit, each unit counting its descendants too."""
    per_village = services.delivered_by_village(start, end)
    wanted = list(unit_ids or [])
    lectures = roll_up(wanted, {v: count for v, (count, _) in per_village.items()})
    audience = roll_up(wanted, {v: people for v, (_, people) in per_village.items()})
    return [
        Metric(
            "lecturers.lectures_delivered",
            "送讲场次",
            lectures,
            "场",
            evidence_endpoint="lecturers.report_delivered",
        ),
        Metric(
            "lecturers.audience",
            "听讲人次",
            audience,
            "人次",
            evidence_endpoint="lecturers.report_audience",
        ),
    ]


def dashboard_data(user) -> dict | None:
    """Counts for the panel, or None when the user has nothing to do with lectures."""
    data: dict = {}
    if permissions.can(user, "lecturers.manage"):
        data["queue"] = db.session.scalar(
            select(func.count(LectureRequest.id)).where(LectureRequest.state == "submitted")
        )
    lecturer = db.session.scalar(select(Lecturer).where(Lecturer.user_id == user.id))
    if lecturer is not None:
        data["lecturer"] = lecturer
        data["mine"] = db.session.scalar(
            select(func.count(LectureRequest.id)).where(
                LectureRequest.lecturer_id == lecturer.id,
                LectureRequest.state.in_(("assigned", "accepted", "scheduled")),
            )
        )
    villages = permissions.unit_ids_where(user, "lecturers.request")
    if villages and "queue" not in data:
        data["village_open"] = db.session.scalar(
            select(func.count(LectureRequest.id)).where(
                LectureRequest.org_unit_id.in_(villages), LectureRequest.state.in_(OPEN_STATES)
            )
        )
    return data or None


def render_slot(slot: str, user) -> Markup | None:
    """The lecturers panel on the dashboard, for people who have something to do with lectures."""
    if slot != "dashboard" or user is None:
        return None
    data = dashboard_data(user)
    if not data:
        return None
    return Markup(render_template("lecturers/_panel.html", **data))


def audit_labels() -> dict:
    """Labels of this plugin's audit actions (the workflow's included) and record tables."""
    from plugins.lecturers.requests.workflow import ACTIONS

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


def uploaded_files() -> dict[str, dict[str, str]]:
    """The stored files of lectures (``UPLOAD_DIR``/lecturers/) and the row of each."""
    rows = db.session.execute(select(LecturerMaterial.id, LecturerMaterial.stored_name))
    return {"lecturers": {name: f"lecturers_material {row_id}" for row_id, name in rows if name}}
