"""Command line of the learning plugin: it has no command.

Nothing here runs on a schedule: lessons finish when learners answer or attend, certificates
and the daily practice are made in the request, and notices of assignments are queued when
they are made. ``register_commands`` returns this module's empty list.
"""

from __future__ import annotations

import click


def commands() -> list[click.Command]:
    """The click groups for ``register_commands``: none."""
    return []
