"""The calendar's JSON API (``/api/v1/calendar``): the agenda, an occurrence, registering,
my events, my feed link and self check-in. Every endpoint calls the functions the pages call."""

from __future__ import annotations

import hashlib
from datetime import date, timedelta

from flask import g, url_for
from flask_login import current_user
from marshmallow import fields, validate

from core.api import ApiBlueprint, problems
from core.api.schemas import PageArgs, Schema, page_of, paginate
from core.extensions import db
from core.httpcache import versioned_page
from core.timeutil import local_today, utcnow
from plugins.calendar import attendance, checkin, feeds, registration, services
from plugins.calendar.blueprint import (
    event_or_404,
    filtered_occurrences,
    occurrence_or_404,
    render_description,
    viewer,
)
from plugins.calendar.registration import RegistrationError
from plugins.calendar.views_pages import listing_version

blp = ApiBlueprint("api_calendar", __name__, url_prefix="/api/v1/calendar", description="活动日历")
MAX_DAYS = 62
ID = validate.Range(min=1, max=2_000_000_000)


class AgendaArgs(PageArgs):
    start = fields.Date(metadata={"description": "第一天（本地日期），默认今天"})
    days = fields.Integer(load_default=14, validate=validate.Range(min=1, max=MAX_DAYS))
    category = fields.Integer(validate=ID, metadata={"description": "活动类别 id"})
    town = fields.Integer(validate=ID, metadata={"description": "镇（组织单位 id）"})
    village = fields.Integer(validate=ID, metadata={"description": "村或社区（组织单位 id）"})


class OccurrenceSchema(Schema):
    """One meeting of an event, or an entry another plugin puts on the calendar."""

    uid = fields.String(required=True)
    key = fields.String(required=True, metadata={"description": "这一次的标识，用在网址里"})
    event_id = fields.Integer(allow_none=True, metadata={"description": "其他插件的条目为空"})
    title = fields.String(required=True)
    start = fields.DateTime(required=True)
    end = fields.DateTime(required=True)
    all_day = fields.Boolean(required=True)
    category = fields.String(required=True)
    category_id = fields.Integer(allow_none=True)
    venue = fields.String(required=True)
    org_unit_id = fields.Integer(allow_none=True)
    org_unit_name = fields.String(required=True)
    cancelled = fields.Boolean(required=True)
    cancel_reason = fields.String(required=True)
    source = fields.String(required=True)
    capacity = fields.Integer(allow_none=True)
    registration_open = fields.Boolean(required=True)
    url = fields.String(required=True, metadata={"description": "网站上的页面"})


class RegistrationSchema(Schema):
    id = fields.Integer(required=True)
    status = fields.String(
        required=True, validate=validate.OneOf(["confirmed", "waiting", "cancelled"])
    )
    created_at = fields.DateTime(required=True)


class OccurrenceDetailSchema(OccurrenceSchema):
    description_html = fields.String(required=True, metadata={"description": "已清理的 HTML"})
    registered = fields.Integer(required=True, metadata={"description": "已正式报名人数"})
    mine = fields.Nested(RegistrationSchema, allow_none=True)
    checkin_state = fields.String(
        required=True, validate=validate.OneOf(["early", "open", "closed", "cancelled"])
    )
    checkin_opens = fields.DateTime(required=True)
    checkin_closes = fields.DateTime(required=True)
    ics_url = fields.String(required=True, metadata={"description": "加入手机日历的 .ics 文件"})


class MyEventSchema(Schema):
    occurrence = fields.Nested(OccurrenceSchema, required=True)
    registration = fields.Nested(RegistrationSchema, required=True)


class FeedSchema(Schema):
    url = fields.String(allow_none=True, metadata={"description": "私人订阅链接（https）"})
    webcal_url = fields.String(allow_none=True)


class CheckinSchema(Schema):
    code = fields.String(
        required=True,
        validate=validate.Length(min=1, max=64),
        metadata={"description": "现场屏幕二维码里的 code（每分钟更换）"},
    )


class CheckinResultSchema(Schema):
    checked_in_at = fields.DateTime(required=True)
    new = fields.Boolean(required=True, metadata={"description": "false: 之前已经签到"})


