"""Lecture request pages: list, order (点单), the request page with its timeline and files,
workflow actions."""

from __future__ import annotations

import secrets
from datetime import datetime

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.exceptions import RequestEntityTooLarge

from core import permissions, respond
from core.extensions import db
from core.forms.admin import ConfirmForm
from core.models import OrgUnit
from core.orgunits import VILLAGE_KINDS
from core.permissions import permission_required
from core.statemachine import TransitionRefused
from core.timeutil import from_local, utcnow
from core.uploads import serve
from plugins.lecturers.blueprint import bp
from plugins.lecturers.models import Lecturer, Topic
from plugins.lecturers.requests import materials, services, workflow
from plugins.lecturers.requests.forms import (
    AcceptForm,
    AssignForm,
    DeliverForm,
    MaterialForm,
    RateForm,
    ReasonForm,
    RequestForm,
    RescheduleForm,
)
from plugins.lecturers.requests.models import STATES, LectureRequest, LecturerMaterial
from plugins.lecturers.suggestions import suggest

FORMS = {
    "assign": AssignForm,
    "withdraw": ReasonForm,
    "accept": AcceptForm,
    "decline": ReasonForm,
    "schedule": ConfirmForm,
    "reschedule": RescheduleForm,
    "deliver": DeliverForm,
    "rate": RateForm,
    "close": ConfirmForm,
    "cancel": ReasonForm,
}


visible_village_ids = services.visible_village_ids
can_see = services.can_see


@bp.route("/requests")
@login_required
def requests():
    """Requests the user may see, filtered by state and village."""
    villages = visible_village_ids(current_user)
    if not villages:
        abort(403)
    state = request.args.get("state", "")
    village_id = request.args.get("village_id", type=int)
    query = (
        select(LectureRequest)
        .where(LectureRequest.org_unit_id.in_(villages))
        .order_by(LectureRequest.id.desc())
        .options(
            selectinload(LectureRequest.topic),
            selectinload(LectureRequest.village),
            selectinload(LectureRequest.slots),
            selectinload(LectureRequest.lecturer).selectinload(Lecturer.user),
        )
    )
    if state in STATES:
        query = query.where(LectureRequest.state == state)
    if village_id:
        query = query.where(LectureRequest.org_unit_id == village_id)
    page = db.paginate(query, page=max(request.args.get("page", 1, type=int), 1), per_page=30)
    village_rows = db.session.execute(
        select(OrgUnit.id, OrgUnit.name)
        .where(OrgUnit.id.in_(villages), OrgUnit.kind.in_(VILLAGE_KINDS))
        .order_by(OrgUnit.name)
    ).all()
    return render_template(
        "lecturers/requests.html",
        pagination=page,
        states=STATES,
        state=state,
        village_id=village_id,
        villages=village_rows,
    )


def _request_form() -> RequestForm:
    form = RequestForm()
    villages = permissions.unit_ids_where(current_user, "lecturers.request")
    form.village_id.choices = [
        (unit.id, unit.name)
        for unit in db.session.scalars(
            select(OrgUnit)
            .where(OrgUnit.id.in_(villages), OrgUnit.kind.in_(VILLAGE_KINDS))
            .order_by(OrgUnit.name)
        )
    ]
    form.topic_id.choices = [
        (topic.id, f"{topic.domain.name} · {topic.name}")
        for topic in db.session.scalars(
            select(Topic).where(Topic.active.is_(True)).order_by(Topic.domain_id, Topic.name)
        )
    ]
    return form


