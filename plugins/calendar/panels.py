"""Small panels for the home page and the dashboard."""

from __future__ import annotations

from datetime import timedelta

from flask import render_template
from markupsafe import Markup
from sqlalchemy import select

from core.extensions import db
from core.timeutil import utcnow
from plugins.calendar import recurrence, services
from plugins.calendar.models import CalendarRegistration


def home_panel() -> Markup:
    """What is on in the next seven days, town-wide (first eight)."""
    now = utcnow()
    items = services.occurrences_between(now, now + timedelta(days=7))[:8]
    return Markup(render_template("calendar/_home.html", items=items))


def dashboard_panel(user) -> Markup:
    """The person's next registered occurrences."""
    rows = db.session.scalars(
        select(CalendarRegistration)
        .where(
            CalendarRegistration.user_id == user.id,
            CalendarRegistration.status != "cancelled",
            CalendarRegistration.original_start >= utcnow() - timedelta(hours=6),
        )
        .order_by(CalendarRegistration.original_start)
        .limit(5)
    ).all()
    items = []
    for row in rows:
        occurrence = recurrence.find_occurrence(row.event, row.original_start)
        if occurrence is not None:
            items.append(
                (services.replace(occurrence, url=services.occurrence_url(occurrence)), row)
            )
    return Markup(render_template("calendar/_panel.html", items=items))
