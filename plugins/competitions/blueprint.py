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
    from plugins.competitions import views, views_bank, views_manage, views_reports  # noqa: F401
    from plugins.competitions.awards import views as award_views  # noqa: F401
    from plugins.competitions.live import views as live_views  # noqa: F401

    return bp
