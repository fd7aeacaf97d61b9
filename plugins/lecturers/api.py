"""The lecturers' JSON API (``/api/v1/lectures``): the topic menu, a village's lecture orders,
ordering, a request's state and the workflow steps (rating included). Every step goes through
``services.perform`` and so through ``workflow.TABLE.apply``: the same table of who may do what."""

from __future__ import annotations

import secrets

from flask import abort
from flask_login import current_user
from marshmallow import fields, validate
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from core import permissions
from core.api import ApiBlueprint, problems
from core.api.schemas import PageArgs, Schema, page_of, paginate_query
from core.extensions import db
from core.models import OrgUnit
from core.orgunits import VILLAGE_KINDS
from core.statemachine import TransitionRefused
from core.timeutil import utcnow
from plugins.lecturers.models import FORMATS, Topic, TopicDomain
from plugins.lecturers.requests import services, workflow
from plugins.lecturers.requests.models import AUDIENCE_GROUPS, STATES, LectureRequest

blp = ApiBlueprint(
    "api_lectures", __name__, url_prefix="/api/v1/lectures", description="微讲堂点单"
)
ID = validate.Range(min=1, max=2_000_000_000)
#: Steps taken through ``/actions/<action>`` (rating has its own endpoint with its fields).
SIMPLE_ACTIONS = ("accept", "decline", "schedule", "close", "cancel", "withdraw")


class TopicSchema(Schema):
    id = fields.Integer(required=True)
    domain = fields.String(required=True)
    name = fields.String(required=True)
    description = fields.String(required=True)
    formats = fields.List(fields.String(), required=True)


class SlotSchema(Schema):
    id = fields.Integer(dump_only=True)
    start = fields.AwareDateTime(required=True)
    end = fields.AwareDateTime(required=True)


class RequestSchema(Schema):
    id = fields.Integer(required=True)
    org_unit_id = fields.Integer(required=True)
    village = fields.String(required=True)
    topic_id = fields.Integer(required=True)
    topic = fields.String(required=True)
    format = fields.String(required=True)
    audience_size = fields.Integer(required=True)
    audience_group = fields.String(required=True)
    venue = fields.String(required=True)
    state = fields.String(required=True, validate=validate.OneOf(list(STATES)))
    state_label = fields.String(required=True)
    lecturer = fields.String(allow_none=True)
    scheduled_start = fields.DateTime(allow_none=True)
    scheduled_end = fields.DateTime(allow_none=True)
    rating = fields.Integer(allow_none=True)
    slots = fields.List(fields.Nested(SlotSchema), required=True)
    allowed_actions = fields.List(fields.String(), required=True)


class RequestListArgs(PageArgs):
    state = fields.String(validate=validate.OneOf(list(STATES)))
    village_id = fields.Integer(validate=ID)


class OrderSchema(Schema):
    village_id = fields.Integer(required=True, validate=ID)
    topic_id = fields.Integer(required=True, validate=ID)
    format = fields.String(required=True, validate=validate.OneOf(list(FORMATS)))
    audience_size = fields.Integer(required=True, validate=validate.Range(min=1, max=5000))
    audience_group = fields.String(
        load_default="all", validate=validate.OneOf(list(AUDIENCE_GROUPS))
    )
    venue = fields.String(load_default="", validate=validate.Length(max=200))
    notes = fields.String(load_default="", validate=validate.Length(max=1000))
    slots = fields.List(
        fields.Nested(SlotSchema),
        required=True,
        validate=validate.Length(min=services.MIN_SLOTS, max=services.MAX_SLOTS),
    )
    client_key = fields.String(
        validate=validate.Length(min=8, max=64),
        metadata={"description": "同一张点单重复提交时用同一个值，就不会建两张"},
    )


class RateSchema(Schema):
    rating = fields.Integer(required=True, validate=validate.Range(min=1, max=5))
    comment = fields.String(load_default="", validate=validate.Length(max=1000))


class ActionSchema(Schema):
    reason = fields.String(load_default="", validate=validate.Length(max=300))
    slot_id = fields.Integer(validate=ID, metadata={"description": "接单时选定的备选时间"})


def _request_dict(lecture: LectureRequest) -> dict:
    return {
        **{
            name: getattr(lecture, name)
            for name in RequestSchema._declared_fields
            if hasattr(lecture, name)
        },
        "village": lecture.village.name,
        "topic": lecture.topic.name,
        "state_label": STATES[lecture.state],
        "lecturer": lecture.lecturer.user.display_name if lecture.lecturer else None,
        "slots": lecture.slots,
        "allowed_actions": workflow.TABLE.allowed_actions(current_user, lecture),
    }


def _visible_or_404(lecture: LectureRequest | None) -> LectureRequest:
    if lecture is None or not services.can_see(current_user, lecture):
        abort(404)
    return lecture


