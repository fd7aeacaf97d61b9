"""The lecturers blueprint (``/lectures``); the page modules add their routes to ``bp``."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint(
    "lecturers",
    __name__,
    url_prefix="/lectures",
    template_folder="templates",
    static_folder="static",
    static_url_path="/static/lecturers",
)


def blueprints() -> list[Blueprint]:
    """``bp`` with every page module's routes on it (a module adds its routes when imported)."""
    from plugins.lecturers import (  # noqa: F401
        views,
        views_attend,
        views_corps,
        views_menu,
        views_public,
        views_reports,
        views_wishes,
    )
    from plugins.lecturers.requests import views as request_views  # noqa: F401

    return [bp]
