"""WeChat: the WeCom group robot and the official account's documented HTTP APIs.

Endpoints come from ``WECHAT_API_BASE`` (https://api.weixin.qq.com), ``WECHAT_OAUTH_BASE``
(https://open.weixin.qq.com) and ``WECOM_WEBHOOK_URL``, so tests and operators may point them
at a local server. Every answer carries ``errcode`` (0: ok); ``WeChatError`` keeps it.
"""

from __future__ import annotations

import json
import threading
import time

from flask import current_app

from core import httpclient

#: Codes after which trying again later may help (rate limits, system busy).
RETRY = {-1, 45009, 45011, 45047, 45015}
#: The access token is invalid or expired: fetch a fresh one once and repeat.
BAD_TOKEN = {40001, 40014, 42001}

_token_lock = threading.Lock()
_token: dict[str, tuple[str, float]] = {}


class WeChatError(Exception):
    def __init__(self, code: int, message: str = "", unsure: bool = False):
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.retry = code in RETRY or code < 0
        self.unsure = unsure


def call(method: str, url: str, payload: dict | None = None) -> dict:
    """One JSON request; raise WeChatError unless ``errcode`` is absent or 0."""
    body = json.dumps(payload, ensure_ascii=False).encode() if payload is not None else None
    headers = {"Content-Type": "application/json; charset=utf-8"} if body else {}
    try:
        answer = httpclient.request(method, url, body, headers, 10.0)
    except httpclient.NotDelivered as error:
        raise WeChatError(-1, str(error)) from error
    except httpclient.AnswerLost as error:
        raise WeChatError(-2, str(error), unsure=True) from error
    data = answer.json()
    if answer.status != 200:
        raise WeChatError(-3, f"HTTP {answer.status}")
    code = int(data.get("errcode") or 0)
    if code:
        raise WeChatError(code, data.get("errmsg", ""))
    return data


def access_token(force: bool = False) -> str:
    """The official account's token from the stable-token API, kept until shortly before expiry."""
    settings = current_app.config
    app_id = settings["WECHAT_APP_ID"]
    with _token_lock:
        cached = _token.get(app_id)
        if cached and cached[1] > time.monotonic() and not force:
            return cached[0]
        data = call(
            "POST",
            f"{settings['WECHAT_API_BASE']}/cgi-bin/stable_token",
            {
                "grant_type": "client_credential",
                "appid": app_id,
                "secret": settings["WECHAT_APP_SECRET"],
                "force_refresh": force,
            },
        )
        token = data["access_token"]
        _token[app_id] = (token, time.monotonic() + int(data.get("expires_in", 7200)) - 300)
        return token


def call_with_token(path: str, payload: dict) -> dict:
    """POST to an official-account API; a rejected token is refreshed once."""
    base = current_app.config["WECHAT_API_BASE"]
    for force in (False, True):
        try:
            return call("POST", f"{base}{path}?access_token={access_token(force)}", payload)
        except WeChatError as error:
            if error.code not in BAD_TOKEN or force:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


def forget_tokens() -> None:
    """Drop cached tokens (tests; a changed secret)."""
    with _token_lock:
        _token.clear()
