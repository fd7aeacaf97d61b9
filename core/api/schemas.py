"""What every API schema shares: Chinese validation messages, pages, the problem body."""

from __future__ import annotations

from math import ceil

import marshmallow as ma
from flask import current_app
from marshmallow import fields, validate

#: Marshmallow's field messages in Chinese (the API's errors are read by people too).
FIELD_MESSAGES = {
    "required": "此项必填。",
    "null": "此项不能为空。",
    "invalid": "格式不正确。",
    "validator_failed": "值不正确。",
    "too_large": "数值太大。",
    "invalid_utf8": "不是有效的文字。",
    "format": "格式不正确。",
}


class Schema(ma.Schema):
    """Base of every API schema: unknown fields refused, messages in Chinese."""

    class Meta:
        unknown = ma.RAISE

    error_messages = {"unknown": "未知字段。", "type": "请求内容须为 JSON 对象。"}

    def on_bind_field(self, field_name: str, field_obj: fields.Field) -> None:
        messages = dict(field_obj.error_messages)
        for key in FIELD_MESSAGES.keys() & messages.keys():
            messages[key] = FIELD_MESSAGES[key]
        field_obj.error_messages = messages


class ProblemSchema(Schema):
    """An error (RFC 9457): ``title`` in Chinese, ``errors`` by location and field."""

    type = fields.String()
    status = fields.Integer()
    title = fields.String()
    detail = fields.String()
    errors = fields.Dict()


class PageArgs(Schema):
    """``page`` from 1; ``per_page`` from 1 to ``API_MAX_PAGE_SIZE`` (100 unless configured)."""

    class Meta:
        unknown = ma.EXCLUDE  # other query arguments are the endpoint's own filters

    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100_000))
    per_page = fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))

    @ma.validates("per_page")
    def _within_site_limit(self, value: int, **kwargs) -> None:
        if value > current_app.config["API_MAX_PAGE_SIZE"]:
            raise ma.ValidationError("每页条数超过上限。")


class PageMeta(Schema):
    page = fields.Integer(required=True)
    per_page = fields.Integer(required=True)
    total = fields.Integer(required=True)
    pages = fields.Integer(required=True)


_page_schemas: dict[type, type] = {}


def page_of(item_schema: type[ma.Schema]) -> type[ma.Schema]:
    """The schema of one page of ``item_schema`` items: ``{"items": [...], "meta": {...}}``."""
    if item_schema not in _page_schemas:
        name = item_schema.__name__.removesuffix("Schema") + "PageSchema"
        _page_schemas[item_schema] = type(
            name,
            (Schema,),
            {
                "items": fields.List(fields.Nested(item_schema), required=True),
                "meta": fields.Nested(PageMeta, required=True),
            },
        )
    return _page_schemas[item_schema]


def paginate(items: list, args: dict) -> dict:
    """One page of an already ordered list (callers order by a unique key, so pages are stable)."""
    page, per_page = args["page"], args["per_page"]
    start = (page - 1) * per_page
    return {
        "items": items[start : start + per_page],
        "meta": {
            "page": page,
            "per_page": per_page,
            "total": len(items),
            "pages": ceil(len(items) / per_page),
        },
    }


def paginate_query(query, args: dict) -> dict:
    """One page of an ordered SELECT (the order must end in a unique column)."""
    from core.extensions import db

    result = db.paginate(query, page=args["page"], per_page=args["per_page"], error_out=False)
    return {
        "items": list(result.items),
        "meta": {
            "page": args["page"],
            "per_page": args["per_page"],
            "total": result.total or 0,
            "pages": result.pages,
        },
    }
