"""The reports blueprint and the small helpers its view modules share."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, request

from core.extensions import db
from core.models import OrgUnit
from plugins.reports.forms import PeriodForm, YearForm

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


def period() -> tuple[PeriodForm, date, date]:
    """The period asked for in the query string: (form with any errors, first day, day after)."""
    form = PeriodForm(request.args)
    form.validate()
    start, end = form.bounds()
    return form, start, end


def year() -> tuple[YearForm, int]:
    form = YearForm(request.args)
    form.validate()
    return form, form.chosen()


def unit_or_404(unit_id: int) -> OrgUnit:
    unit = db.session.get(OrgUnit, unit_id)
    if unit is None or not unit.active:
        abort(404)
    return unit
