"""群众点单 pages: a resident's wishes, and the coordinator's merge or decline."""

from __future__ import annotations

from flask import abort, render_template, request
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from core import respond
from core.extensions import db
from core.forms.admin import ConfirmForm
from plugins.lecturers import wishes
from plugins.lecturers.blueprint import bp
from plugins.lecturers.models import Topic
from plugins.lecturers.requests.models import STATES, WISH_STATES, ResidentWish


def _page(status: int = 200, error: str = "", text: str = ""):
    mine = db.session.scalars(
        select(ResidentWish)
        .where(ResidentWish.user_id == current_user.id)
        .order_by(ResidentWish.id.desc())
    ).all()
    topics = db.session.scalars(
        select(Topic).where(Topic.active.is_(True)).order_by(Topic.name)
    ).all()
    return (
        render_template(
            "lecturers/wishes.html",
            mine=mine,
            topics=topics,
            to_decide=wishes.open_wishes_for(current_user),
            orders=wishes.village_orders(current_user),
            wish_states=WISH_STATES,
            states=STATES,
            form=ConfirmForm(),
            error=error,
            text=text,
        ),
        status,
    )


@bp.route("/wishes/", methods=["GET"])
@login_required
def wishes_page():
    """My wishes and their state; for coordinators, the village's open wishes."""
    return _page()


@bp.route("/wishes/new", methods=["POST"])
@login_required
def wish_new():
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        wishes.submit(
            current_user, request.form.get("topic_id", 0, type=int), request.form.get("wish", "")
        )
    except wishes.WishRefused as refused:
        db.session.rollback()
        return _page(400, str(refused), request.form.get("wish", ""))
    return respond.done(_("已提交，村里处理后会通知您。"), "lecturers.wishes_page")


@bp.route("/wishes/decide", methods=["POST"])
@login_required
def wishes_decide():
    """Merge the ticked wishes into an order, or decline them with a reason."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    ids = [int(v) for v in request.form.getlist("wish_id") if v.isdigit()]
    try:
        if request.form.get("action") == "merge":
            done = wishes.merge(current_user, ids, request.form.get("request_id", 0, type=int))
        else:
            done = wishes.decline(current_user, ids, request.form.get("reason", ""))
    except PermissionError:
        db.session.rollback()
        abort(403)
    except wishes.WishRefused as refused:
        db.session.rollback()
        return _page(400, str(refused))
    return respond.done(_("已处理 %(n)s 条群众点单。", n=done), "lecturers.wishes_page")
