"""The credits blueprint; its routes live in views, views_rankings and views_rules."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint(
    "credits",
    __name__,
    url_prefix="/credits",
    template_folder="templates",
    static_folder="static",
)


def blueprints() -> list[Blueprint]:
    """The blueprint with every route attached (the views modules add theirs on import)."""
    from plugins.credits import views, views_rankings, views_rules  # noqa: F401

    return [bp]
