"""The learning blueprint and its request guard; its routes live in the views modules."""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint(
    "learning",
    __name__,
    url_prefix="/learning",
    template_folder="templates",
    static_folder="static",
)


def routes() -> list[Blueprint]:
    """The blueprint with every view module's routes attached (importing them attaches them)."""
    from plugins.learning import views_figures, views_learn, views_manage  # noqa: F401
    from plugins.learning.assignments import views as assignment_views  # noqa: F401
    from plugins.learning.practice import views as practice_views  # noqa: F401

    return [bp]


def setup(app: Flask) -> None:
    """Connect the signal receivers and put the upload-size guard first among
    ``before_request``, before CSRF protection reads (and spools) a 2 GB body."""
    from plugins.learning.receivers import connect_all
    from plugins.learning.views_manage import guard_upload_size

    connect_all(app)
    app.before_request_funcs.setdefault(None, []).insert(0, guard_upload_size)
