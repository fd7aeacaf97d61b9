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


def blueprints() -> list[Blueprint]:
    """The blueprint with every page added: importing a views module adds its routes."""
    from plugins.volunteers import (  # noqa: F401
        views_manage,
        views_me,
        views_plan,
        views_profile,
        views_reports,
        views_volunteer,
    )
    from plugins.volunteers.mediation import views as mediation_views  # noqa: F401

    return [bp]
