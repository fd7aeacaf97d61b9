"""Small panels for the home page and the dashboard."""

from __future__ import annotations

from datetime import timedelta

from flask import render_template
from markupsafe import Markup

from core.timeutil import utcnow
from plugins.calendar import registration, services


def home_panel() -> Markup:
    """What is on in the next seven days, town-wide (first eight)."""
    now = utcnow()
    items = services.occurrences_between(now, now + timedelta(days=7))[:8]
    return Markup(render_template("calendar/_home.html", items=items))


def dashboard_panel(user) -> Markup:
    """The person's next registered occurrences."""
    items = registration.upcoming_for(user.id, utcnow() - timedelta(hours=6), limit=5)
    return Markup(render_template("calendar/_panel.html", items=items))
