"""The reports plugin's command line: it has none.

Every figure is computed when a page or export asks for it (``metrics.collect``) and every
entry is made through a page, so there is no batch job to run; ``flask demo-data`` loads its
demo data through the ``load_demo_data`` hook and ``flask uploads check`` reads its files through
``uploaded_files``. A future command gets a ``click.group("reports")`` here.
"""

from __future__ import annotations

import click


def commands() -> list[click.Command]:
    """The click groups for ``register_commands``: none."""
    return []
