"""After a commit the answer is success, and a retried form post says "already done".

Two things go wrong when database connections are cut in the middle of a request:

- the change commits, then something after the commit (an expired attribute refreshed for the
  flash message, a signal receiver, the page) needs the database and raises. The client would be
  told to retry something that succeeded. :func:`after_commit_failure` answers such a request with
  the success it was: a redirect back with "已保存", never a 500;
- the answer is lost on the way, and the person posts the form again. Every POST form on a page
  for a signed-in person carries a fresh ``idempotency_key``; the first post that changes something
  records that key in its own transaction, and a second post with the same key changes nothing
  and is told "这项操作已经完成".
"""

from __future__ import annotations

import contextlib
import re
import uuid

from flask import Flask, flash, g, has_request_context, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import event, select
from sqlalchemy.exc import SQLAlchemyError

from core.extensions import SignalSession, db
from core.models import IdempotencyKey

FIELD = "idempotency_key"
KEY_PATTERN = re.compile(r"^[0-9a-f]{32}$")
POST_FORM = re.compile(rb"<form\b[^>]*\bmethod=[\"']?post[\"']?[^>]*>", re.IGNORECASE)


def mark_committed() -> None:
    """Called by the session after each successful commit inside a request."""
    if has_request_context():
        g.xxt_committed = True


def _back() -> str:
    """Where to send someone whose post is done: the page they came from (same site), else the
    dashboard. Reads no database row (after a failure the user row may be unreadable)."""
    from core.views.auth import safe_next

    referrer = request.referrer or ""
    host = request.host_url
    if referrer.startswith(host):
        return safe_next("/" + referrer[len(host) :])
    return url_for("main.dashboard")


def after_commit_failure(error: SQLAlchemyError):
    """A database error after this request committed: the change is saved, so say so."""
    if not g.get("xxt_committed"):
        raise error
    with contextlib.suppress(Exception):  # the connection is gone; the pool replaces it
        db.session.rollback()
    flash(_("已保存。"), "success")
    return redirect(_back(), code=303)


FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def refuse_repeat():
    """Before a POST view: the same key from the same person already changed something."""
    if request.method != "POST" or request.mimetype not in FORM_TYPES:
        return None  # JSON (the API) carries no form key, and its body limit is set later
    key = request.form.get(FIELD, "")
    if not KEY_PATTERN.match(key) or not current_user.is_authenticated:
        return None
    g.idempotency = (key, current_user.id, request.path[:200])
    done = db.session.scalar(
        select(IdempotencyKey.id).where(
            IdempotencyKey.key == key, IdempotencyKey.user_id == current_user.id
        )
    )
    if done is None:
        return None
    flash(_("这项操作已经完成，无需重复提交。"), "info")
    return redirect(_back(), code=303)


@event.listens_for(SignalSession, "before_flush")
def _record_key(session, flush_context, instances) -> None:
    """The first flush that changes something records the request's key in its transaction."""
    if not has_request_context() or "idempotency" not in g or g.get("idempotency_recorded"):
        return
    if not (session.new or session.dirty or session.deleted):
        return
    key, user_id, path = g.idempotency
    session.add(IdempotencyKey(key=key, user_id=user_id, path=path))
    g.idempotency_recorded = True


@event.listens_for(SignalSession, "after_rollback")
def _forget_key(session) -> None:
    if has_request_context():
        g.pop("idempotency_recorded", None)


def add_keys(response):
    """Give every POST form on a signed-in person's page its own key."""
    if (
        response.status_code != 200
        or response.mimetype != "text/html"
        or response.direct_passthrough
        or not current_user.is_authenticated
    ):
        return response
    body = response.get_data()
    if b"<form" not in body:
        return response

    def with_key(match: re.Match) -> bytes:
        hidden = f'<input type="hidden" name="{FIELD}" value="{uuid.uuid4().hex}">'
        return match.group(0) + hidden.encode()

    response.set_data(POST_FORM.sub(with_key, body))
    return response


def init_app(app: Flask) -> None:
    app.before_request(refuse_repeat)
    app.after_request(add_keys)
    app.register_error_handler(SQLAlchemyError, after_commit_failure)
