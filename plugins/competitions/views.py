"""Pages of the competitions plugin."""

from __future__ import annotations

from flask import Blueprint, render_template

bp = Blueprint("competitions", __name__, url_prefix="/contests", template_folder="templates")


@bp.route("/")
def index():
    """The plugin's front page."""
    return render_template("competitions/index.html")
