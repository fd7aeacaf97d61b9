"""The lecturers blueprint: the front page here; the other pages in the views_* modules."""

from __future__ import annotations

from flask import Blueprint, abort, render_template
from flask_login import current_user

from core.extensions import db

bp = Blueprint(
    "lecturers",
    __name__,
    url_prefix="/lectures",
    template_folder="templates",
    static_folder="static",
    static_url_path="/static/lecturers",
)


def get_or_404(model, object_id: int):
    """The row or a 404."""
    row = db.session.get(model, object_id)
    if row is None:
        abort(404)
    return row


@bp.route("/")
def index():
    """The plugin's front page: the menu, and what the visitor can do here."""
    from plugins.lecturers.workflow import lecturer_of

    return render_template(
        "lecturers/index.html",
        me=lecturer_of(current_user) if current_user.is_authenticated else None,
    )


# The page modules add their routes to ``bp``.
from plugins.lecturers import (  # noqa: E402,F401
    views_corps,
    views_menu,
    views_reports,
    views_requests,
)
