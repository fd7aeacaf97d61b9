"""Alembic autogenerate settings: how our column types are written, which tables a branch owns.

To write a plugin's migration, autogenerate with ``XXT_MIGRATE_ONLY=<plugin>`` so that only the
tables named ``<plugin>_*`` land in that plugin's branch (``core`` keeps the rest)::

    XXT_MIGRATE_ONLY=calendar flask --app core db revision --autogenerate \\
        --head calendar@head -m "what changed"
"""

from __future__ import annotations

import os

from core.plugins import BUILTIN_PLUGINS
from core.timeutil import UTCDateTime


def render_item(type_, obj, autogen_context):
    """Write UTCDateTime as a plain aware DateTime, so migrations never import app code."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def table_owner(table_name: str) -> str:
    """The branch a table belongs to: the plugin whose name prefixes it, else core."""
    for plugin in BUILTIN_PLUGINS:
        if table_name.startswith(plugin + "_"):
            return plugin
    owner = os.environ.get("XXT_MIGRATE_ONLY", "")
    if owner and owner != "core" and table_name.startswith(owner + "_"):
        return owner
    return "core"


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
