"""The tail of a view that changed something: audit, commit, flash, redirect — in one call.

    return respond.done("类别已保存。", "calendar.categories",
                        record=("calendar.category_updated", category, f"修改类别「{category.name}」"))

Audit rows are written in the same transaction as the change they describe; a workflow step
audits itself (``core.statemachine``), so its views pass no ``record``.
"""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, url_for
from werkzeug.wrappers import Response

from core import audit
from core.extensions import db


def done(
    message: str,
    endpoint: str,
    /,
    *,
    record: tuple[str, Any, str] | None = None,
    category: str = "success",
    **values: Any,
) -> Response:
    """Audit ``record`` (action, object, summary) if given, commit, flash ``message`` and
    redirect to ``endpoint`` with ``values``."""
    if record is not None:
        audit.record(*record)
    db.session.commit()
    flash(message, category)
    return redirect(url_for(endpoint, **values))
