"""Changes seen at commit: stored VEVENTs rewritten and calendar versions raised.

Session listeners note, at each flush, which events (through themselves, their overrides or
pauses, or their category) and which tables declared by ``calendar_entry_tables`` changed; just
before the commit, in the same transaction, the events' VEVENTs are rendered into
``calendar_vevent`` and each affected source's row in ``calendar_source_version`` is raised.
A rolled-back transaction leaves both as they were.
"""

from __future__ import annotations

from itertools import chain

from flask import Flask, current_app, g, has_app_context, has_request_context
from sqlalchemy import delete, event, inspect, literal, select, update
from sqlalchemy.exc import IntegrityError

from core.extensions import SignalSession, db
from core.plugins import is_enabled, registry

EVENTS, CATEGORIES, SOURCES = "calendar_events", "calendar_categories", "calendar_sources"
PEOPLE = "calendar_people"
_WATCH = "calendar_watched_tables"
_DECLARED = "calendar_declared_sources"
_PERSONAL = "calendar_personal_tables"
_PERSONAL_DECLARED = "calendar_personal_declared"
PERSON = "person:"  # a person's row in calendar_source_version: "person:<user id>"
_VERSIONS = "_calendar_versions"
_OWN = {
    "calendar_event": "id",
    "calendar_occurrence_override": "event_id",
    "calendar_pause": "event_id",
}


def watched(app: Flask) -> dict[str, dict[str, set[str] | None]]:
    """Table name → {source (plugin name) → the columns it reads there, None for all}.

    A declaration is ``"table"`` or ``"table.column"``: lecturers read only users' names, so a
    log-in (which writes ``last_login_at``) must not change every calendar ETag. An empty list
    declares a plugin whose public entries depend on no table (it has none).
    """
    found = app.extensions.get(_WATCH)
    if found is None:
        found, declared = {}, set()
        for impl in registry(app).hook.calendar_entry_tables.get_hookimpls():
            names = impl.function()
            if names is None:
                continue
            declared.add(impl.plugin_name)
            for name in names:
                table, _, column = name.partition(".")
                sources = found.setdefault(table, {})
                if not column:
                    sources[impl.plugin_name] = None
                elif sources.get(impl.plugin_name, set()) is not None:
                    sources.setdefault(impl.plugin_name, set()).add(column)
        personal, personal_declared = {}, set()
        for impl in registry(app).hook.calendar_personal_tables.get_hookimpls():
            names = impl.function()
            if names is None:
                continue
            personal_declared.add(impl.plugin_name)
            for name in names:
                table, _, column = name.partition(".")
                if column:
                    personal.setdefault(table, set()).add(column)
                else:  # read for everyone's personal entries: the plugin's own version
                    found.setdefault(table, {})[impl.plugin_name] = None
        app.extensions[_PERSONAL] = personal
        app.extensions[_PERSONAL_DECLARED] = personal_declared
        app.extensions[_DECLARED] = declared
        app.extensions[_WATCH] = found
    return found


def personal_declared() -> set[str]:
    """Plugins that declared ``calendar_personal_tables`` (an empty list included)."""
    watched(current_app)
    return current_app.extensions[_PERSONAL_DECLARED]


def _people(obj, columns: set[str]) -> set[int]:
    """The people a changed row names, before and after the change."""
    attrs = inspect(obj).attrs
    found = set()
    for column in columns:
        history = attrs[column].history
        found.update(v for v in chain(history.added, history.unchanged, history.deleted) if v)
        value = getattr(obj, column, None)
        if value:
            found.add(value)
    return found


def declared_sources() -> set[str]:
    """Plugins that declared ``calendar_entry_tables`` (an empty list included)."""
    watched(current_app)
    return current_app.extensions[_DECLARED]


def _changed_sources(obj, sources: dict[str, set[str] | None], dirty: bool) -> set[str]:
    if not dirty:
        return set(sources)
    attrs = inspect(obj).attrs
    return {
        source
        for source, columns in sources.items()
        if columns is None or any(attrs[c].history.has_changes() for c in columns)
    }


def _active() -> bool:
    return has_app_context() and "xiangxuetong" in current_app.extensions and is_enabled("calendar")


def _before_flush(session, _context, _instances) -> None:
    """A deleted event takes its stored VEVENTs with it (before the event row goes); a row
    moved to another person names its former one too (read before the row changes)."""
    if not _active():
        return
    watched(current_app)
    personal = current_app.extensions[_PERSONAL]
    for obj in session.dirty:
        for column in personal.get(getattr(type(obj), "__tablename__", None), ()):
            old = _unloaded_old_value(session, obj, column)
            if old:
                session.info.setdefault(PEOPLE, set()).add(old)
    from plugins.calendar.models import CalendarEvent, CalendarVevent

    gone = [obj.id for obj in session.deleted if isinstance(obj, CalendarEvent)]
    if gone:
        session.execute(delete(CalendarVevent).where(CalendarVevent.event_id.in_(gone)))


