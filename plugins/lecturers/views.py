"""The lecturers front page; the other pages are in the views_* modules and requests/views.py."""

from __future__ import annotations

from flask import render_template
from flask_login import current_user

from plugins.lecturers.blueprint import bp
from plugins.lecturers.corps import lecturer_of


@bp.route("/")
def index():
    """The plugin's front page: the menu, and what the visitor can do here."""
    return render_template(
        "lecturers/index.html",
        me=lecturer_of(current_user) if current_user.is_authenticated else None,
    )
