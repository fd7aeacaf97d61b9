"""The volunteers' JSON API (``/api/v1/volunteers``): shifts I may take, sign up, withdraw,
my shifts and my hours. The same functions as the pages: ``eligibility``, ``services``,
``history``."""

from __future__ import annotations

from flask import abort
from flask_login import current_user
from marshmallow import fields, validate
from sqlalchemy.exc import OperationalError

from core.api import ApiBlueprint, problems
from core.api.schemas import PageArgs, Schema, page_of, paginate
from core.extensions import db
from core.timeutil import utcnow
from plugins.volunteers import eligibility, history, services, workflow
from plugins.volunteers.models import Assignment, ShiftRole

blp = ApiBlueprint(
    "api_volunteers", __name__, url_prefix="/api/v1/volunteers", description="志愿服务"
)
STATUSES = list(workflow.STATUS_LABELS)


class RoleOptionSchema(Schema):
    role_id = fields.Integer(required=True)
    name = fields.String(required=True)
    needed = fields.Integer(required=True)
    confirmed = fields.Integer(required=True)
    full = fields.Boolean(required=True)
    my_status = fields.String(allow_none=True, validate=validate.OneOf(STATUSES))
    blocked = fields.String(allow_none=True, metadata={"description": "为什么现在不能报名"})


class ShiftSchema(Schema):
    id = fields.Integer(required=True)
    title = fields.String(required=True)
    venue = fields.String(required=True)
    org_unit_id = fields.Integer(required=True)
    starts_at = fields.DateTime(required=True)
    ends_at = fields.DateTime(required=True)
    roles = fields.List(
        fields.Nested(RoleOptionSchema),
        required=True,
        metadata={"description": "我可以报名的岗位（没有通过审核的志愿者档案时为空）"},
    )


class SignupSchema(Schema):
    waitlist = fields.Boolean(load_default=False, metadata={"description": "满员时加入候补名单"})


class AssignmentSchema(Schema):
    id = fields.Integer(required=True)
    status = fields.String(required=True, validate=validate.OneOf(STATUSES))
    shift_id = fields.Integer(required=True)
    shift_title = fields.String(required=True)
    role = fields.String(required=True)
    starts_at = fields.DateTime(required=True)
    ends_at = fields.DateTime(required=True)
    hours = fields.Float(allow_none=True, metadata={"description": "已确认的服务时长（小时）"})
    no_show = fields.Boolean(required=True)


class HoursSchema(Schema):
    total_hours = fields.Float(required=True)
    served = fields.List(fields.Nested(AssignmentSchema), required=True)


def _assignment(row: Assignment) -> dict:
    shift = row.role.shift
    return {
        "id": row.id,
        "status": row.status,
        "shift_id": shift.id,
        "shift_title": shift.title,
        "role": row.role.name,
        "starts_at": shift.starts_at,
        "ends_at": shift.ends_at,
        "hours": row.hours if row.hours_confirmed_at is not None else None,
        "no_show": bool(row.no_show),
    }


@blp.route("/shifts")
@blp.public
@blp.etag
@blp.arguments(PageArgs, location="query")
@blp.response(200, page_of(ShiftSchema))
def shifts(args: dict):
    """Shifts open for sign-up, nearest first; for an approved volunteer only those they fit,
    with the roles they may take (the volunteers page's list)."""
    user = current_user if current_user.is_authenticated else None
    _profile, rows = eligibility.open_shifts(user)
    page = paginate(rows, args)
    page["items"] = [
        {
            "id": shift.id,
            "title": shift.title,
            "venue": shift.venue,
            "org_unit_id": shift.org_unit_id,
            "starts_at": shift.starts_at,
            "ends_at": shift.ends_at,
            "roles": [
                {
                    "role_id": option["role"].id,
                    "name": option["role"].name,
                    "needed": option["role"].needed,
                    "confirmed": option["role"].confirmed_count,
                    "full": option["full"],
                    "my_status": option["mine"].status if option["mine"] else None,
                    "blocked": option["blocked"],
                }
                for option in options
            ],
        }
        for shift, options in page["items"]
    ]
    return page


@blp.route("/roles/<int:role_id>/signup", methods=["POST"])
@blp.arguments(SignupSchema)
@blp.response(201, AssignmentSchema)
@blp.alt_response(409, description="不能报名（已报名、满员、时间冲突、缺少技能……）")
def sign_up(body: dict, role_id: int):
    """Take a place in a role (or a waiting-list place with ``waitlist``), for myself only."""
    role = db.session.get(ShiftRole, role_id)
    if role is None or not eligibility.visible_shift(role.shift, current_user):
        abort(404)
    try:
        row = services.sign_up(role.id, current_user.id, waitlist=body["waitlist"])
    except services.BookingError as error:
        db.session.rollback()
        return problems.problem(409, str(error))
    db.session.commit()
    return _assignment(row)


@blp.route("/assignments/<int:assignment_id>/withdraw", methods=["POST"])
@blp.response(200, AssignmentSchema)
@blp.alt_response(409, description="已过退出期限")
def withdraw(assignment_id: int):
    """Leave my place before the withdraw deadline; the waiting list moves up."""
    row = db.session.get(Assignment, assignment_id)
    if row is None or row.user_id != current_user.id:
        abort(404)
    try:
        services.withdraw(row)
        db.session.commit()
    except services.BookingError as error:
        db.session.rollback()
        return problems.problem(409, str(error))
    except OperationalError:  # a deadlock under load: the page retries once, a client may too
        db.session.rollback()
        return problems.problem(409, "系统繁忙，退出没有完成，请稍后再试一次。")
    return _assignment(db.session.get(Assignment, assignment_id))


@blp.route("/me")
@blp.etag
@blp.arguments(PageArgs, location="query")
@blp.response(200, page_of(AssignmentSchema))
def my_shifts(args: dict):
    """My places, waiting-list places and invitations that have not ended, soonest first."""
    now = utcnow()
    rows = [
        a
        for a in history.assignments_of(current_user.id)
        if a.shift.ends_at >= now and a.status in ("confirmed", "waitlisted", "invited")
    ]
    rows.sort(key=lambda a: (a.shift.starts_at, a.id))
    page = paginate(rows, args)
    page["items"] = [_assignment(row) for row in page["items"]]
    return page


@blp.route("/me/hours")
@blp.response(200, HoursSchema)
def my_hours():
    """My confirmed service hours, newest first, with their total (the certificate's figures)."""
    rows, total = history.served(history.assignments_of(current_user.id))
    return {"total_hours": total, "served": [_assignment(row) for row in rows]}