@bp.route("/requests/new", methods=["GET", "POST"])
@permission_required("lecturers.request")
def new_request():
    """A village coordinator orders a lecture for their own village."""
    form = _request_form()
    if request.method == "GET":
        form.nonce.data = secrets.token_urlsafe(24)
        form.topic_id.data = request.args.get("topic_id", type=int)
    if form.validate_on_submit():
        village = db.session.get(OrgUnit, form.village_id.data)
        topic = db.session.get(Topic, form.topic_id.data)
        nonce = (form.nonce.data or "")[:64]
        if village is None or not permissions.can(current_user, "lecturers.request", village):
            abort(403)
        if topic is None or not topic.active or not nonce:
            abort(400)
        try:
            lecture = services.create_request(
                village=village,
                topic=topic,
                format=form.format.data,
                audience_size=form.audience_size.data,
                audience_group=form.audience_group.data,
                venue=form.venue.data,
                notes=form.notes.data,
                slots=form.slots,
                user=current_user,
                idempotency_key=nonce,
            )
        except services.DuplicateSubmission as twin:
            flash("这张点单已经提交过了，没有重复创建。", "info")
            return redirect(url_for("lecturers.request_detail", request_id=twin.request_id))
        flash("点单已提交，管理员派单后会通知您。", "success")
        return redirect(url_for("lecturers.request_detail", request_id=lecture.id))
    if request.method == "POST" and form.village_id.data not in dict(form.village_id.choices):
        abort(403)  # another village's id typed into the form
    return render_template("lecturers/request_new.html", form=form), (
        400 if request.method == "POST" else 200
    )


def _forms_for(lecture: LectureRequest, actions: list[str], bound: dict | None = None) -> dict:
    forms = {}
    for action in actions:
        if bound and action in bound:
            forms[action] = bound[action]
            continue
        form = FORMS[action](formdata=None, prefix=action)
        if action == "accept":
            form.slot_id.choices = [(slot.id, "") for slot in lecture.slots]
        forms[action] = form
    return forms


def render_detail(
    lecture: LectureRequest,
    status: int = 200,
    bound: dict | None = None,
    material_form: MaterialForm | None = None,
):
    actions = workflow.TABLE.allowed_actions(current_user, lecture)
    early = lecture.scheduled_start is not None and lecture.scheduled_start > utcnow()
    deliver_later = "deliver" in actions and early
    if deliver_later:
        actions.remove("deliver")  # offered once the lecture has started (the step says so too)
    files = []
    if materials.can_view(current_user, lecture):
        files = db.session.scalars(
            select(LecturerMaterial)
            .where(LecturerMaterial.request_id == lecture.id)
            .order_by(LecturerMaterial.id)
        ).all()
    kinds = materials.upload_kinds(current_user, lecture)
    if material_form is None and kinds:
        material_form = MaterialForm(formdata=None, prefix="material")
        if material_form.kind.data not in kinds:
            material_form.kind.data = kinds[0]  # slides, before the lecture
    if material_form is not None:
        material_form.limit_kinds(kinds)
    suggestions = []
    if "assign" in actions:
        suggestions = suggest(lecture)
    return render_template(
        "lecturers/request_detail.html",
        lecture=lecture,
        actions=actions,
        forms=_forms_for(lecture, actions, bound),
        suggestions=suggestions,
        action_labels=workflow.ACTIONS,
        files=files,
        material_form=material_form,
        max_mb=materials.max_bytes() // (1024 * 1024),
        public_page=services.is_public(lecture),
        deliver_later=deliver_later,
    ), status


@bp.route("/requests/<int:request_id>")
@login_required
def request_detail(request_id: int):
    """One request: details, timeline, what the viewer may do next (with suggestions)."""
    lecture = db.get_or_404(LectureRequest, request_id)
    if not can_see(current_user, lecture):
        abort(404)
    return render_detail(lecture)


def _action_data(action: str, form) -> dict:
    if action == "assign":
        return {"lecturer_id": form.lecturer_id.data}
    if action == "accept":
        return {"slot_id": form.slot_id.data}
    if action in ("withdraw", "decline", "cancel"):
        return {"reason": form.reason.data}
    if action == "reschedule":
        start = from_local(datetime.combine(form.day.data, form.start.data))
        end = from_local(datetime.combine(form.day.data, form.end.data))
        return {"start": start, "end": end, "venue": form.venue.data, "reason": form.reason.data}
    if action == "deliver":
        return {
            "attendance": form.attendance.data,
            "summary": form.summary.data,
            "materials": form.materials.data,
        }
    if action == "rate":
        return {"rating": form.rating.data, "comment": form.comment.data}
    return {}


def _file_not_kept(action: str, form) -> None:
    """A browser never refills a file box: say so beside it rather than lose it silently."""
    if action == "deliver" and form.file.data and not form.file.errors:
        form.file.errors = ["其他内容没有通过，文件没有保存，请重新选择文件。"]


