"""The official account (首善双槐): draft box, subscribe messages, web authorisation."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import current_app

from core.wechat import call, call_with_token


def add_draft(title: str, content_html: str, digest: str = "", author: str = "") -> str:
    """Put one article into the draft box (草稿箱) for an editor to publish; its media_id."""
    article = {
        "title": title[:64],
        "author": author[:16],
        "digest": digest[:120],
        "content": content_html,
        "content_source_url": current_app.config["SITE_URL"],
        "thumb_media_id": current_app.config["WECHAT_THUMB_MEDIA_ID"],
        "need_open_comment": 0,
        "only_fans_can_comment": 0,
    }
    return call_with_token("/cgi-bin/draft/add", {"articles": [article]})["media_id"]


def send_subscribe(openid: str, template_id: str, fields: dict[str, str], url: str = "") -> None:
    """A subscribe message (订阅通知) to one person who bound their WeChat."""
    payload = {
        "touser": openid,
        "template_id": template_id,
        "data": {name: {"value": value} for name, value in fields.items()},
    }
    if url:
        payload["page"] = url
    call_with_token("/cgi-bin/message/subscribe/bizsend", payload)


def authorize_url(redirect_uri: str, state: str) -> str:
    """Where to send a person to let the account know their openid (snsapi_base, silent)."""
    query = urlencode(
        {
            "appid": current_app.config["WECHAT_APP_ID"],
            "redirect_uri": redirect_uri,
            "response_type": "code",
            "scope": "snsapi_base",
            "state": state,
        }
    )
    return f"{current_app.config['WECHAT_OAUTH_BASE']}/connect/oauth2/authorize?{query}#wechat_redirect"


def openid_for_code(code: str) -> str:
    """Exchange the authorisation code for the person's openid."""
    settings = current_app.config
    query = urlencode(
        {
            "appid": settings["WECHAT_APP_ID"],
            "secret": settings["WECHAT_APP_SECRET"],
            "code": code,
            "grant_type": "authorization_code",
        }
    )
    return call("GET", f"{settings['WECHAT_API_BASE']}/sns/oauth2/access_token?{query}")["openid"]
