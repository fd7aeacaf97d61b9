"""iCal feeds, the single-event download and the private feed token (regenerate, revoke)."""

from __future__ import annotations

import secrets

from flask import Response, abort, flash, redirect, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from core.extensions import db
from core.forms.admin import ConfirmForm
from core.models import User
from plugins.calendar import feeds
from plugins.calendar.blueprint import arg_int, bp, event_or_404, occurrence_or_404
from plugins.calendar.models import CalendarFeedToken


def feed_response(feed: feeds.Feed, filename: str, private: bool = False) -> Response:
    """text/calendar with ETag and Last-Modified; 304 for a matching conditional request."""
    response = Response(feed.body, content_type="text/calendar; charset=utf-8")
    response.set_etag(feed.etag.strip('"'))
    response.last_modified = feed.last_modified
    response.cache_control.max_age = 600
    if private:
        response.cache_control.private = True
    else:
        response.cache_control.public = True
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    return response.make_conditional(request)


@bp.route("/feed.ics")
def public_feed():
    """All public events; ``category`` and ``village`` (or ``town``: any unit, with everything
    below it) narrow it (and combine)."""
    feed = feeds.public_feed(arg_int("category"), arg_int("village") or arg_int("town"))
    if feed is None:
        abort(404)
    return feed_response(feed, "xiangxuetong.ics")


@bp.route("/feed/<token>.ics")
def private_feed(token: str):
    """A person's own feed behind their secret token; unknown or revoked tokens get 404."""
    if len(token) > 64:
        abort(404)
    row = db.session.scalar(select(CalendarFeedToken).where(CalendarFeedToken.token == token))
    user = db.session.get(User, row.user_id) if row else None
    if user is None or not user.active:
        abort(404)
    return feed_response(feeds.private_feed(user), "my-xiangxuetong.ics", private=True)


@bp.route("/e/<int:event_id>.ics")
def event_ics(event_id: int):
    """One event with its whole series ("add the whole series") as a file for a phone."""
    event = event_or_404(event_id)
    response = feed_response(feeds.single_event(event), f"event-{event_id}.ics")
    response.headers["Content-Disposition"] = f'attachment; filename="event-{event_id}.ics"'
    return response


@bp.route("/e/<int:event_id>/<key>.ics")
def occurrence_ics(event_id: int, key: str):
    """Just this one date of the event, as a file to add to a phone calendar."""
    event = event_or_404(event_id)
    occurrence = occurrence_or_404(event, key)
    name = f"event-{event_id}-{occurrence.key}.ics"
    response = feed_response(feeds.single_occurrence(event, occurrence), name)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def token_for(user_id: int) -> CalendarFeedToken | None:
    return db.session.scalar(select(CalendarFeedToken).where(CalendarFeedToken.user_id == user_id))


@bp.route("/feed-token", methods=["POST"])
@login_required
def regenerate_token():
    """Make a new secret feed link; the old one stops working at once."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    row = token_for(current_user.id)
    if row is None:
        row = CalendarFeedToken(user_id=current_user.id)
        db.session.add(row)
    row.token = secrets.token_urlsafe(24)
    db.session.commit()
    flash("已生成新的订阅链接，旧链接已失效。", "success")
    return redirect(url_for("auth.profile") + "#calendar-feed")


@bp.route("/feed-token/revoke", methods=["POST"])
@login_required
def revoke_token():
    """Stop the private feed link working (for a lost phone)."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    row = token_for(current_user.id)
    if row is not None:
        db.session.delete(row)
        db.session.commit()
    flash("订阅链接已停用。", "success")
    return redirect(url_for("auth.profile") + "#calendar-feed")
