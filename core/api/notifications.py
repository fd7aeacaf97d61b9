"""The caller's notifications: ``/api/v1/notifications``."""

from __future__ import annotations

from flask import abort
from flask_login import current_user
from marshmallow import fields

from core import inbox
from core.api import ApiBlueprint
from core.api.schemas import PageArgs, Schema, page_of, paginate_query

blp = ApiBlueprint(
    "api_notifications", __name__, url_prefix="/api/v1/notifications", description="我的通知"
)


class NotificationSchema(Schema):
    id = fields.Integer(required=True)
    subject = fields.String(required=True)
    body = fields.String(required=True)
    link = fields.String(allow_none=True, metadata={"description": "站内页面的路径"})
    created_at = fields.DateTime(required=True)
    read_at = fields.DateTime(allow_none=True)


class UnreadSchema(Schema):
    unread = fields.Integer(required=True)


@blp.route("")
@blp.etag
@blp.arguments(PageArgs, location="query")
@blp.response(200, page_of(NotificationSchema))
def index(args: dict):
    """My notifications, newest first."""
    return paginate_query(inbox.newest_first(current_user.id), args)


@blp.route("/unread")
@blp.response(200, UnreadSchema)
def unread():
    """How many of my notifications are unread."""
    return {"unread": inbox.unread_count(current_user.id)}


@blp.route("/<int:notification_id>/read", methods=["POST"])
@blp.response(200, NotificationSchema)
def mark_read(notification_id: int):
    """Mark one of my notifications read; someone else's is a 404."""
    notification = inbox.own(current_user.id, notification_id)
    if notification is None:
        abort(404)
    inbox.mark_read(notification)
    return notification


@blp.route("/read-all", methods=["POST"])
@blp.response(200, UnreadSchema)
def mark_all_read():
    """Mark all my notifications read."""
    inbox.mark_all_read(current_user.id)
    return {"unread": 0}
