"""The audit log for admins: paged and filtered."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from flask import Blueprint, render_template, request
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import or_, select

from core import audit_labels
from core.extensions import db
from core.forms.admin import AuditFilterForm
from core.models import AuditLog, User
from core.permissions import holds_at_top, permission_required, unit_ids_where
from core.timeutil import local_zone

bp = Blueprint("audit_log", __name__, url_prefix="/admin/audit")


@bp.route("/")
@permission_required("core.view_audit")
def index():
    """Newest first; filter by action, object type, actor and dates (in local time)."""
    form = AuditFilterForm(request.args)
    everything = [("", _("全部"))]
    by_label = sorted(audit_labels.labels().items(), key=lambda item: str(item[1]))
    form.action.choices = everything + [(k, str(v)) for k, v in by_label if "." in k]
    form.object_type.choices = everything + [(k, str(v)) for k, v in by_label if "." not in k]
    query = select(AuditLog).order_by(AuditLog.created_at.desc(), AuditLog.id.desc())
    if not holds_at_top(current_user, "core.view_audit"):  # a town's admin: their town only
        query = query.where(
            AuditLog.org_unit_id.in_(unit_ids_where(current_user, "core.view_audit"))
        )
    if form.validate():
        if form.action.data:
            query = query.where(AuditLog.action == form.action.data)
        if form.object_type.data:
            query = query.where(AuditLog.object_type == form.object_type.data)
        if form.actor.data:
            like = f"%{form.actor.data}%"
            query = query.join(User, User.id == AuditLog.actor_id).where(
                or_(User.display_name.like(like), User.phone.like(like))
            )
        if form.start.data:
            query = query.where(
                AuditLog.created_at >= datetime.combine(form.start.data, time(), local_zone())
            )
        if form.end.data:
            end = datetime.combine(form.end.data + timedelta(days=1), time(), local_zone())
            query = query.where(AuditLog.created_at < end)
    pagination = db.paginate(
        query, page=max(request.args.get("page", 1, type=int), 1), per_page=50, error_out=False
    )
    args = {key: value for key, value in request.args.items() if key != "page"}
    return render_template(
        "admin/audit.html", form=form, pagination=pagination, args=args, label=audit_labels.label
    )
