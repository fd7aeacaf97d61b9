"""A person's own notifications (the on-site channel of the outbox)."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from core import inbox
from core.extensions import db
from core.forms.admin import ConfirmForm
from core.views.auth import safe_next

bp = Blueprint("notifications", __name__, url_prefix="/notifications")


@bp.route("/")
@login_required
def index():
    """Newest first, paged."""
    page = request.args.get("page", 1, type=int)
    pagination = db.paginate(
        inbox.newest_first(current_user.id),
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
    notification = inbox.own(current_user.id, notification_id)
    if notification is None:
        abort(404)
    inbox.mark_read(notification)
    return redirect(
        safe_next(notification.url) if notification.url else url_for("notifications.index")
    )


@bp.route("/read-all", methods=["POST"])
@login_required
def mark_all_read():
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    inbox.mark_all_read(current_user.id)
    return redirect(url_for("notifications.index"))
