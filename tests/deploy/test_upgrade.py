"""Upgrading a database built by an older commit keeps every row and fills the new columns.

The old database is made by the code of commit ``PREVIOUS`` itself (``git archive`` into a temp
dir, then its own ``flask db upgrade`` and ``flask demo-data``), the honest picture of a site
that ran the previous release; the current code then runs ``flask db upgrade`` over it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tarfile
from io import BytesIO
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, select, text

from core import create_app
from core.extensions import db as _db
from core.models import User
from tests.deploy.serving import ROOT, fresh_database

#: The last commit before core_0002 (account lockout) was added.
PREVIOUS = "361b838"


#: Tables this release moved into core (one free-time model per person): old → new.
MOVED_TO_CORE = {
    "lecturers_availability": "user_availability",
    "volunteers_availability": "user_availability",
    "lecturers_blackout": "user_blackout",
    "volunteers_blackout": "user_blackout",
}


def need_previous_release(tmp: Path) -> Path:
    """The tree of PREVIOUS unpacked into ``tmp``; skipped (failed on CI) when git lacks it."""
    git = shutil.which("git")
    found = git and subprocess.run(
        [git, "cat-file", "-e", f"{PREVIOUS}^{{commit}}"], cwd=ROOT, capture_output=True
    )
    if not found or found.returncode != 0:
        message = f"commit {PREVIOUS} is not in this clone (shallow?): the upgrade test needs it"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    archive = subprocess.run([git, "archive", PREVIOUS], cwd=ROOT, capture_output=True, check=True)
    with tarfile.open(fileobj=BytesIO(archive.stdout)) as tar:
        tar.extractall(tmp, filter="data")
    return tmp


def old_flask(tree: Path, env: dict, *args: str) -> str:
    """Run the OLD code's flask CLI (its own tree first on the import path), unmeasured: coverage
    is of the current code."""
    env = {name: value for name, value in env.items() if not name.startswith("COVERAGE_")}
    result = subprocess.run(
        [sys.executable, "-c", "import core, sys; print(core.__file__, file=sys.stderr)"],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stderr.strip().startswith(str(tree)), result.stderr  # not the current code
    done = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "core", *args],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def row_counts(url: str) -> dict[str, int]:
    engine = create_engine(url)
    with engine.connect() as connection:
        names = [n for n in inspect(connection).get_table_names() if n != "alembic_version"]
        counts = {
            name: connection.execute(text(f'SELECT count(*) FROM "{name}"')).scalar_one()
            for name in names
        }
    engine.dispose()
    return counts


def test_upgrade_from_the_previous_release_keeps_every_row(tmp_path):
    tree = need_previous_release(tmp_path / "previous")
    url = fresh_database(tmp_path, "upgrade")
    env = {
        **os.environ,
        "XXT_ENV": "development",
        "DATABASE_URL": url,
        "UPLOAD_DIR": str(tmp_path / "uploads"),
        "REDIS_URL": "",
    }
    env.pop("PYTHONPATH", None)
    old_flask(tree, env, "db", "upgrade")
    old_flask(tree, env, "demo-data")
    before = row_counts(url)
    assert before["user_account"] > 5 and before["audit_log"] >= 0
    engine = create_engine(url)
    with engine.connect() as connection:
        old_columns = {c["name"] for c in inspect(connection).get_columns("user_account")}
    engine.dispose()
    assert "failed_logins" not in old_columns  # really the old schema

    current = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "core", "db", "upgrade"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert current.returncode == 0, current.stderr
    after = row_counts(url)
    moved = {name for name in MOVED_TO_CORE if name in before}
    assert before.keys() - after.keys() == moved  # only the tables core took over are gone
    kept = before.keys() - moved
    assert {name: after[name] for name in kept} == {name: before[name] for name in kept}
    for target in set(MOVED_TO_CORE.values()):  # a person in both plugins keeps the union
        sources = [before[name] for name in moved if MOVED_TO_CORE[name] == target]
        assert max(sources, default=0) <= after[target] <= sum(sources)
    new = after.keys() - before.keys() - set(MOVED_TO_CORE.values())
    assert all(after[name] == 0 for name in new)  # new tables start empty

    app = create_app({"TESTING": True, "DATABASE_URL": url, "SECRET_KEY": "upgrade-test"})
    with app.app_context():
        users = _db.session.scalars(select(User)).all()
        assert len(users) == before["user_account"]
        assert {(u.failed_logins, u.locked_until) for u in users} == {(0, None)}
        heads = set(_db.session.execute(text("SELECT version_num FROM alembic_version")).scalars())
        # Plugin branches may depend on core's newest revision, which then is no head of its
        # own in alembic_version: core's head must be among what the stored heads applied.
        script = ScriptDirectory.from_config(app.extensions["migrate"].migrate.get_config())
        applied = {rev.revision for rev in script.iterate_revisions(list(heads), "base")}
        assert script.get_revision("core@head").revision in applied
        _db.session.remove()
        _db.engine.dispose()
