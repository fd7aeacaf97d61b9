"""The rules every report figure follows (DESIGN.md, "Records and figures").

A figure for an org unit and a period counts an item when the moment the item is dated by (the
end of an activity, lecture, shift or mediation session; the date of a credit; a hand-in) lies
inside the period and before now: nothing in the future counts. Each plugin computes a figure
and lists the items behind it with one function, bounded by ``figure_bounds``, so the number on
a report and the length of its evidence list cannot differ.

Evidence pages take ``?unit_id=&start=&end=`` (local ISO dates, ``end`` exclusive), which is what
``reports`` builds from ``Metric.evidence_endpoint``; ``evidence_request`` reads and checks them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import abort, current_app, request
from flask_login import current_user
from sqlalchemy import select

from core import timeutil
from core.extensions import db
from core.models import OrgUnit
from core.permissions import can


def figure_bounds(start: date | datetime, end: date | datetime) -> tuple[datetime, datetime]:
    """[start, end) as UTC instants, the end cut at now: the instants a figure may count."""
    first, after = timeutil.period_bounds(start, end)
    cutoff = min(after, timeutil.utcnow())
    return first, max(first, cutoff)


@dataclass(frozen=True)
class EvidenceRequest:
    """The unit and period one evidence page lists."""

    unit: OrgUnit
    start: date
    end: date  # exclusive

    @property
    def last(self) -> date:
        """The last day of the period, for "A 至 B" headings."""
        return self.end - timedelta(days=1)

    @property
    def unit_ids(self) -> list[int]:
        """The unit and every unit below it: a unit's figure counts its descendants too."""
        return list(
            db.session.scalars(select(OrgUnit.id).where(OrgUnit.path.startswith(self.unit.path)))
        )


def _day(name: str, default: date) -> date:
    text = request.args.get(name, "")
    if not text:
        return default
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        abort(400)


def evidence_request(*permissions: str) -> EvidenceRequest:
    """The ``unit_id``, ``start`` and ``end`` of this request, checked.

    404 for a missing or unknown unit; the log-in page for visitors; 403 unless the user holds
    one of ``permissions`` on the unit; 400 for a malformed or reversed period. Without dates:
    this year so far.
    """
    unit = db.session.get(OrgUnit, request.args.get("unit_id", type=int) or 0)
    if unit is None:
        abort(404)
    if not current_user.is_authenticated:
        abort(current_app.login_manager.unauthorized())
    if not any(can(current_user, permission, unit) for permission in permissions):
        abort(403)
    today = timeutil.to_local(timeutil.utcnow()).date()
    start = _day("start", today.replace(month=1, day=1))
    end = _day("end", today + timedelta(days=1))
    if end <= start or (end - start).days > 3 * 366 + 1:
        abort(400)
    return EvidenceRequest(unit, start, end)
