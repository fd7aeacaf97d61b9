"""Tasks (督办): creation, owners, evidence files, lists and the overdue ones."""

from __future__ import annotations

from datetime import date

from flask import current_app
from sqlalchemy import or_, select
from werkzeug.datastructures import FileStorage

from core import accounts, audit, notify
from core import uploads as core_uploads
from core.extensions import db
from core.i18n import translate
from core.models import OrgUnit, User
from core.timeutil import local_today
from plugins.steering.models import (
    OPEN_TASK_STATES,
    TASK_SOURCES,
    Task,
    TaskEvent,
    TaskEvidence,
    TaskHelper,
)

#: Staff roles whose holders may own or help with a task of a unit (on it or above it).
OWNER_ROLES = ("village_coordinator", "counsellor", "programme_manager")
EVIDENCE_TYPES = frozenset({"jpg", "png", "pdf", "docx", "xlsx"})


class TaskError(ValueError):
    """Input a task refuses, with the Chinese message (and the form field it belongs to)."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message, self.field = message, field


def owner_candidates(unit: OrgUnit) -> list[User]:
    """Staff who may own a task of ``unit``: its coordinators, counsellors and managers above."""
    return accounts.users_holding(OWNER_ROLES, unit.ancestor_ids)


def create_task(
    unit: OrgUnit,
    title: str,
    owner_id: int | None,
    deadline: date | None,
    creator,
    *,
    helper_ids: list[int] | tuple = (),
    description: str = "",
    source: str = "manual",
    meeting_id: int | None = None,
    visit_id: int | None = None,
) -> Task:
    """Check everything first (raise ``TaskError``), then add the task, its history and notices.

    The caller commits.
    """
    title = (title or "").strip()
    if not title:
        raise TaskError(translate("请填写任务内容。"), "title")
    if not owner_id:
        raise TaskError(translate("请选择任务负责人。"), "owner_id")
    candidates = {user.id for user in owner_candidates(unit)}
    if owner_id not in candidates:
        raise TaskError(translate("负责人须是该单位或上级的工作人员。"), "owner_id")
    if deadline is None:
        raise TaskError(translate("请填写办结期限。"), "deadline")
    if deadline < local_today():
        raise TaskError(translate("办结期限不能早于今天。"), "deadline")
    if source not in TASK_SOURCES:
        raise TaskError(translate("来源无效。"), "source")
    helpers = sorted(set(helper_ids) - {owner_id})
    if any(helper not in candidates for helper in helpers):
        raise TaskError(translate("协办人须是该单位或上级的工作人员。"), "helper_ids")
    task = Task(
        title=title[:120],
        description=description or "",
        org_unit_id=unit.id,
        owner_id=owner_id,
        deadline=deadline,
        source=source,
        meeting_id=meeting_id,
        visit_id=visit_id,
        state="open",
        created_by_id=creator.id,
    )
    task.helpers = [TaskHelper(user_id=helper) for helper in helpers]
    db.session.add(task)
    db.session.flush()
    db.session.add(
        TaskEvent(task_id=task.id, action="create", to_state="open", actor_id=creator.id)
    )
    audit.record("steering.task_created", task, f"督办任务 #{task.id} {task.title}（{unit.name}）")
    for user_id in {owner_id, *helpers} - {creator.id}:
        notify.notify(
            user_id,
            f"新的督办任务：{task.title}（{unit.name}）",
            f"办结期限：{deadline.isoformat()}",
            link=("steering.task", {"task_id": task.id}),
        )
    return task


def max_evidence_bytes() -> int:
    return int(current_app.config.get("STEERING_EVIDENCE_MAX_BYTES", 5 * 1024 * 1024))


def evidence_folder():
    from pathlib import Path

    return Path(current_app.config["UPLOAD_DIR"]) / "steering"


def add_evidence(task: Task, upload: FileStorage | None, user) -> TaskEvidence:
    """Store one evidence file (type by content, size limited); raise ``TaskError``."""
    if upload is None or not getattr(upload, "filename", ""):
        raise TaskError(translate("请选择要上传的文件。"), "file")
    try:
        data, content_type, extension = core_uploads.read_checked(
            upload.stream, max_evidence_bytes(), EVIDENCE_TYPES
        )
    except core_uploads.UploadError as error:
        raise TaskError(str(error), "file") from error
    stored = core_uploads.store(evidence_folder(), data, extension)
    evidence = TaskEvidence(
        task_id=task.id,
        original_name=core_uploads.display_name(upload.filename, f"evidence.{extension}"),
        stored_name=stored,
        content_type=content_type,
        size=len(data),
        uploaded_by_id=user.id,
    )
    task.evidence.append(evidence)
    db.session.flush()
    audit.record(
        "steering.evidence_added", task, f"任务 #{task.id} 上传佐证：{evidence.original_name}"
    )
    return evidence


def may_see(user, task: Task) -> bool:
    from core.permissions import can

    return bool(
        user
        and user.is_authenticated
        and (
            task.owner_id == user.id
            or user.id in task.helper_ids
            or can(user, "steering.view", task)
        )
    )


def visible_tasks(user, unit_ids: set[int], owner_id=None, state=None, unit_id=None) -> list[Task]:
    """Tasks of ``unit_ids`` plus the user's own (as owner or helper), filtered."""
    mine = select(TaskHelper.task_id).where(TaskHelper.user_id == user.id)
    query = select(Task).where(
        or_(Task.org_unit_id.in_(unit_ids), Task.owner_id == user.id, Task.id.in_(mine))
    )
    if owner_id:
        query = query.where(Task.owner_id == owner_id)
    if state == "overdue":
        query = query.where(Task.state.in_(OPEN_TASK_STATES), Task.deadline < local_today())
    elif state:
        query = query.where(Task.state == state)
    if unit_id:
        query = query.where(Task.org_unit_id == unit_id)
    return list(db.session.scalars(query.order_by(Task.deadline, Task.id)))


def overdue_tasks(day: date | None = None, owner_id: int | None = None) -> list[Task]:
    """Open tasks whose deadline day has passed (on ``day``, default today)."""
    query = select(Task).where(
        Task.state.in_(OPEN_TASK_STATES), Task.deadline < (day or local_today())
    )
    if owner_id is not None:
        query = query.where(Task.owner_id == owner_id)
    return list(db.session.scalars(query.order_by(Task.deadline, Task.id)))


def remind_overdue(day: date | None = None) -> int:
    """Queue one notice per overdue task to its owner and the unit's managers, once a day.

    Returns how many notices were queued (the dedupe key stops repeats within a day).
    """
    day = day or local_today()
    queued = 0
    for task in overdue_tasks(day):
        people = {task.owner_id}
        people |= {u.id for u in accounts.users_with_role("programme_manager", task.org_unit)}
        late = (day - task.deadline).days
        for user_id in sorted(people):
            sent = notify.notify(
                user_id,
                f"督办任务已逾期 {late} 天：{task.title}（{task.org_unit.name}）",
                f"负责人：{task.owner.display_name}；办结期限：{task.deadline.isoformat()}。",
                link=("steering.task", {"task_id": task.id}),
                dedupe_key=f"steering:overdue:{task.id}:{user_id}:{day.isoformat()}",
            )
            queued += sent is not None
    return queued
