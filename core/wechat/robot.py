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
