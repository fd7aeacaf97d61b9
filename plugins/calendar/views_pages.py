"""What residents see: agenda, month grid, week, my events, the event page, the noticeboard."""

from __future__ import annotations

import calendar as pycalendar
import hashlib
import re
from datetime import date, timedelta

from flask import Response, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_login import current_user, login_required
from markupsafe import Markup

from core import orgunits
from core.extensions import db
from core.httpcache import versioned_page
from core.models import OrgUnit
from core.timeutil import local_today, period_bounds, utcnow
from plugins.calendar import attendance, cancellation, checkin, recurrence, registration, services
from plugins.calendar.blueprint import (
    arg_date,
    bp,
    chosen_unit_id,
    event_or_404,
    filter_args,
    filters,
    list_occurrences,
    occurrence_or_404,
    render_description,
    week_monday,
)
from plugins.calendar.cache import feed_cache
from plugins.calendar.entries import undeclared_sources

AGENDA_DAYS = 14
AGENDA_LIMIT = 40


def _page_context() -> dict:
    towns = services.towns()
    town_id = filters()["town"]
    town = next((t for t in towns if t.id == town_id), None)
    return {
        "categories": services.categories(),
        "towns": towns,
        "villages": orgunits.villages(within=town),
        "chosen": filters(),
        "filter_args": filter_args(),
    }


def fragment(template: str, occurrences, build=None, **context) -> Markup:
    """Render the list part of a page once for the same occurrences (it is the same for every
    visitor who sees them), keyed by their content, the language and the context."""
    # A stable digest (not hash(), which differs per process) so processes share Redis entries.
    signature = hashlib.sha1(
        repr(
            [
                (o.uid, o.original_start, o.start, o.end, o.title, o.venue, o.cancelled, o.url)
                for o in occurrences
            ]
        ).encode(),
        usedforsecurity=False,
    ).hexdigest()
    key = f"calendar:fragment:{template}:{signature}:{get_locale()}:{sorted(context.items())!r}"
    cached = feed_cache().get(key)
    if cached is None:
        cached = Markup(render_template(template, **context, **(build() if build else {})))
        feed_cache().set(key, cached)
    return cached


def _by_day(occurrences, first: date | None = None) -> list[tuple[date, list]]:
    """Occurrences grouped by local start day; one that began before ``first`` (a contest
    open for a month) is listed on ``first``, so it does not drop out of the window."""
    days: dict[date, list] = {}
    for occurrence in occurrences:
        day = recurrence.local_naive(occurrence.start).date()
        days.setdefault(max(day, first) if first else day, []).append(occurrence)
    return sorted(days.items())


def listing_version(**_view_args) -> tuple | None:
    """What the agenda, week, month and board show a visitor: the calendar's versions and
    today's date (None while a plugin with entries declares no tables: its query must run)."""
    if undeclared_sources():
        return None
    return (services.versions(), local_today())


@bp.route("/")
@versioned_page(listing_version)
def index():
    """The agenda: the next two weeks, day by day (the default on phones)."""
    start = arg_date("start", local_today())
    occurrences = list_occurrences(start, start + timedelta(days=AGENDA_DAYS))
    more = len(occurrences) > AGENDA_LIMIT
    shown = occurrences[:AGENDA_LIMIT]
    next_start = start + timedelta(days=AGENDA_DAYS)
    if more:
        next_start = recurrence.local_naive(shown[-1].start).date() + timedelta(days=1)
    listing = fragment(
        "calendar/_agenda_days.html",
        shown,
        build=lambda: {"days": _by_day(shown, start)},
        filter_args=filter_args(),
        window_start=start.isoformat(),  # a long item is listed on this day: part of the key
    )
    return render_template(
        "calendar/agenda.html",
        listing=listing,
        start=start,
        next_start=next_start,
        prev_start=start - timedelta(days=AGENDA_DAYS),
        **_page_context(),
    )


@bp.route("/month")
@versioned_page(listing_version)
def month():
    """A month grid, Monday first; each day lists its occurrences' titles."""
    today = local_today()
    raw = request.args.get("month", "")
    try:
        year, number = (int(part) for part in raw.split("-"))
        first = date(year, number, 1)
        if not 2000 <= year <= 2100:
            raise ValueError
    except ValueError:
        first = today.replace(day=1)
    last_day = pycalendar.monthrange(first.year, first.month)[1]
    grid_start = week_monday(first)
    grid_end = week_monday(first.replace(day=last_day)) + timedelta(days=7)
    occurrences = list_occurrences(grid_start, grid_end)
    weeks = []
    day = grid_start
    while day < grid_end:
        weeks.append([(day + timedelta(days=i)) for i in range(7)])
        day += timedelta(days=7)
    prev_month = (first - timedelta(days=1)).replace(day=1)
    next_month = first.replace(day=last_day) + timedelta(days=1)
    listing = fragment(
        "calendar/_month_grid.html",
        occurrences,
        first=first,
        weeks=weeks,
        build=lambda: {"by_day": dict(_by_day(occurrences, grid_start))},
        today=today,
        filter_args=filter_args(),
    )
    return render_template(
        "calendar/month.html",
        listing=listing,
        first=first,
        prev_month=prev_month,
        next_month=next_month,
        **_page_context(),
    )


