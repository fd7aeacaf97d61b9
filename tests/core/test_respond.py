"""core.respond.done: the view tail audits, commits, flashes and redirects in one call."""

from __future__ import annotations

from flask import get_flashed_messages
from sqlalchemy import select

from core import respond
from core.extensions import db as _db
from core.models import AuditLog, User


def test_done_audits_commits_flashes_and_redirects(app, make_user):
    user_id = make_user(name="乙")
    with app.test_request_context():
        user = _db.session.get(User, user_id)
        user.name = "乙（已改名）"
        response = respond.done(
            "已保存。", "notifications.index", record=("core.user_renamed", user, "改名")
        )
        assert (response.status_code, response.location) == (302, "/notifications/")
        assert get_flashed_messages(with_categories=True) == [("success", "已保存。")]
        _db.session.rollback()  # nothing left to roll back: done() committed
        assert _db.session.get(User, user_id).name == "乙（已改名）"
        [row] = _db.session.scalars(select(AuditLog).where(AuditLog.action == "core.user_renamed"))
        assert (row.object_id, row.summary) == (str(user_id), "改名")


def test_done_without_a_record_writes_no_audit_row(app, make_user):
    make_user(name="丙")
    with app.test_request_context():
        respond.done("好了。", "main.dashboard", category="info")
        assert get_flashed_messages(with_categories=True) == [("info", "好了。")]
        assert _db.session.scalars(select(AuditLog)).all() == []
