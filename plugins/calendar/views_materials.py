"""Materials (活动资料) of an occurrence, and a village's materials by month for the assessment."""

from __future__ import annotations

from datetime import date, timedelta

from flask import abort, flash, redirect, render_template, request
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import joinedload, lazyload
from werkzeug.exceptions import RequestEntityTooLarge

from core import audit
from core.extensions import db
from core.models import OrgUnit
from core.permissions import permission_required, require, unit_ids_where
from core.timeutil import local_today, period_bounds
from plugins.calendar import uploads
from plugins.calendar.blueprint import (
    arg_int,
    bp,
    event_or_404,
    occurrence_or_404,
)
from plugins.calendar.forms import MATERIAL_CHOICES, MaterialForm
from plugins.calendar.models import CalendarEvent, CalendarMaterial

KIND_LABELS = dict(MATERIAL_CHOICES)


@bp.route("/e/<int:event_id>/<key>/materials", methods=["GET", "POST"])
@login_required
def materials(event_id: int, key: str):
    """List and upload the occurrence's files (签到册、学习计划、活动照片 …)."""
    event = event_or_404(event_id)
    require("calendar.view_materials", event)
    occ = occurrence_or_404(event, key)
    form = MaterialForm()
    try:
        valid = form.validate_on_submit()
    except RequestEntityTooLarge:
        valid = False
        form.file.errors = ["文件太大。"]
    if valid:
        try:
            data, content_type, extension = uploads.read_checked(form.file.data.stream)
        except uploads.UploadError as error:
            form.file.errors.append(str(error))
        else:
            stored = uploads.store(data, extension)
            material = CalendarMaterial(
                event_id=event.id,
                original_start=occ.original_start,
                org_unit_id=event.org_unit_id,
                kind=form.kind.data,
                original_name=uploads.display_name(form.file.data.filename),
                stored_name=stored,
                content_type=content_type,
                size=len(data),
                uploaded_by_id=current_user.id,
            )
            db.session.add(material)
            db.session.flush()
            audit.record(
                "calendar.material_uploaded", material, f"上传资料 {material.original_name}"
            )
            db.session.commit()
            flash("资料已上传。", "success")
            return redirect(request.path)
    rows = db.session.scalars(
        select(CalendarMaterial)
        .where(
            CalendarMaterial.event_id == event.id,
            CalendarMaterial.original_start == occ.original_start,
        )
        .order_by(CalendarMaterial.created_at)
    ).all()
    return render_template(
        "calendar/materials.html",
        event=event,
        occ=occ,
        form=form,
        rows=rows,
        labels=KIND_LABELS,
        max_mb=uploads.max_bytes() // (1024 * 1024),
    )


@bp.route("/materials/<int:material_id>")
@login_required
def material_file(material_id: int):
    """Send a stored file to someone allowed to see it (never from a public folder)."""
    material = db.session.get(CalendarMaterial, material_id)
    if material is None:
        abort(404)
    require("calendar.view_materials", material)
    return uploads.serve(
        uploads.storage_dir(), material.stored_name, material.content_type, material.original_name
    )


@bp.route("/materials")
@permission_required("calendar.view_materials")
def materials_by_month():
    """A village's materials for one month, for the annual assessment."""
    allowed = unit_ids_where(current_user, "calendar.view_materials")
    units = db.session.scalars(
        select(OrgUnit).where(OrgUnit.id.in_(allowed)).order_by(OrgUnit.path)
    ).all()
    unit_id = arg_int("village")
    if unit_id is not None and unit_id not in allowed:
        abort(403)
    raw = request.args.get("month", "")
    try:
        first = date.fromisoformat(raw + "-01")
    except ValueError:
        first = local_today().replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    since, until = period_bounds(first, following)
    query = select(CalendarMaterial).where(
        CalendarMaterial.original_start >= since,
        CalendarMaterial.original_start < until,
        CalendarMaterial.org_unit_id.in_([unit_id] if unit_id else allowed),
    )
    # The page shows each material's event title: load the events in the same query, without
    # their eager relationships (category, unit, overrides, pauses) the page never reads.
    event_only = joinedload(CalendarMaterial.event).options(
        lazyload(CalendarEvent.category),
        lazyload(CalendarEvent.org_unit),
        lazyload(CalendarEvent.overrides),
        lazyload(CalendarEvent.pauses),
    )
    rows = db.session.scalars(
        query.options(event_only).order_by(CalendarMaterial.original_start)
    ).all()
    return render_template(
        "calendar/materials_month.html",
        rows=rows,
        units=units,
        unit_id=unit_id,
        first=first,
        labels=KIND_LABELS,
        prev=(first - timedelta(days=1)).replace(day=1),
        next=following,
    )
