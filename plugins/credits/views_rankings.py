"""Rankings for a period: people, villages, households (学习型家庭)."""

from __future__ import annotations

from datetime import date, timedelta

from flask import abort, render_template, request
from flask_login import current_user, login_required
from sqlalchemy import select

from core.extensions import db
from core.figures import evidence_request
from core.forms.fields import PeriodForm
from core.models import OrgUnit
from core.permissions import can, unit_ids_where
from core.timeutil import period_bounds
from plugins.credits import rankings as sums
from plugins.credits.blueprint import bp


def _iso_date(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def _period() -> tuple[PeriodForm, date, date]:
    form = PeriodForm(request.args)
    form.validate()
    first, after = form.bounds()  # this year so far when the dates are bad
    if not form.errors:
        before = _iso_date(request.args.get("before"))  # exclusive end, from evidence links
        if before and before > first:
            after = before
    return form, first, after


def _unit_filter() -> tuple[set[int] | None, OrgUnit | None]:
    """``?unit=`` narrows the people to one unit and the units below it."""
    unit_id = request.args.get("unit", type=int)
    if unit_id is None:
        return None, None
    unit = db.session.get(OrgUnit, unit_id)
    if unit is None:
        abort(404)
    ids = set(db.session.scalars(select(OrgUnit.id).where(OrgUnit.path.startswith(unit.path))))
    return ids, unit


@bp.route("/rankings")
@login_required
def rankings():
    """Who and which village earned most in a period."""
    form, first, after = _period()
    start, end = period_bounds(first, after)
    unit_filter, unit = _unit_filter()
    return render_template(
        "credits/rankings.html",
        form=form,
        people=sums.person_ranking(start, end, unit_filter),
        villages=sums.village_ranking(start, end),
        unit=unit,
        first=first,
        last=after,
        one_day=timedelta(days=1),
    )


@bp.route("/households")
@login_required
def households():
    """Households by credits: staff see their villages; everyone sees their own household."""
    form, first, after = _period()
    start, end = period_bounds(first, after)
    allowed = unit_ids_where(current_user, "credits.view_people")
    rows = sums.household_ranking(start, end, allowed) if allowed else []
    return render_template(
        "credits/households.html",
        form=form,
        rows=rows,
        staff=can(current_user, "credits.view_people"),
        household=sums.household_members(current_user.id),
        first=first,
        last=after,
        one_day=timedelta(days=1),
    )


@bp.route("/ledger")
@login_required
def ledger():
    """The evidence behind 学分 on the reports: every counted entry of a unit's people."""
    ev = evidence_request("credits.view_people")
    entries = sums.counted_entries(ev.start, ev.end, ev.unit_ids)
    return render_template(
        "credits/ledger.html", ev=ev, entries=entries, total=sum(e.amount for e in entries)
    )
