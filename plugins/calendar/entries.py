"""Other plugins' calendar entries (the ``calendar_entries`` hook) as the calendar shows them.

An entry whose category names one of the calendar's own categories (a lecture is a 微讲堂) takes
that category's id, colour and filter; any other shows its translated ``category_label`` and its
own colour (``Occurrence.css_key``, classes from ``categories.css``). Internal keys
(``knowledge_contest``) never reach a page or a feed.

A plugin that declares the tables its entries come from (``calendar_entry_tables``) has its
public entries kept in the shared cache under its version in ``calendar_source_version``: a
page or feed reads one row of versions instead of running every plugin's query. Personal
entries, and those of plugins that declare nothing, are asked for on every call.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from flask import current_app

from core.hooktypes import CalendarEntry
from core.i18n import translate
from core.plugins import registry
from plugins.calendar.cache import feed_cache
from plugins.calendar.recurrence import Occurrence
from plugins.calendar.tracking import declared_sources, source_version

_CALLERS = "calendar_entry_callers"


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
                category=category.name if category else (translate(label) if label else ""),
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


def entry_callers() -> dict[str, Callable[..., list]]:
    """One ``calendar_entries`` hook caller per plugin that implements it (the calendar never
    does: its events are the calendar), in hook order, kept for the app.

    Each is pluggy's ``subset_hook_caller`` with every other plugin removed: declared sources
    are asked (and cached) one by one under their own version.
    """
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    found = app.extensions.get(_CALLERS)
    if found is None:
        manager = registry(app).manager
        plugins = [(name, plugin) for name, plugin in manager.list_name_plugin() if plugin]
        hook = manager.hook.calendar_entries
        found = {
            name: manager.subset_hook_caller(
                "calendar_entries", remove_plugins=[p for _n, p in plugins if p is not plugin]
            )
            for name, plugin in plugins
            if name != "calendar" and hook in (manager.get_hookcallers(plugin) or [])
        }
        app.extensions[_CALLERS] = found
    return found


def _call(caller, **kwargs) -> list:
    return [entry for batch in caller(**kwargs) for entry in batch or []]


def undeclared_sources() -> list[str]:
    """Plugins with calendar entries that declare no tables: queried on every request."""
    declared = declared_sources()
    return [name for name in entry_callers() if name not in declared]


def raw_entries(
    start: datetime, end: datetime, viewer, personal: bool, undeclared_only: bool = False
) -> list:
    """The hook's CalendarEntry values themselves (feeds need sequence and last_modified)."""
    declared = declared_sources() if not personal else set()
    result = []
    for name, caller in entry_callers().items():
        if name in declared:
            if undeclared_only:
                continue
            key = (
                f"calendar:entries:{name}:{source_version(name)}:"
                f"{start.isoformat()}:{end.isoformat()}"
            )
            found = feed_cache().get(key)
            if found is None:
                found = _public(_call(caller, start=start, end=end, viewer=None, personal=False))
                feed_cache().set(key, found)
            result.extend(found)
            continue
        found = _call(caller, start=start, end=end, viewer=viewer, personal=personal)
        result.extend(found if personal else _public(found))
    return result


def _public(entries) -> list:
    return [entry for entry in entries or [] if entry.public]