class CategorySchema(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    colour = fields.String(required=True)


def _occurrence_dict(occ) -> dict:
    url = occ.url or (services.occurrence_url(occ) if occ.event_id else "")
    return {**occ.__dict__, "key": occ.key, "url": url}


def _etag_early(page: dict, extra=None) -> None:
    """Set the ETag from the page's values before they are serialised, so a matching
    ``If-None-Match`` is answered 304 without building the JSON at all."""
    signature = repr((page["items"], page["meta"], extra)).encode()
    blp.set_etag(hashlib.sha1(signature, usedforsecurity=False).hexdigest())


def _found(event_id: int, key: str):
    event = event_or_404(event_id)
    return event, occurrence_or_404(event, key)


@blp.route("/categories")
@blp.public
@blp.response(200, CategorySchema(many=True))
def categories():
    """The activity categories (干部夜校, 微讲堂 …) that the agenda's ``category`` filters by."""
    return services.categories()


def agenda_version(**_view_args) -> tuple | None:
    """The calendar pages' versions (events, every plugin's entries, today) and the caller's
    members-only scope: with the URL (filters, page, per_page) they name the answer, so a
    revalidation is answered from one read of versions before any list is built."""
    found = listing_version()
    return None if found is None else (found, services.members_scope(viewer()))


@blp.route("/agenda")
@blp.public
@versioned_page(agenda_version, signed_in=True, keep=True)
@blp.etag
@blp.arguments(AgendaArgs, location="query")
@blp.response(200, page_of(OccurrenceSchema))
def agenda(args: dict):
    """Occurrences from ``start`` for ``days`` days, soonest first, with the calendar page's
    filters; members-only events of the caller's own village appear with a token."""
    start = args.get("start") or local_today()
    if not date(2000, 1, 1) <= start <= date(2100, 12, 1):
        return problems.problem(422, errors={"query": {"start": ["日期超出范围。"]}})
    found = filtered_occurrences(
        start,
        start + timedelta(days=args["days"]),
        args.get("category"),
        args.get("town"),
        args.get("village"),
    )
    page = paginate(found, args)
    page["items"] = [_occurrence_dict(occ) for occ in page["items"]]
    if "versioned_etag" in g:  # tagged from the versions; answered 304 before the view ran
        blp.set_etag(g.versioned_etag)
    else:  # a plugin's entries are re-queried each time: tag by the values
        _etag_early(page)
    return page


@blp.route("/events/<int:event_id>/<key>")
@blp.public
@blp.response(200, OccurrenceDetailSchema)
def occurrence(event_id: int, key: str):
    """One occurrence with its registration count, my registration and the check-in window."""
    event, occ = _found(event_id, key)
    mine = None
    if current_user.is_authenticated:
        mine = registration.user_registration(event.id, occ.original_start, current_user.id)
    window = checkin.window(event, occ)
    return {
        **_occurrence_dict(occ),
        "description_html": str(render_description(event)),
        "registered": registration.confirmed_count(event.id, occ.original_start),
        "mine": mine,
        "checkin_state": "cancelled" if occ.cancelled else window.state(utcnow()),
        "checkin_opens": window.opens,
        "checkin_closes": window.closes,
        "ics_url": url_for("calendar.occurrence_ics", event_id=event.id, key=occ.key),
    }


@blp.route("/events/<int:event_id>/<key>/registration", methods=["POST"])
@blp.response(201, RegistrationSchema)
@blp.alt_response(409, description="不能报名（已报名、已结束、已取消或停止报名）")
def register(event_id: int, key: str):
    """Register me; ``waiting`` when the seats are gone (promoted and told when one frees)."""
    event, occ = _found(event_id, key)
    try:
        row = registration.register(event, occ, current_user.id)
    except RegistrationError as error:
        db.session.rollback()
        return problems.problem(409, str(error))
    db.session.commit()
    return row


@blp.route("/events/<int:event_id>/<key>/registration", methods=["DELETE"])
@blp.response(204)
def unregister(event_id: int, key: str):
    """Cancel my registration; the first person waiting gets the seat. No registration: 404."""
    event, occ = _found(event_id, key)
    row = registration.user_registration(event.id, occ.original_start, current_user.id)
    if row is None:
        return problems.problem(404, "您没有报名这次活动。")
    registration.cancel(row, occ.title, current_user)
    db.session.commit()
    return None


@blp.route("/events/<int:event_id>/<key>/checkin", methods=["POST"])
@blp.arguments(CheckinSchema)
@blp.response(200, CheckinResultSchema)
@blp.alt_response(409, description="不能签到（不在签到时间内、没有报名或在候补）")
def check_in(body: dict, event_id: int, key: str):
    """Check myself in with the code the QR screen shows now (it changes every minute)."""
    now = utcnow()
    event, occ = _found(event_id, key)
    if not checkin.code_is_fresh(event_id, key, body["code"], now):
        return problems.problem(
            422, "签到码已过期或无效。", {"json": {"code": ["请扫描现场屏幕上正在显示的二维码。"]}}
        )
    try:
        row, created = attendance.self_check_in(event, occ, current_user.id, now)
    except RegistrationError as error:
        db.session.rollback()
        return problems.problem(409, str(error))
    db.session.commit()
    return {"checked_in_at": row.created_at, "new": created}


@blp.route("/mine")
@blp.etag
@blp.arguments(PageArgs, location="query")
@blp.response(200, page_of(MyEventSchema))
def mine(args: dict):
    """My registrations from 90 days ago on, soonest first (the "my events" page's list)."""
    items = registration.upcoming_for(current_user.id, utcnow() - timedelta(days=90))
    page = paginate(items, args)
    page["items"] = [
        {"occurrence": _occurrence_dict(occ), "registration": row} for occ, row in page["items"]
    ]
    _etag_early(page, [(row.id, row.status, row.created_at) for _occ, row in items])
    return page


def _feed(row) -> dict:
    if row is None:
        return {"url": None, "webcal_url": None}
    url = url_for("calendar.private_feed", token=row.token, _external=True)
    return {"url": url, "webcal_url": "webcal://" + url.split("://", 1)[1]}


@blp.route("/feed")
@blp.response(200, FeedSchema)
def my_feed():
    """My private feed link (null until made); subscribe to it in the phone's calendar."""
    return _feed(feeds.token_for(current_user.id))


@blp.route("/feed", methods=["POST"])
@blp.response(201, FeedSchema)
def new_feed():
    """Make (or remake) my private feed link; the old link stops working."""
    return _feed(feeds.new_token(current_user.id))


@blp.route("/feed", methods=["DELETE"])
@blp.response(204)
def drop_feed():
    """Stop my private feed link working."""
    feeds.drop_token(current_user.id)
    return None
