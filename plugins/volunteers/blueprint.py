"""The volunteers blueprint; the view modules add their routes to it."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint(
    "volunteers",
    __name__,
    url_prefix="/volunteers",
    template_folder="templates",
    static_folder="static",
    static_url_path="/volunteers-static",
)
