"""Other plugins' calendar entries (the ``calendar_entries`` hook) as the calendar shows them.

An entry whose category names one of the calendar's own categories (a lecture is a 微讲堂) takes
that category's id, colour and filter; any other shows its translated ``category_label`` and its
own colour (``Occurrence.css_key``, classes from ``categories.css``). Internal keys
(``knowledge_contest``) never reach a page or a feed.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext

from core.hooktypes import CalendarEntry
from core.plugins import registry
from plugins.calendar.recurrence import Occurrence


def label_of(entry: CalendarEntry) -> str:
    """The category as people read it, untranslated (feeds), never an internal key."""
    return entry.category_label or entry.category


def plugin_entries(start: datetime, end: datetime, viewer, personal: bool) -> list[Occurrence]:
    """Entries from the ``calendar_entries`` hook of other plugins, as occurrences."""
    from plugins.calendar.services import categories

    own = {c.name: c for c in categories(active_only=False)}
    found = []
    for entry in raw_entries(start, end, viewer, personal):
        category = own.get(entry.category) or own.get(entry.category_label)
        label = label_of(entry)
        found.append(
            Occurrence(
                uid=entry.uid,
                title=entry.title,
                start=entry.start,
                end=entry.end,
                original_start=entry.start,
                category=category.name if category else (gettext(label) if label else ""),
                category_id=category.id if category else None,
                colour=category.colour if category else entry.colour,
                venue=entry.location,
                org_unit_id=entry.org_unit_id,
                all_day=entry.all_day,
                cancelled=entry.cancelled,
                url=entry.url,
                source=entry.source,
                public=entry.public,
            )
        )
    return found


def raw_entries(start: datetime, end: datetime, viewer, personal: bool) -> list[CalendarEntry]:
    """The hook's CalendarEntry values themselves (feeds need sequence and last_modified)."""
    hook = registry().hook.calendar_entries
    result = []
    for impl in hook.get_hookimpls():
        if impl.plugin_name == "calendar":
            continue
        for entry in impl.function(start=start, end=end, viewer=viewer, personal=personal) or []:
            if personal or entry.public:
                result.append(entry)
    return result
