"""Pages of the calendar plugin."""

from __future__ import annotations

from flask import Blueprint, render_template

bp = Blueprint("calendar", __name__, url_prefix="/calendar", template_folder="templates")


@bp.route("/")
def index():
    """The plugin's front page."""
    return render_template("calendar/index.html")
