"""Which migration branch owns a table: every plugin that could be enabled owns its prefix,
entry-point plugins included, so core's autogenerate never picks up a plugin's tables."""

from __future__ import annotations

from types import SimpleNamespace

from core import alembic_hooks


def _table(name: str):
    return SimpleNamespace(name=name)


def test_an_entry_point_plugin_owns_its_tables(monkeypatch):
    monkeypatch.setattr(
        alembic_hooks, "available_plugins", lambda: {"calendar": "", "library": object()}
    )
    monkeypatch.delenv("XXT_MIGRATE_ONLY", raising=False)
    assert alembic_hooks.table_owner("library_book") == "library"
    assert alembic_hooks.table_owner("calendar_event") == "calendar"
    assert alembic_hooks.table_owner("user_account") == "core"
    monkeypatch.setenv("XXT_MIGRATE_ONLY", "core")
    assert not alembic_hooks.include_object(
        _table("library_book"), "library_book", "table", False, None
    )
    assert alembic_hooks.include_object(
        _table("user_account"), "user_account", "table", False, None
    )


def test_the_longest_plugin_name_wins(monkeypatch):
    monkeypatch.setattr(
        alembic_hooks, "available_plugins", lambda: {"credits": "", "credits_extra": object()}
    )
    assert alembic_hooks.table_owner("credits_extra_badge") == "credits_extra"
    assert alembic_hooks.table_owner("credits_entry") == "credits"


def test_a_plugin_loaded_into_the_app_owns_its_tables(app, monkeypatch):
    monkeypatch.setattr(alembic_hooks, "available_plugins", dict)
    with app.app_context():
        assert alembic_hooks.table_owner("volunteers_shift") == "volunteers"
    assert alembic_hooks.table_owner("volunteers_shift") == "core"  # no app: nothing loaded
