"""Small panels for the home page and the dashboard."""

from __future__ import annotations

from datetime import timedelta

from flask import render_template
from markupsafe import Markup

from core.timeutil import utcnow
from plugins.calendar import registration, services

HOME_DAYS = timedelta(days=7)


def home_panel() -> Markup:
    """What is on in the next seven days, town-wide (first eight)."""
    now = utcnow()
    end = now + HOME_DAYS
    # The occurrence list is cached by its window: ask for whole hours so the key repeats
    # within the hour, then keep only what overlaps [now, now + 7 days) as before.
    hour = now.replace(minute=0, second=0, microsecond=0)
    window = services.occurrences_between(hour, hour + HOME_DAYS + timedelta(hours=1))
    items = [
        o
        for o in window
        if o.start < end and (o.end > now or (o.start == o.end and o.start >= now))
    ][:8]
    return Markup(render_template("calendar/_home.html", items=items))


def dashboard_panel(user) -> Markup:
    """The person's next registered occurrences."""
    items = registration.upcoming_for(user.id, utcnow() - timedelta(hours=6), limit=5)
    return Markup(render_template("calendar/_panel.html", items=items))
