"""Odd input answers 400 or 404, never a 500.

Three guards, applied to every route at once rather than view by view:

- an integer in a path larger than any id column (PostgreSQL ``integer``) does not match the
  route, so it is a plain 404;
- ``request.args.get(name, type=int)`` (and the same on forms) treats an integer outside that
  range as absent, so page numbers and ids fall back to their default;
- a NUL byte in the path or the query is refused with 400 before any view runs (PostgreSQL
  cannot store it and no honest client sends one).

Whatever still reaches the database as a value it cannot hold (``OverflowError`` from SQLite,
``DataError`` from PostgreSQL) is answered 400 by ``init_app``'s handlers.
"""

from __future__ import annotations

from flask import Flask, Request, abort, request
from sqlalchemy.exc import DataError
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.routing import IntegerConverter, ValidationError

#: The largest value of a PostgreSQL ``integer`` column (every id here).
MAX_ID = 2**31 - 1


class BoundedIntegerConverter(IntegerConverter):
    """``<int:id>`` that only matches ids a column can hold."""

    def to_python(self, value: str) -> int:
        number = super().to_python(value)
        if number > MAX_ID:
            raise ValidationError()
        return number


class BoundedMultiDict(ImmutableMultiDict):
    """``get(name, type=int)`` returns the default for integers no column can hold."""

    def get(self, key, default=None, type=None):
        value = super().get(key, default, type)
        if type is int and isinstance(value, int) and not -MAX_ID - 1 <= value <= MAX_ID:
            return default
        return value


class SafeRequest(Request):
    parameter_storage_class = BoundedMultiDict


def _has_nul(values) -> bool:
    return any("\x00" in key or "\x00" in value for key, value in values)


def refuse_nul_bytes() -> None:
    """400 for a NUL byte in the path or the query. (Forms strip control characters with their
    field filters, and what still reaches PostgreSQL is a DataError, answered 400 below.)"""
    if "\x00" in request.path or _has_nul(request.args.items(multi=True)):
        abort(400)


def install_converters(app: Flask) -> None:
    """Before any blueprint is registered, so every ``<int:...>`` rule uses the bounded one."""
    app.request_class = SafeRequest
    app.url_map.converters["int"] = BoundedIntegerConverter


def init_app(app: Flask, error_page) -> None:
    from core.extensions import db

    app.before_request_funcs.setdefault(None, []).insert(0, refuse_nul_bytes)

    def out_of_range(error):
        db.session.rollback()
        return error_page(400)

    app.register_error_handler(OverflowError, out_of_range)
    app.register_error_handler(DataError, out_of_range)
