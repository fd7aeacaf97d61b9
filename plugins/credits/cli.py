"""The credit bank's command line: it has none.

Credits are written by signal receivers as the facts arrive (``receivers.py``) and read by the
pages, so there is no batch job to run; ``flask demo-data`` loads its demo data through the
``load_demo_data`` hook. A future command gets a ``click.group("credits")`` here.
"""

from __future__ import annotations

import click


def commands() -> list[click.Command]:
    """The click groups for ``register_commands``: none."""
    return []
