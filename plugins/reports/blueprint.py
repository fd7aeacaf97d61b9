"""The reports blueprint; its routes live in the views_*.py modules."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint(
    "reports",
    __name__,
    url_prefix="/reports",
    template_folder="templates",
    static_folder="static",
)


def blueprints() -> list[Blueprint]:
    """The blueprint with every route attached (the views modules add theirs on import)."""
    from plugins.reports import (  # noqa: F401
        views_funds,
        views_goals,
        views_income,
        views_learning,
        views_reports,
    )

    return [bp]
