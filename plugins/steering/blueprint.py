"""The steering blueprint and the small helpers its view modules share."""

from __future__ import annotations

from flask import Blueprint, abort

from core.extensions import db
from core.models import OrgUnit

bp = Blueprint(
    "steering",
    __name__,
    url_prefix="/steering",
    template_folder="templates",
)


def unit_or_404(unit_id: int | None) -> OrgUnit:
    unit = db.session.get(OrgUnit, unit_id or 0)
    if unit is None or not unit.active:
        abort(404)
    return unit


def get_or_404(model, ident: int):
    row = db.session.get(model, ident)
    if row is None:
        abort(404)
    return row


def routes() -> list[Blueprint]:
    """The blueprint with every view module's routes attached (importing them attaches them)."""
    from plugins.steering import (  # noqa: F401
        views_coverage,
        views_figures,
        views_rules,
        views_standard,
        views_tasks,
        views_visits,
    )
    from plugins.steering.meetings import views  # noqa: F401

    return [bp]
