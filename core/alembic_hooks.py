"""Alembic autogenerate settings: how our column types are written, which tables a branch owns.

To write a plugin's migration, autogenerate with ``XXT_MIGRATE_ONLY=<plugin>`` so that only the
tables named ``<plugin>_*`` land in that plugin's branch (``core`` keeps the rest). Every plugin
that could be enabled owns its prefix: the built-ins, installed entry-point plugins, and plugins
loaded into the running app::

    XXT_MIGRATE_ONLY=calendar flask --app core db revision --autogenerate \\
        --head calendar@head -m "what changed"
"""

from __future__ import annotations

import os

from flask import current_app, has_app_context

from core.plugins import available_plugins, registry
from core.timeutil import UTCDateTime


def render_item(type_, obj, autogen_context):
    """Write UTCDateTime as a plain aware DateTime, so migrations never import app code."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def plugin_names() -> set[str]:
    """Every plugin name that may own tables: available ones and those loaded in this app."""
    names = set(available_plugins())
    if has_app_context() and "xiangxuetong" in current_app.extensions:
        names |= set(registry().names)
    owner = os.environ.get("XXT_MIGRATE_ONLY", "")
    if owner and owner != "core":
        names.add(owner)
    return names


def table_owner(table_name: str) -> str:
    """The branch a table belongs to: the plugin whose name prefixes it (the longest such
    name, so ``credits_extra_*`` is not ``credits``'s), else core."""
    owners = [name for name in plugin_names() if table_name.startswith(name + "_")]
    return max(owners, key=len) if owners else "core"


def include_object(obj, name, type_, reflected, compare_to):
    """With ``XXT_MIGRATE_ONLY`` set, compare only the tables of that branch."""
    only = os.environ.get("XXT_MIGRATE_ONLY")
    if not only:
        return True
    table = obj if type_ == "table" else getattr(obj, "table", None)
    table_name = getattr(table, "name", name) if table is not None else name
    if table_name == "alembic_version":
        return False
    return table_owner(table_name) == only
