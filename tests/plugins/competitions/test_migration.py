"""The competitions Alembic branch builds exactly the tables the models describe."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect

from core.extensions import db as _db


def test_migration_matches_models(make_app, tmp_path):
    url = f"sqlite:///{tmp_path / 'mig.sqlite'}"
    app = make_app(DATABASE_URL=url)
    result = app.test_cli_runner().invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    engine = create_engine(url)
    assert "competitions_attempt" in inspect(engine).get_table_names()
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": False})
        diff = compare_metadata(context, _db.metadata)
    engine.dispose()
    mine = [d for d in diff if "competitions_" in repr(d)]
    assert mine == []
