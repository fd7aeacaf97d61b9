"""Pages of the credits plugin."""

from __future__ import annotations

from flask import Blueprint, render_template

bp = Blueprint("credits", __name__, url_prefix="/credits", template_folder="templates")


@bp.route("/")
def index():
    """The plugin's front page."""
    return render_template("credits/index.html")
