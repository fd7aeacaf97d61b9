"""DATABASE_POOLER=pgbouncer: psycopg 3 never prepares statements on the server."""

from __future__ import annotations

from core.extensions import db as _db


def test_pgbouncer_setting_turns_server_side_prepared_statements_off(make_app):
    app = make_app(DATABASE_POOLER="pgbouncer")
    assert app.config["SQLALCHEMY_ENGINE_OPTIONS"]["connect_args"] == {"prepare_threshold": None}
    assert app.config["SQLALCHEMY_ENGINE_OPTIONS"]["pool_pre_ping"] is True
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        return
    with app.app_context(), _db.engine.connect() as connection:
        assert connection.connection.dbapi_connection.prepare_threshold is None


def test_without_pgbouncer_the_defaults_stay(make_app):
    app = make_app()
    assert "connect_args" not in app.config["SQLALCHEMY_ENGINE_OPTIONS"]
