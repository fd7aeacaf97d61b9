"""Task pages: the list (filters, XLSX), a new task, one task with its history and actions."""

from __future__ import annotations

from flask import abort, flash, render_template, request, send_file
from flask_babel import gettext as _
from flask_login import current_user, login_required

from core import orgunits, respond
from core import uploads as core_uploads
from core.extensions import db
from core.models import OrgUnit
from core.permissions import can, permission_required, require, unit_ids_where
from core.statemachine import TransitionRefused
from core.timeutil import local_today
from plugins.steering import services, workflow, xlsx
from plugins.steering.blueprint import bp, get_or_404
from plugins.steering.forms import EvidenceForm, ReasonForm, TaskForm
from plugins.steering.models import TASK_SOURCES, TASK_STATES, Task, TaskEvidence


def _list_rows():
    unit_ids = unit_ids_where(current_user, "steering.view")
    state = request.args.get("state", "")
    rows = services.visible_tasks(
        current_user,
        unit_ids,
        owner_id=request.args.get("owner_id", type=int),
        state=state if state in (*TASK_STATES, "overdue") else None,
        unit_id=request.args.get("unit_id", type=int),
    )
    return unit_ids, state, rows


@bp.route("/tasks")
@login_required
def tasks_list():
    """Tasks by unit, owner and state: the staff's units' and one's own."""
    unit_ids, state, rows = _list_rows()
    units = db.session.scalars(
        db.select(OrgUnit).where(OrgUnit.id.in_(unit_ids)).order_by(OrgUnit.path)
    ).all()
    owners = sorted({task.owner for task in rows}, key=lambda user: user.display_name)
    return render_template(
        "steering/tasks.html",
        rows=rows,
        units=units,
        owners=owners,
        state=state,
        unit_id=request.args.get("unit_id", type=int),
        owner_id=request.args.get("owner_id", type=int),
        states=TASK_STATES,
        sources=TASK_SOURCES,
        today=local_today(),
        may_create=can(current_user, "steering.assign"),
    )


@bp.route("/tasks.xlsx")
@login_required
def tasks_xlsx():
    """The same list as a spreadsheet for the progress meeting."""
    _unit_ids, _state, rows = _list_rows()
    return send_file(
        xlsx.tasks(rows, local_today()),
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        as_attachment=True,
        download_name=f"督办任务_{local_today().isoformat()}.xlsx",
    )


def fill_task_choices(form: TaskForm, unit: OrgUnit | None) -> None:
    allowed = unit_ids_where(current_user, "steering.assign")
    form.unit_id.choices = [(uid, name) for uid, name in orgunits.unit_choices() if uid in allowed]
    people = services.owner_candidates(unit) if unit else []
    form.owner_id.choices = [("", _("请选择"))] + [(u.id, u.display_name) for u in people]
    form.helper_ids.choices = [(u.id, u.display_name) for u in people]


@bp.route("/tasks/new", methods=["GET", "POST"])
@permission_required("steering.assign")
def task_new():
    """A task by hand (two steps without JavaScript: the unit decides the people offered)."""
    form = TaskForm()
    meeting = _meeting_arg()
    unit_id = (
        form.unit_id.data if request.method == "POST" else request.args.get("unit_id", type=int)
    )
    unit = db.session.get(OrgUnit, unit_id or 0)
    if unit is not None:
        require("steering.assign", unit)
    fill_task_choices(form, unit)
    if unit is None and form.unit_id.choices:
        unit = db.session.get(OrgUnit, form.unit_id.choices[0][0])
        fill_task_choices(form, unit)
    if request.method == "POST" and form.validate():
        if unit is None:
            abort(400)
        try:
            task = services.create_task(
                unit,
                form.title.data,
                form.owner_id.data,
                form.deadline.data,
                current_user,
                helper_ids=form.helper_ids.data or [],
                description=form.description.data or "",
                source="meeting" if meeting else "manual",
                meeting_id=meeting.id if meeting else None,
            )
        except services.TaskError as error:
            db.session.rollback()
            getattr(form, error.field or "title").errors.append(error.message)
        else:
            return respond.done(_("任务已下达。"), "steering.task", task_id=task.id)
    status = 400 if request.method == "POST" else 200
    return render_template("steering/task_new.html", form=form, unit=unit, meeting=meeting), status


def _meeting_arg():
    """The meeting whose decision this task records (``?meeting_id=``), checked."""
    from plugins.steering.meetings.models import Meeting

    meeting_id = request.args.get("meeting_id", type=int)
    if meeting_id is None:
        return None
    meeting = get_or_404(Meeting, meeting_id)
    require("steering.view", meeting)
    return meeting


def _task_or_404(task_id: int) -> Task:
    task = get_or_404(Task, task_id)
    if not services.may_see(current_user, task):
        abort(403)
    return task


def _task_page(task: Task, reason_form=None, evidence_form=None, status=200):
    return render_template(
        "steering/task.html",
        task=task,
        states=TASK_STATES,
        sources=TASK_SOURCES,
        actions=workflow.ACTIONS,
        allowed=workflow.allowed_actions(current_user, task),
        may_upload=current_user.id in {task.owner_id, *task.helper_ids}
        and task.state != "accepted",
        reason_form=reason_form or ReasonForm(),
        evidence_form=evidence_form or EvidenceForm(),
        today=local_today(),
    ), status


@bp.route("/tasks/<int:task_id>")
@login_required
def task(task_id: int):
    """One task: who, what, by when, its evidence and history, and the buttons one may use."""
    return _task_page(_task_or_404(task_id))


@bp.route("/tasks/<int:task_id>/<action>", methods=["POST"])
@login_required
def task_action(task_id: int, action: str):
    """Start, submit, accept or send back: the workflow table decides who may."""
    task = _task_or_404(task_id)
    form = ReasonForm()
    if not form.validate():
        return _task_page(task, reason_form=form, status=400)
    try:
        workflow.apply(task, action, current_user, form.reason.data or "")
    except TransitionRefused as error:
        db.session.rollback()
        if error.status == 404:
            abort(404)
        flash(error.message, "error")
        return _task_page(_task_or_404(task_id), reason_form=form, status=error.status)
    return respond.done(
        _("已%(action)s。", action=_(workflow.ACTIONS[action])), "steering.task", task_id=task.id
    )


@bp.route("/tasks/<int:task_id>/evidence", methods=["POST"])
@login_required
def task_evidence(task_id: int):
    """The owner or a helper adds a file showing the work (checked by content and size)."""
    task = _task_or_404(task_id)
    if current_user.id not in {task.owner_id, *task.helper_ids} or task.state == "accepted":
        abort(403)
    form = EvidenceForm()
    if not form.validate():
        return _task_page(task, evidence_form=form, status=400)
    try:
        services.add_evidence(task, form.file.data, current_user)
    except services.TaskError as error:
        db.session.rollback()
        form.file.errors = [error.message]
        return _task_page(_task_or_404(task_id), evidence_form=form, status=400)
    return respond.done(_("佐证材料已上传。"), "steering.task", task_id=task.id)


@bp.route("/evidence/<int:evidence_id>")
@login_required
def evidence_file(evidence_id: int):
    """An evidence file, to those who may see its task."""
    evidence = get_or_404(TaskEvidence, evidence_id)
    _task_or_404(evidence.task_id)
    return core_uploads.serve(
        services.evidence_folder(),
        evidence.stored_name,
        evidence.content_type,
        evidence.original_name,
    )
