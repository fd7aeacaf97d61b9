"""The credit bank's JSON API (``/api/v1/credits``): my balance and my ledger, from the same
``services`` and ``rankings`` functions as the "my credits" page."""

from __future__ import annotations

from flask_login import current_user
from marshmallow import fields, validate

from core.api import ApiBlueprint
from core.api.schemas import PageArgs, Schema, page_of, paginate_query
from plugins.credits import rankings, services

blp = ApiBlueprint("api_credits", __name__, url_prefix="/api/v1/credits", description="学分银行")


class RuleTotalSchema(Schema):
    activity = fields.String(required=True)
    credits = fields.Integer(required=True)


class BalanceSchema(Schema):
    balance = fields.Integer(required=True)
    by_activity = fields.List(fields.Nested(RuleTotalSchema), required=True)


class EntrySchema(Schema):
    id = fields.Integer(required=True)
    amount = fields.Integer(required=True, metadata={"description": "冲销为负数"})
    reason = fields.String(required=True)
    activity = fields.String(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(["credit", "reversal"]))
    occurred_at = fields.DateTime(required=True)
    created_at = fields.DateTime(required=True)


@blp.route("/me")
@blp.response(200, BalanceSchema)
def my_credits():
    """My balance to date, and the total per kind of activity."""
    return {
        "balance": services.balance(current_user.id),
        "by_activity": [
            {"activity": label, "credits": total}
            for label, total in rankings.totals_by_rule(current_user.id)
        ],
    }


@blp.route("/me/ledger")
@blp.etag
@blp.arguments(PageArgs, location="query")
@blp.response(200, page_of(EntrySchema))
def my_ledger(args: dict):
    """My credit entries, newest first; a reversal is its own negative entry, never a delete."""
    page = paginate_query(services.history_query(current_user.id), args)
    page["items"] = [
        {
            "id": row.id,
            "amount": row.amount,
            "reason": row.reason,
            "activity": services.activity_label(row.rule),
            "kind": row.entry_kind,
            "occurred_at": row.occurred_at,
            "created_at": row.created_at,
        }
        for row in page["items"]
    ]
    return page