@bp.route("/week")
@versioned_page(listing_version)
def week():
    """Seven days, one block per day: from today unless ``start`` says otherwise (on a Sunday
    "this week" is the coming one, not the one that is ending)."""
    first = arg_date("start", local_today())
    by_day = dict(_by_day(list_occurrences(first, first + timedelta(days=7)), first))
    return render_template("calendar/week.html", **_week(first), by_day=by_day, **_page_context())


def _week(first: date) -> dict:
    """The seven days from ``first`` and the starts of the weeks before and after."""
    return {
        "first": first,
        "last": first + timedelta(days=6),
        "days": [first + timedelta(days=i) for i in range(7)],
        "prev_start": first - timedelta(days=7),
        "next_start": first + timedelta(days=7),
        "today": local_today(),
    }


@bp.route("/board")
@versioned_page(listing_version)
def board():
    """The printable one-page programme of seven days (from today, or ``start``) for a village
    noticeboard (公告栏): printed on Sunday or Monday, it shows the coming week."""
    first = arg_date("start", local_today())
    unit_id = chosen_unit_id()
    village = db.session.get(OrgUnit, unit_id) if unit_id else None
    occurrences = list_occurrences(first, first + timedelta(days=7))
    return render_template(
        "calendar/board.html",
        **_week(first),
        by_days=_by_day(occurrences, first),
        village=village,
        **_page_context(),
    )


@bp.route("/mine")
@login_required
def mine():
    """My registrations from today on, and what I attended recently."""
    items = registration.upcoming_for(current_user.id, utcnow() - timedelta(days=90))
    return render_template("calendar/mine.html", items=items)


@bp.route("/e/<int:event_id>")
def event(event_id: int):
    """An event's page: its next occurrence (or its last one, if all are past)."""
    found = event_or_404(event_id)
    now = utcnow()
    upcoming = recurrence.expand(found, now, recurrence.LATEST)
    chosen = upcoming[0] if upcoming else None
    if chosen is None:
        starts = recurrence.all_original_starts(found)
        chosen = recurrence.find_occurrence(found, starts[-1]) if starts else None
    if chosen is None:
        return redirect(url_for("calendar.index"))
    return redirect(url_for("calendar.occurrence", event_id=found.id, key=chosen.key))


@bp.route("/e/<int:event_id>/<key>")
def occurrence(event_id: int, key: str):
    """One occurrence: everything a resident needs, registration and the phone-calendar button."""
    found = event_or_404(event_id)
    occ = occurrence_or_404(found, key)
    mine = None
    if current_user.is_authenticated:
        mine = registration.user_registration(found.id, occ.original_start, current_user.id)
    taken = registration.confirmed_count(found.id, occ.original_start)
    upcoming = recurrence.expand(found, utcnow(), utcnow() + timedelta(days=120))[:8]
    return render_template(
        "calendar/occurrence.html",
        event=found,
        occ=occ,
        mine=mine,
        taken=taken,
        attended=attendance.attendance_count(found.id, occ.original_start),
        description=render_description(found),
        upcoming=upcoming,
        past=occ.end < utcnow(),
        checkin_window=checkin.window(found, occ),
        can_restore=cancellation.can_restore(found, occ),
    )


@bp.route("/subscribe")
def subscribe():
    """How to subscribe on iPhone and Android phones, with the feed links for the chosen filters."""
    return render_template("calendar/subscribe.html", **_page_context())


@bp.route("/categories.css")
def categories_css():
    """Category colours as classes (the CSP forbids inline styles): the calendar's categories
    and the colours of other plugins' entries in the weeks a page shows."""
    colours = {str(c.id): c.colour for c in services.categories(active_only=False)}
    today = local_today()
    first, last = period_bounds(today - timedelta(days=42), today + timedelta(days=84))
    for entry in services.plugin_entries(first, last, None, personal=False):
        colours.setdefault(entry.css_key, entry.colour)
    lines = [
        f".cat-{key}{{border-left-color:{colour}!important}}.dot-{key}{{background:{colour}}}"
        for key, colour in colours.items()
        if key != "x" and re.fullmatch(r"#[0-9a-fA-F]{6}", colour)
    ]
    response = Response("\n".join(lines), mimetype="text/css")
    response.cache_control.max_age = 300
    return response
