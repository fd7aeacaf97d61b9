"""Errors of the JSON API as ``application/problem+json`` (RFC 9457), with a Chinese title.

Every error under ``/api/`` (a refusal in a view, a validation error, a 404 of an unknown
path, a 413 of a too-large body, a 429 of the rate limiter) comes out of ``problem``; pages
keep their HTML error pages.
"""

from __future__ import annotations

from flask import Response, current_app, json, request
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException

API_PREFIX = "/api/"

#: The Chinese title of each status (translated through the core catalog).
TITLES = {
    400: _l("请求无效。"),
    401: _l("需要有效的访问令牌。"),
    403: _l("没有权限进行这个操作。"),
    404: _l("找不到这个对象。"),
    405: _l("不支持这个请求方法。"),
    409: _l("操作与当前状态冲突。"),
    413: _l("请求内容太大。"),
    415: _l("请求内容须为 JSON。"),
    422: _l("提交的内容有误。"),
    428: _l("缺少前提条件。"),
    429: _l("尝试次数过多，请稍后再试。"),
    500: _l("服务器出错了。"),
}


def is_api_request() -> bool:
    return request.path.startswith(API_PREFIX)


def problem(
    status: int,
    detail: str | None = None,
    errors: dict | None = None,
    headers: dict | None = None,
) -> Response:
    """A problem+json response; ``errors`` maps a location and field to its messages."""
    body: dict = {
        "type": "about:blank",
        "status": status,
        "title": str(TITLES.get(status, TITLES[400])),
    }
    if detail:
        body["detail"] = detail
    if errors:
        body["errors"] = errors
    response = current_app.response_class(
        json.dumps(body, ensure_ascii=False), status=status, mimetype="application/problem+json"
    )
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def from_exception(error: HTTPException) -> Response:
    """Turn an HTTP error (including flask-smorest's and webargs' aborts) into a problem."""
    data = getattr(error, "data", None) or {}
    errors = data.get("errors") or data.get("messages")
    headers = dict(data.get("headers") or {})
    if error.code == 401:
        headers.setdefault("WWW-Authenticate", 'Bearer realm="api"')
    if error.code == 405 and error.valid_methods:
        headers["Allow"] = ", ".join(error.valid_methods)
    detail = data.get("message")
    if error.code == 429:
        detail = None  # the limiter's text ("5 per 15 minutes") is English
    return problem(error.code or 500, detail, errors, headers)
