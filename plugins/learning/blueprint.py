"""The learning blueprint; its routes live in the views_* modules."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint(
    "learning",
    __name__,
    url_prefix="/learning",
    template_folder="templates",
    static_folder="static",
)
