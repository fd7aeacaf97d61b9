"""The calendar branch's migration builds exactly the tables the models describe."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine

from core import create_app
from core.dbcli import upgrade_all
from core.extensions import db as _db


def test_migration_matches_models(tmp_path):
    url = f"sqlite:///{tmp_path / 'mig.sqlite'}"
    app = create_app(
        {"TESTING": True, "DATABASE_URL": url, "SECRET_KEY": "x", "PLUGINS": "calendar"}
    )
    with app.app_context():
        upgrade_all(app)
    engine = create_engine(url)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": False})
        diff = [
            change
            for change in compare_metadata(context, _db.metadata)
            if "calendar_" in repr(change)
        ]
    engine.dispose()
    assert diff == []
