"""Fake WeChat endpoints: the WeCom robot webhook and the official account's APIs.

Checked as documented: the robot's key and markdown body (≤ 4096 bytes); stable_token's
grant_type, appid and secret; draft/add's articles with title, content and thumb_media_id;
subscribe/bizsend's touser, template_id and data; sns/oauth2/access_token's code. A wrong or
expired access_token answers 40001 (refreshed by the client), an unknown openid 40003.
"""

from __future__ import annotations

import json
import secrets
from urllib.parse import parse_qs, urlsplit

from tests.fakes.base import FakeProvider

APP_ID, APP_SECRET, ROBOT_KEY = "wx-test-app", "wx-test-secret", "robot-key-1"
OPENIDS = {"code-zhang": "o-zhang-openid"}


class FakeWeChat(FakeProvider):
    def __init__(self) -> None:
        super().__init__()
        self.tokens: set[str] = set()
        self.robot: list[str] = []
        self.drafts: list[dict] = []
        self.subscribe: list[dict] = []
        self.robot_limit: int | None = None

    def expire_tokens(self) -> None:
        self.tokens.clear()

    def handle(self, request, body: bytes) -> tuple[int, dict]:
        parts = urlsplit(request.path)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        try:
            payload = json.loads(body) if body else {}
        except ValueError:
            return 200, {"errcode": 47001, "errmsg": "data format error"}
        route = {
            "/cgi-bin/webhook/send": self._robot,
            "/cgi-bin/stable_token": self._token,
            "/cgi-bin/draft/add": self._draft,
            "/cgi-bin/message/subscribe/bizsend": self._subscribe,
            "/sns/oauth2/access_token": self._oauth,
        }.get(parts.path)
        if route is None:
            return 404, {"errcode": 404, "errmsg": "not found"}
        return route(query, payload)

    def _robot(self, query, payload):
        if query.get("key") != ROBOT_KEY:
            return 200, {"errcode": 93000, "errmsg": "invalid webhook url"}
        if self.robot_limit is not None and len(self.robot) >= self.robot_limit:
            return 200, {"errcode": 45009, "errmsg": "api freq out of limit"}
        if payload.get("msgtype") != "markdown" or not payload.get("markdown", {}).get("content"):
            return 200, {"errcode": 40008, "errmsg": "invalid message type"}
        content = payload["markdown"]["content"]
        if len(content.encode()) > 4096:
            return 200, {"errcode": 40058, "errmsg": "markdown.content exceed max length 4096"}
        self.robot.append(content)
        return 200, {"errcode": 0, "errmsg": "ok"}

    def _token(self, query, payload):
        if payload.get("grant_type") != "client_credential":
            return 200, {"errcode": 40002, "errmsg": "invalid grant_type"}
        if payload.get("appid") != APP_ID:
            return 200, {"errcode": 40013, "errmsg": "invalid appid"}
        if payload.get("secret") != APP_SECRET:
            return 200, {"errcode": 40125, "errmsg": "invalid appsecret"}
        token = secrets.token_hex(16)
        self.tokens.add(token)
        return 200, {"access_token": token, "expires_in": 7200}

    def _check_token(self, query):
        if query.get("access_token") not in self.tokens:
            return 200, {"errcode": 40001, "errmsg": "invalid credential, access_token is invalid"}
        return None

    def _draft(self, query, payload):
        refused = self._check_token(query)
        if refused:
            return refused
        articles = payload.get("articles") or []
        for article in articles:
            for name in ("title", "content", "thumb_media_id"):
                if not article.get(name):
                    return 200, {
                        "errcode": 40007 if name == "thumb_media_id" else 44004,
                        "errmsg": f"{name} missing",
                    }
        if not articles:
            return 200, {"errcode": 44003, "errmsg": "empty news data"}
        self.drafts.append(payload)
        return 200, {"media_id": f"MEDIA_{len(self.drafts)}"}

    def _subscribe(self, query, payload):
        refused = self._check_token(query)
        if refused:
            return refused
        for name in ("touser", "template_id", "data"):
            if not payload.get(name):
                return 200, {"errcode": 47003, "errmsg": f"argument invalid! {name}"}
        if payload["touser"] not in OPENIDS.values():
            return 200, {"errcode": 40003, "errmsg": "invalid openid"}
        self.subscribe.append(payload)
        return 200, {"errcode": 0, "errmsg": "ok"}

    def _oauth(self, query, payload):
        if query.get("appid") != APP_ID or query.get("secret") != APP_SECRET:
            return 200, {"errcode": 40125, "errmsg": "invalid appsecret"}
        if query.get("grant_type") != "authorization_code":
            return 200, {"errcode": 40002, "errmsg": "invalid grant_type"}
        openid = OPENIDS.get(query.get("code", ""))
        if openid is None:
            return 200, {"errcode": 40029, "errmsg": "invalid code"}
        return 200, {
            "access_token": "user-token",
            "expires_in": 7200,
            "openid": openid,
            "scope": "snsapi_base",
        }
