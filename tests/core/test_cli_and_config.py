"""Command line, configuration and the database migrations."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, inspect, select

from core import config, create_app
from core.extensions import db as _db
from core.models import OrgUnit, RoleAssignment, User

ROOT = Path(__file__).resolve().parents[2]


def test_create_admin_with_flags(app, runner):
    result = runner.invoke(
        args=[
            "create-admin",
            "--phone",
            "13800009999",
            "--name",
            "管理员",
            "--password",
            "adm1n2026x",
        ]
    )
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = _db.session.scalar(select(User).where(User.phone == "13800009999"))
        assert [a.role for a in user.role_assignments] == ["site_admin"]


def test_create_admin_refuses_a_bad_phone_or_weak_password(app, runner):
    flags = ["create-admin", "--name", "管理员"]
    bad_phone = runner.invoke(args=[*flags, "--phone", "123", "--password", "adm1n2026x"])
    weak = runner.invoke(args=[*flags, "--phone", "13800009999", "--password", "123"])
    assert bad_phone.exit_code != 0 and "手机号" in bad_phone.output
    assert weak.exit_code != 0
    with app.app_context():
        assert _db.session.scalar(select(func.count(User.id))) == 0


@pytest.mark.demo_town
def test_demo_data_twice_neither_fails_nor_duplicates(app, runner, demo_town):
    with app.app_context():
        counts = [
            _db.session.scalar(select(func.count(model.id)))
            for model in (OrgUnit, User, RoleAssignment)
        ]
        villages = _db.session.scalar(
            select(func.count(OrgUnit.id)).where(OrgUnit.kind.in_(["village", "community"]))
        )
    second = runner.invoke(args=["demo-data"])
    assert second.exit_code == 0, second.output
    with app.app_context():
        again = [
            _db.session.scalar(select(func.count(model.id)))
            for model in (OrgUnit, User, RoleAssignment)
        ]
    assert counts == again
    assert villages >= 8
    assert "shuanghuai2018" in demo_town.output


@pytest.mark.demo_town
def test_demo_people_cover_every_role(app):
    from core.roles import ROLES

    with app.app_context():
        held = set(_db.session.scalars(select(RoleAssignment.role)))
    assert held == set(ROLES)


def test_production_refuses_the_default_secret_key(monkeypatch):
    monkeypatch.setenv("XXT_ENV", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app({"DATABASE_URL": "sqlite://"})
    monkeypatch.setenv("SECRET_KEY", "a-long-random-production-secret")
    app = create_app({"DATABASE_URL": "sqlite://"})
    assert app.config["SESSION_COOKIE_SECURE"] is True


def test_settings_from_the_environment(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql://u@db.internal:5432/xxt")
    monkeypatch.setenv("PLUGINS", "calendar, lecturers")
    monkeypatch.setenv("TIMEZONE", "Asia/Urumqi")
    app = create_app({"TESTING": True})
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@db.internal:5432/xxt"
    assert config.enabled_plugin_names(app) == ["calendar", "lecturers"]
    assert app.config["TIMEZONE"] == "Asia/Urumqi"


def test_empty_plugins_setting_means_core_only(monkeypatch):
    monkeypatch.setenv("PLUGINS", "")
    app = create_app({"TESTING": True, "DATABASE_URL": "sqlite://"})
    assert app.extensions["xiangxuetong"].names == []


def test_db_upgrade_builds_every_table_the_models_describe(fresh_database_url):
    """`flask db upgrade` on an empty database gives exactly the tables of the models."""
    url = fresh_database_url("migrations")
    env = dict(os.environ, DATABASE_URL=url, XXT_ENV="development", FLASK_APP="core")
    result = subprocess.run(
        [sys.executable, "-m", "flask", "db", "upgrade"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    app = create_app({"TESTING": True, "DATABASE_URL": url})
    with app.app_context():
        from alembic.autogenerate import compare_metadata
        from alembic.migration import MigrationContext

        from core.alembic_hooks import include_object

        with _db.engine.connect() as connection:
            context = MigrationContext.configure(
                connection, opts={"compare_type": True, "include_object": include_object}
            )
            diff = compare_metadata(context, _db.metadata)
            tables = set(inspect(connection).get_table_names())
        _db.engine.dispose()
    assert {"user_account", "org_unit", "role_assignment", "audit_log"} <= tables
    assert diff == [], diff


def test_db_downgrade_to_base_undoes_every_migration_and_upgrade_redoes_them(fresh_database_url):
    """Each branch's downgrades run (a release can be rolled back) and leave no table behind."""
    url = fresh_database_url("downgrade")
    env = dict(os.environ, DATABASE_URL=url, XXT_ENV="development", FLASK_APP="core")

    def flask_db(*args: str) -> None:
        result = subprocess.run(
            [sys.executable, "-m", "flask", "db", *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
        )
        assert result.returncode == 0, result.stderr[-3000:]

    def tables() -> set[str]:
        engine = create_engine(url)
        with engine.connect() as connection:
            found = set(inspect(connection).get_table_names())
        engine.dispose()
        return found

    flask_db("upgrade")
    built = tables()
    assert {"user_account", "calendar_event", "lecturers_request"} <= built
    flask_db("downgrade", "base")
    assert tables() <= {"alembic_version"}
    flask_db("upgrade")
    assert tables() == built
