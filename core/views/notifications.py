"""A person's own notifications (the on-site channel of the outbox)."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import func, select

from core.extensions import db
from core.forms.admin import ConfirmForm
from core.models import Notification
from core.timeutil import utcnow
from core.views.auth import safe_next

bp = Blueprint("notifications", __name__, url_prefix="/notifications")


def unread_count(user_id: int) -> int:
    return db.session.scalar(
        select(func.count(Notification.id)).where(
            Notification.user_id == user_id, Notification.read_at.is_(None)
        )
    )


@bp.route("/")
@login_required
def index():
    """Newest first, paged."""
    page = request.args.get("page", 1, type=int)
    pagination = db.paginate(
        select(Notification)
        .where(Notification.user_id == current_user.id)
        .order_by(Notification.created_at.desc(), Notification.id.desc()),
        page=max(page, 1),
        per_page=20,
        error_out=False,
    )
    return render_template("notifications/index.html", pagination=pagination, form=ConfirmForm())


@bp.route("/<int:notification_id>/read", methods=["POST"])
@login_required
def mark_read(notification_id: int):
    """Mark one as read and follow its link; someone else's notification is a 404."""
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    notification = db.session.get(Notification, notification_id)
    if notification is None or notification.user_id != current_user.id:
        abort(404)
    if notification.read_at is None:
        notification.read_at = utcnow()
        db.session.commit()
    return redirect(
        safe_next(notification.link) if notification.link else url_for("notifications.index")
    )


@bp.route("/read-all", methods=["POST"])
@login_required
def mark_all_read():
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    db.session.execute(
        Notification.__table__.update()
        .where(Notification.user_id == current_user.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )
    db.session.commit()
    return redirect(url_for("notifications.index"))
