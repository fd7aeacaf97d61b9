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
