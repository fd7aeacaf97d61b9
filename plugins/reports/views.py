"""Pages of the reports plugin."""

from __future__ import annotations

from flask import Blueprint, render_template

bp = Blueprint("reports", __name__, url_prefix="/reports", template_folder="templates")


@bp.route("/")
def index():
    """The plugin's front page."""
    return render_template("reports/index.html")
