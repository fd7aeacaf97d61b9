"""Pages of the lecturers plugin."""

from __future__ import annotations

from flask import Blueprint, render_template

bp = Blueprint("lecturers", __name__, url_prefix="/lectures", template_folder="templates")


@bp.route("/")
def index():
    """The plugin's front page."""
    return render_template("lecturers/index.html")
