"""The Alembic branch builds the same volunteers tables and columns as the models."""

from sqlalchemy import inspect

from core import create_app
from core.dbcli import upgrade_all
from core.extensions import db


def test_migration_matches_models(tmp_path):
    url = f"sqlite:///{tmp_path / 'migrated.sqlite'}"
    app = create_app({"TESTING": True, "DATABASE_URL": url, "SECRET_KEY": "test"})
    with app.app_context():
        upgrade_all(app)
        inspector = inspect(db.engine)
        built = {
            name: {c["name"] for c in inspector.get_columns(name)}
            for name in inspector.get_table_names()
            if name.startswith("volunteers_")
        }
        expected = {
            table.name: {c.name for c in table.columns}
            for table in db.metadata.sorted_tables
            if table.name.startswith("volunteers_")
        }
        skills = db.session.execute(db.text("SELECT count(*) FROM volunteers_skill")).scalar()
        db.engine.dispose()
    assert built == expected
    assert skills == 10
