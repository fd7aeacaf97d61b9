"""The calendar blueprint and helpers its view modules share."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import nh3
from flask import Blueprint, abort, request
from flask_login import current_user
from markdown_it import MarkdownIt
from markupsafe import Markup, escape

from core.extensions import db
from core.timeutil import local_zone, period_bounds
from plugins.calendar import recurrence, services
from plugins.calendar.models import CalendarEvent
from plugins.calendar.recurrence import Occurrence

bp = Blueprint(
    "calendar",
    __name__,
    url_prefix="/calendar",
    template_folder="templates",
    static_folder="static",
    static_url_path="/static",
)


def with_views() -> Blueprint:
    """``bp`` with every view module's routes on it (each imports ``bp`` from here)."""
    from plugins.calendar import (  # noqa: F401
        views_admin,
        views_checkin,
        views_feeds,
        views_manage,
        views_materials,
        views_pages,
        views_people,
        views_reports,
    )

    return bp


_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False})


def render_description(event: CalendarEvent) -> Markup:
    """Plain text with line breaks, or Markdown rendered then sanitised with nh3."""
    if event.markdown:
        return Markup(nh3.clean(_markdown.render(event.description)))
    return Markup("<br>").join(escape(line) for line in event.description.splitlines())


def viewer():
    return current_user if current_user.is_authenticated else None


def event_or_404(event_id: int) -> CalendarEvent:
    event = db.session.get(CalendarEvent, event_id)
    if event is None or not services.visible_to(viewer(), event):
        abort(404)
    return event


def occurrence_or_404(event: CalendarEvent, key: str) -> Occurrence:
    original = recurrence.parse_key(key)
    occurrence = recurrence.find_occurrence(event, original) if original else None
    if occurrence is None:
        abort(404)
    return occurrence


def clock(moment: datetime, pattern: str = "%H:%M") -> str:
    """Local wall-clock text with strftime: long agenda pages format hundreds of times."""
    return moment.astimezone(local_zone()).strftime(pattern)


def arg_date(name: str, default: date) -> date:
    """A YYYY-MM-DD query parameter within 2000..2100, else ``default``."""
    raw = request.args.get(name, "")
    try:
        value = date.fromisoformat(raw)
    except ValueError:
        return default
    return value if date(2000, 1, 1) <= value <= date(2100, 12, 1) else default


def arg_int(name: str) -> int | None:
    raw = request.args.get(name, "")
    return int(raw) if raw.isdigit() and len(raw) < 10 else None


def filters() -> dict:
    """Category, town and village filters from the URL (they survive in every link).

    ``village`` and ``town`` both take any org unit id and include everything below it (by
    path), so one installation can serve several towns: ``town`` narrows to one town, ``village``
    to one village inside it.
    """
    return {
        "category": arg_int("category"),
        "town": arg_int("town"),
        "village": arg_int("village"),
    }


def chosen_unit_id() -> int | None:
    """The narrowest unit chosen: the village when given, else the town."""
    chosen = filters()
    return chosen["village"] or chosen["town"]


def filter_args() -> dict:
    return {k: v for k, v in filters().items() if v}


def list_occurrences(start: date, end: date) -> list[Occurrence]:
    return filtered_occurrences(start, end, **filters())


def filtered_occurrences(
    start: date, end: date, category: int | None, town: int | None, village: int | None
) -> list[Occurrence]:
    """What the calendar pages and the API list for these local days and filters, in order."""
    return services.occurrences_between(
        *period_bounds(start, end),
        viewer(),
        category_ids=[category] if category else None,
        unit_id=village or town,
    )


def week_monday(day: date) -> date:
    return day - timedelta(days=day.weekday())
