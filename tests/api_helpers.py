"""Helpers for tests of the JSON API: a bearer token for a test user, problem checks."""

from __future__ import annotations

from core.api import tokens
from core.extensions import db
from core.models import User


def bearer(app, user_id: int, device: str = "测试手机") -> dict:
    """Headers with a fresh token of ``user_id`` (issued through the real service)."""
    with app.app_context():
        _token, secret = tokens.issue(db.session.get(User, user_id), device)
    return {"Authorization": f"Bearer {secret}"}


def assert_problem(response, status: int) -> dict:
    """The response is an RFC 9457 problem with this status and a Chinese title."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    body = response.get_json(force=True)
    assert body["status"] == status
    assert any("\u4e00" <= ch <= "\u9fff" for ch in body["title"])
    return body
