"""The blueprint; the route modules add their views to it when imported."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint(
    "competitions",
    __name__,
    url_prefix="/contests",
    template_folder="templates",
    static_folder="static",
    static_url_path="/static",
)


def load_routes() -> Blueprint:
    """Import every route module once and return the blueprint."""
    from plugins.competitions import (  # noqa: F401
        views,
        views_awards,
        views_bank,
        views_live,
        views_manage,
        views_reports,
    )

    return bp
