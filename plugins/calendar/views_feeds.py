"""iCal feeds, the single-event download and the private feed token (regenerate, revoke)."""

from __future__ import annotations

from flask import Response, abort, flash, redirect, request, stream_with_context, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from core import httpcache
from core.extensions import db
from core.forms.admin import ConfirmForm
from core.models import User
from plugins.calendar import feeds
from plugins.calendar.blueprint import arg_int, bp, event_or_404, occurrence_or_404
from plugins.calendar.models import CalendarFeedToken

FEED_MAX_AGE = 600


def feed_response(feed: feeds.Feed, filename: str, private: bool = False) -> Response:
    """text/calendar with ETag and Last-Modified; 304 for a matching conditional request.
    A streamed feed is read from the database as it is sent (in the request's context)."""
    body = stream_with_context(feed.chunks) if feed.chunks is not None else feed.body
    response = Response(body, content_type="text/calendar; charset=utf-8")
    # make_conditional would read a stream whole to count its length: leave it unsized.
    response.implicit_sequence_conversion = feed.chunks is None
    response.set_etag(feed.etag.strip('"'))
    httpcache.cache_headers(response, not private, FEED_MAX_AGE)
    response.last_modified = feed.last_modified
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    return response.make_conditional(httpcache.conditional_environ())


@bp.route("/feed.ics")
def public_feed():
    """All public events; ``category`` and ``village`` (or ``town``: any unit, with everything
    below it) narrow it (and combine).

    A revalidation is answered from the versions alone (one read) before any feed work: phones
    and calendar servers ask all day, and the answer is nearly always "not modified".
    """
    category_id, unit_id = arg_int("category"), arg_int("village") or arg_int("town")
    if request.if_none_match:
        early = httpcache.not_modified(feeds.public_etag(category_id, unit_id), True, FEED_MAX_AGE)
        if early is not None:
            return early
    feed = feeds.public_feed(category_id, unit_id)
    if feed is None:
        abort(404)
    return feed_response(feed, "xiangxuetong.ics")


@bp.route("/feed/<token>.ics")
def private_feed(token: str):
    """A person's own feed behind their secret token; unknown or revoked tokens get 404.

    A revalidation costs the token, the person and two version reads (``feeds.private_etag``).
    """
    if len(token) > 64:
        abort(404)
    row = db.session.scalar(select(CalendarFeedToken).where(CalendarFeedToken.token == token))
    user = db.session.get(User, row.user_id) if row else None
    if user is None or not user.active:
        abort(404)
    if request.if_none_match:  # answered from versions before any plugin query
        etag = feeds.private_etag(user)
        early = httpcache.not_modified(etag, False, FEED_MAX_AGE) if etag else None
        if early is not None:
            return early
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


@bp.route("/feed-token", methods=["POST"])
@login_required
def regenerate_token():
    """Make a new secret feed link; the old one stops working at once."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    feeds.new_token(current_user.id)
    flash("已生成新的订阅链接，旧链接已失效。", "success")
    return redirect(url_for("auth.profile") + "#calendar-feed")


@bp.route("/feed-token/revoke", methods=["POST"])
@login_required
def revoke_token():
    """Stop the private feed link working (for a lost phone)."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    feeds.drop_token(current_user.id)
    flash("订阅链接已停用。", "success")
    return redirect(url_for("auth.profile") + "#calendar-feed")
