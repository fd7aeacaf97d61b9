"""The WeCom (企业微信) group robot: markdown posts to ``WECOM_WEBHOOK_URL``."""

from __future__ import annotations

from flask import current_app

from core.wechat import WeChatError, call

#: The robot takes at most 4096 bytes of markdown.
MAX_BYTES = 4096


def trim(content: str) -> str:
    data = content.encode()
    if len(data) <= MAX_BYTES:
        return content
    return data[: MAX_BYTES - 3].decode("utf-8", "ignore") + "…"


def post_markdown(content: str) -> None:
    """Post one markdown message; raises WeChatError (45009: the robot's 20-a-minute limit)."""
    url = current_app.config["WECOM_WEBHOOK_URL"]
    if not url:
        raise WeChatError(-4, "WECOM_WEBHOOK_URL is not set")
    call("POST", url, {"msgtype": "markdown", "markdown": {"content": trim(content)}})


#: The outbox channel of the village WeChat group (not a person's channel: queued explicitly).
GROUP_CHANNEL = "wecom_group"


def group_markdown(subject: str, body: str) -> str:
    return f"**{subject}**\n{body}"


def queue_group_post(author_id: int, subject: str, body: str):
    """Queue an announcement for the village WeChat group in the outbox (retried like any
    delivery); the row is the author's, so it shows on their messages page. Caller commits."""
    from core.extensions import db
    from core.models import Notification, NotificationDelivery

    notification = Notification(user_id=author_id, kind="announcement", subject=subject[:200])
    notification.body = body
    notification.deliveries.append(NotificationDelivery(channel=GROUP_CHANNEL))
    db.session.add(notification)
    return notification
