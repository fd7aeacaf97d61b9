"""Pages of the volunteers plugin."""

from __future__ import annotations

from flask import Blueprint, render_template

bp = Blueprint("volunteers", __name__, url_prefix="/volunteers", template_folder="templates")


@bp.route("/")
def index():
    """The plugin's front page."""
    return render_template("volunteers/index.html")