@blp.route("/topics")
@blp.public
@blp.etag
@blp.arguments(PageArgs, location="query")
@blp.response(200, page_of(TopicSchema))
def topics(args: dict):
    """The topic menu (点单菜单): active topics by domain, with their formats."""
    query = (
        select(Topic)
        .join(TopicDomain)
        .where(Topic.active.is_(True))
        .order_by(TopicDomain.position, Topic.name, Topic.id)
        .options(selectinload(Topic.formats), selectinload(Topic.domain))
    )
    page = paginate_query(query, args)
    page["items"] = [
        {
            "id": t.id,
            "domain": t.domain.name,
            "name": t.name,
            "description": t.description,
            "formats": [f.format for f in t.formats],
        }
        for t in page["items"]
    ]
    return page


@blp.route("/requests")
@blp.etag
@blp.arguments(RequestListArgs, location="query")
@blp.response(200, page_of(RequestSchema))
def requests(args: dict):
    """Lecture orders I may see (my villages', my lectures, or all for managers), newest first."""
    villages = services.visible_village_ids(current_user)
    if not villages:
        abort(403)
    query = select(LectureRequest).where(LectureRequest.org_unit_id.in_(villages))
    if args.get("state"):
        query = query.where(LectureRequest.state == args["state"])
    if args.get("village_id"):
        query = query.where(LectureRequest.org_unit_id == args["village_id"])
    page = paginate_query(query.order_by(LectureRequest.id.desc()), args)
    page["items"] = [_request_dict(row) for row in page["items"]]
    return page


@blp.route("/requests/<int:request_id>")
@blp.response(200, RequestSchema)
def request_detail(request_id: int):
    """One order: its state, times, lecturer and the steps I may take now."""
    return _request_dict(_visible_or_404(db.session.get(LectureRequest, request_id)))


@blp.route("/requests", methods=["POST"])
@blp.arguments(OrderSchema)
@blp.response(201, RequestSchema)
def order(body: dict):
    """Order a lecture for one of my villages (点单), with two or three preferred times."""
    village = db.session.get(OrgUnit, body["village_id"])
    if village is None or village.kind not in VILLAGE_KINDS:
        return problems.problem(422, errors={"json": {"village_id": ["没有这个村（社区）。"]}})
    if not permissions.can(current_user, "lecturers.request", village):
        return problems.problem(403, "只能为自己负责的村（社区）点单。")
    topic = db.session.get(Topic, body["topic_id"])
    if topic is None or not topic.active:
        return problems.problem(422, errors={"json": {"topic_id": ["没有这个专题。"]}})
    now = utcnow()
    slot_errors = {
        str(n): [problem]
        for n, slot in enumerate(body["slots"])
        if (problem := services.slot_problem(slot["start"], slot["end"], now))
    }
    if slot_errors:
        return problems.problem(422, errors={"json": {"slots": slot_errors}})
    try:
        lecture = services.create_request(
            village=village,
            topic=topic,
            format=body["format"],
            audience_size=body["audience_size"],
            audience_group=body["audience_group"],
            venue=body["venue"].strip(),
            notes=body["notes"].strip(),
            slots=[(slot["start"], slot["end"]) for slot in body["slots"]],
            user=current_user,
            idempotency_key=body.get("client_key") or secrets.token_urlsafe(24),
        )
    except services.DuplicateSubmission as twin:
        lecture = db.session.get(LectureRequest, twin.request_id)
    return _request_dict(_visible_or_404(lecture))


def _perform(request_id: int, action: str, **data) -> dict:
    lecture = _visible_or_404(services.load_for_update(request_id))
    try:
        services.perform(lecture, action, current_user, **data)
    except TransitionRefused as refused:
        abort(problems.problem(refused.status, refused.message))
    return _request_dict(db.session.get(LectureRequest, request_id))


@blp.route("/requests/<int:request_id>/rating", methods=["POST"])
@blp.arguments(RateSchema)
@blp.response(200, RequestSchema)
def rate(body: dict, request_id: int):
    """Rate a delivered lecture (the ordering village's coordinator), 1 to 5."""
    return _perform(request_id, "rate", rating=body["rating"], comment=body["comment"])


@blp.route(
    "/requests/<int:request_id>/actions/<any(" + ", ".join(SIMPLE_ACTIONS) + "):action>",
    methods=["POST"],
)
@blp.arguments(ActionSchema)
@blp.response(200, RequestSchema)
def act(body: dict, request_id: int, action: str):
    """Take a workflow step: a lecturer accepts (``slot_id``) or declines (``reason``); the
    village cancels (``reason``) or closes. Refused steps change nothing."""
    data = {"reason": body["reason"]}
    if "slot_id" in body:
        data["slot_id"] = body["slot_id"]
    return _perform(request_id, action, **data)
