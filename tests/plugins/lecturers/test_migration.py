"""The lecturers Alembic branch builds exactly the tables the models describe, menu included."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parents[3]


def test_migration_matches_models(tmp_path):
    url = f"sqlite:///{tmp_path / 'mig.sqlite'}"
    env = dict(os.environ, DATABASE_URL=url, XXT_ENV="development", PLUGINS="lecturers")
    flask = [sys.executable, "-m", "flask", "--app", "core"]
    done = subprocess.run(
        [*flask, "db", "upgrade"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    script = (
        "from alembic.autogenerate import compare_metadata\n"
        "from alembic.migration import MigrationContext\n"
        "from core import create_app\nfrom core.extensions import db\n"
        "app = create_app()\n"
        "with app.app_context():\n"
        "    ctx = MigrationContext.configure(db.engine.connect())\n"
        "    diff = [d for d in compare_metadata(ctx, db.metadata) if 'lecturers_' in repr(d)]\n"
        "    print(diff)\n"
    )
    compared = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert compared.returncode == 0, compared.stderr
    assert compared.stdout.strip() == "[]", compared.stdout
    engine = create_engine(url)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM lecturers_topic")).scalar() == 10
    engine.dispose()
