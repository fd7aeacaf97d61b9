"""乡学通 core: ``create_app`` builds the site from the core and the enabled plugins."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from core import config

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def create_app(config_overrides: dict | None = None, *, extra_plugins: list | None = None) -> Flask:
    """Build the app. ``extra_plugins`` registers plugin objects directly (tests, embedding).

    Nothing slow happens here: no migrations, no queries.
    """
    app = Flask(
        __name__,
        instance_path=str(PROJECT_ROOT / "instance"),
        instance_relative_config=True,
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder="static",
    )
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)  # the default SQLite lives here
    config.load(app, config_overrides)

    from core import setup

    setup.init_extensions(app)
    setup.init_plugins(app, extra_plugins or [])
    setup.init_web(app)
    return app
