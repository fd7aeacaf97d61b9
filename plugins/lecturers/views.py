"""The lecturers blueprint: the front page here; the other pages in the views_* modules."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user

bp = Blueprint(
    "lecturers",
    __name__,
    url_prefix="/lectures",
    template_folder="templates",
    static_folder="static",
    static_url_path="/static/lecturers",
)


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
    views_attend,
    views_corps,
    views_menu,
    views_public,
    views_reports,
    views_requests,
    views_wishes,
)