@bp.route("/requests/<int:request_id>/<action>", methods=["POST"])
@login_required
def request_action(request_id: int, action: str):
    """Take one workflow step; refused steps show why and change nothing."""
    if action not in FORMS:
        abort(404)
    lecture = services.load_for_update(request_id)
    if lecture is None or not can_see(current_user, lecture):
        abort(404)
    form = FORMS[action](prefix=action)
    if action == "accept":
        form.slot_id.choices = [(slot.id, "") for slot in lecture.slots]
    if not form.validate():
        db.session.rollback()
        _file_not_kept(action, form)
        flash("请按提示修改后再提交。", "error")
        return render_detail(lecture, 400, {action: form})
    checked = None
    if action == "deliver" and form.file.data:
        # Checked before the step: a refused file leaves the request as it was.
        try:
            checked = materials.check(form.file.data.stream)
        except materials.UploadError as error:
            db.session.rollback()
            form.file.errors = [str(error)]
            flash(str(error), "error")
            return render_detail(db.get_or_404(LectureRequest, request_id), 400, {action: form})
    try:
        services.perform(lecture, action, current_user, **_action_data(action, form))
    except TransitionRefused as refused:
        lecture = db.get_or_404(LectureRequest, request_id)
        _file_not_kept(action, form)
        flash(refused.message, "error")
        return render_detail(lecture, refused.status, {action: form})
    if checked is not None:
        lecture = db.get_or_404(LectureRequest, request_id)
        materials.save(lecture, current_user, form.kind.data, form.file.data.filename, checked)
        db.session.commit()
    lecture = db.get_or_404(LectureRequest, request_id)
    if can_see(current_user, lecture):
        flash(f"已{workflow.ACTIONS[action]}。", "success")
        return redirect(url_for("lecturers.request_detail", request_id=request_id))
    # A lecturer who declined is no longer part of the request: confirm on their own list.
    what = f"点单 #{request_id}（{lecture.topic.name}，{lecture.village.name}）"
    if action == "decline":
        flash(f"已婉拒{what}。它已退回派单，不会再派给您。", "success")
    else:  # pragma: no cover - only declining takes the actor off the request today
        flash(f"已{workflow.ACTIONS[action]}：{what}。", "success")
    return redirect(url_for("lecturers.mine"))


@bp.route("/requests/<int:request_id>/materials", methods=["POST"])
@login_required
def upload_material(request_id: int):
    """Add slides before the lecture, or a record (签到册, 活动照片, 通讯稿 …) after it."""
    lecture = db.get_or_404(LectureRequest, request_id)
    if not can_see(current_user, lecture):
        abort(404)
    kinds = materials.upload_kinds(current_user, lecture)
    if not kinds:
        if not materials.can_view(current_user, lecture):
            abort(403)
        flash("讲师接单后才能上传课件讲义，宣讲完成后才能上传其他资料。", "error")
        return render_detail(lecture, 409)
    form = MaterialForm(prefix="material")
    form.limit_kinds(kinds)
    try:
        valid = form.validate()
    except RequestEntityTooLarge:
        valid = False
        form.file.errors = ["文件太大。"]
    if valid:
        try:
            checked = materials.check(form.file.data.stream)
        except materials.UploadError as error:
            form.file.errors = [str(error)]
        else:
            materials.save(lecture, current_user, form.kind.data, form.file.data.filename, checked)
            return respond.done(
                "资料已上传。", "lecturers.request_detail", request_id=request_id, _anchor="files"
            )
    flash("上传没有成功，请看提示。", "error")
    return render_detail(lecture, 400, material_form=form)


@bp.route("/requests/<int:request_id>/materials/<int:material_id>")
@login_required
def download_material(request_id: int, material_id: int):
    """A stored file, only to the manager, the lecturer and the village's coordinator."""
    lecture = db.get_or_404(LectureRequest, request_id)
    material = db.session.get(LecturerMaterial, material_id)
    if material is None or material.request_id != lecture.id or not can_see(current_user, lecture):
        abort(404)
    if not materials.can_view(current_user, lecture):
        abort(403)
    return serve(
        materials.storage_dir(), material.stored_name, material.content_type, material.original_name
    )
