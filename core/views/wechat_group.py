"""Staff write an announcement for the village WeChat group (the WeCom robot), via the outbox."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, render_template
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from core import respond
from core.extensions import db
from core.forms.auth import REQUIRED
from core.forms.fields import STRIP
from core.models import Notification, NotificationDelivery
from core.permissions import permission_required
from core.wechat import robot

bp = Blueprint("wechat_group", __name__, url_prefix="/admin/wechat-group")

PERMISSION = "core.post_wechat_group"
STATUS = {
    "pending": _l("待发送"),
    "sending": _l("发送中"),
    "sent": _l("已发出"),
    "failed": _l("发送失败"),
    "unknown": _l("状态不明"),
}


class GroupPostForm(FlaskForm):
    subject = StringField(
        _l("标题"), filters=STRIP, validators=[DataRequired(REQUIRED), Length(max=60)]
    )
    body = TextAreaField(
        _l("正文"), filters=STRIP, validators=[DataRequired(REQUIRED), Length(max=2000)]
    )


def _recent() -> list[tuple[Notification, NotificationDelivery]]:
    return db.session.execute(
        select(Notification, NotificationDelivery)
        .join(NotificationDelivery, NotificationDelivery.notification_id == Notification.id)
        .where(NotificationDelivery.channel == robot.GROUP_CHANNEL)
        .order_by(Notification.id.desc())
        .limit(10)
    ).all()


@bp.route("/", methods=["GET", "POST"])
@permission_required(PERMISSION)
def index():
    """The form, and the last ten posts with their state in the outbox."""
    configured = bool(current_app.config.get("WECOM_WEBHOOK_URL"))
    form = GroupPostForm()
    if form.validate_on_submit():
        if not configured:
            flash(_("本站还没有设置村微信群机器人（WECOM_WEBHOOK_URL），通知没有发出。"), "warning")
        else:
            post = robot.queue_group_post(current_user.id, form.subject.data, form.body.data)
            db.session.flush()
            return respond.done(
                _("通知已排队，几分钟内发到村微信群。"),
                "wechat_group.index",
                record=("core.wechat_group_posted", post, form.subject.data),
            )
    return render_template(
        "admin/wechat_group.html",
        form=form,
        configured=configured,
        recent=_recent(),
        status=STATUS,
    )