def _unloaded_old_value(session, obj, column: str):
    """The stored value of a column changed after it was expired (else None: history has it)."""
    state = inspect(obj)
    history = state.attrs[column].history
    if not history.added or history.deleted or state.identity is None:
        return None
    keys = zip(state.mapper.primary_key, state.identity, strict=True)
    query = select(state.mapper.columns[column]).where(*(c == v for c, v in keys))
    return session.execute(query).scalar()


def _after_flush(session, _context) -> None:
    if not _active():
        return
    tables = watched(current_app)
    personal = current_app.extensions[_PERSONAL]
    info = session.info
    for obj in chain(session.new, session.dirty, session.deleted):
        table = getattr(type(obj), "__tablename__", None)
        if table is None or (obj in session.dirty and not session.is_modified(obj)):
            continue
        if table in _OWN and not (table == "calendar_event" and obj in session.deleted):
            info.setdefault(EVENTS, set()).add(getattr(obj, _OWN[table]))
        elif table == "calendar_category":
            info.setdefault(CATEGORIES, set()).add(obj.id)
        if table in tables:
            changed = _changed_sources(obj, tables[table], obj in session.dirty)
            info.setdefault(SOURCES, set()).update(changed)
        if table in personal:
            info.setdefault(PEOPLE, set()).update(_people(obj, personal[table]))


def _before_commit(session) -> None:
    if not _active():
        return
    from plugins.calendar import store
    from plugins.calendar.models import CalendarEvent

    session.flush()
    info = session.info
    for _round in range(3):  # what this writes raises nothing new; the loop is a safeguard
        event_ids = info.pop(EVENTS, set())
        category_ids = info.pop(CATEGORIES, set())
        sources = info.pop(SOURCES, set())
        sources |= {f"{PERSON}{user_id}" for user_id in info.pop(PEOPLE, set())}
        if not (event_ids or category_ids or sources):
            return
        if category_ids:
            event_ids |= set(
                session.scalars(
                    select(CalendarEvent.id).where(CalendarEvent.category_id.in_(category_ids))
                )
            )
        events = [e for e in (session.get(CalendarEvent, i) for i in sorted(event_ids)) if e]
        store.save(events)
        bump_sources(sources)
        session.flush()
        if has_request_context():
            g.pop(_VERSIONS, None)


def versions() -> tuple:
    """The calendar's data version and every source's, in one read (kept for the request):
    the key of cached pages, feeds and their ETags."""
    if has_request_context() and _VERSIONS in g:
        return g.get(_VERSIONS)
    from plugins.calendar.models import CalendarSourceVersion as Row
    from plugins.calendar.models import CalendarState

    rows = db.session.execute(
        select(literal("calendar_state"), CalendarState.version)
        .where(CalendarState.id == 1)
        .union_all(select(Row.source, Row.version).where(Row.source.not_like(f"{PERSON}%")))
    ).all()
    found = tuple(sorted((str(name), int(number)) for name, number in rows))
    if has_request_context():
        setattr(g, _VERSIONS, found)
    return found


def source_version(source: str) -> int:
    return dict(versions()).get(source, 0)


def person_version(user_id: int) -> int:
    """The person's calendar version: raised with their registrations, assignments, attempts."""
    from plugins.calendar.models import CalendarSourceVersion as Row

    found = db.session.scalar(select(Row.version).where(Row.source == f"{PERSON}{user_id}"))
    return found or 0


def _forget(session, *_args) -> None:
    for name in (EVENTS, CATEGORIES, SOURCES, PEOPLE):
        session.info.pop(name, None)


def bump_sources(sources: set[str]) -> None:
    """Raise the versions of ``sources`` (in the caller's transaction)."""
    from plugins.calendar.models import CalendarSourceVersion as Row

    for source in sorted(sources):
        changed = db.session.execute(
            update(Row).where(Row.source == source).values(version=Row.version + 1)
        ).rowcount
        if not changed:
            try:
                with db.session.begin_nested():
                    db.session.add(Row(source=source, version=1))
            except IntegrityError:  # made by a concurrent first change
                bump_sources({source})


_installed = False


def install() -> None:
    """Listen on the app's session class once per process (the listeners check the app)."""
    global _installed
    if _installed:
        return
    event.listen(SignalSession, "before_flush", _before_flush)
    event.listen(SignalSession, "after_flush", _after_flush)
    event.listen(SignalSession, "before_commit", _before_commit)
    event.listen(SignalSession, "after_rollback", _forget)
    _installed = True
