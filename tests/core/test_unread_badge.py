"""The header's unread count is read with the signed-in user (one round trip fewer on every
signed-in page) and asked again once anything was written in the request."""

from __future__ import annotations

from flask import g
from flask_login import login_user
from sqlalchemy import event

from core import notify
from core.extensions import db as _db
from core.models import User
from core.web import load_user, unread_notifications


def test_unread_count_comes_with_the_user_and_follows_writes(app, make_user):
    me = make_user()
    with app.app_context():
        notify.notify(me, "第一条", "正文")
        _db.session.commit()
        session_id = _db.session.get(User, me).get_id()
    with app.test_request_context():
        user = load_user(session_id)
        login_user(user)
        assert g._unread == (me, 1)
        statements = []
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(_db.engine, "before_cursor_execute", listener)
        try:
            assert unread_notifications() == 1
            assert statements == []  # no query: it came with the user
            notify.notify(me, "第二条", "正文")
            _db.session.flush()
            assert unread_notifications() == 2  # written since: asked again
        finally:
            event.remove(_db.engine, "before_cursor_execute", listener)
        _db.session.rollback()
    with app.test_request_context():
        assert load_user(session_id.split(":")[0] + ":999") is None  # an old session
        assert "_unread" not in g
