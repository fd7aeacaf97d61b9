"""The test databases: one per pytest-xdist worker, emptied after each test, and the demo town
copied per test. Importing this module also makes the throw-away databases skip fsync and gives
each worker its own Redis database (see tests/conftest.py for the fixtures)."""

from __future__ import annotations

import itertools
import os
import sqlite3

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine

from core.extensions import db as _db


def worker_index() -> int:
    """0 without pytest-xdist, else the number of this worker (gw0 → 0, gw1 → 1 ...)."""
    return int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0)


def pg_sibling(url: str, name: str) -> str:
    return f"{url.rpartition('/')[0]}/{name}"


def pg_recreate(url: str, name: str, template: str | None = None) -> str:
    """Drop and create database ``name`` on ``url``'s server (a copy of ``template`` if given)."""
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        copy = f' TEMPLATE "{template}"' if template else ""
        connection.execute(text(f'CREATE DATABASE "{name}"{copy}'))
    engine.dispose()
    return pg_sibling(url, name)


def pg_drop(url: str, name: str) -> None:
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


# Tests need no durability across a crash of the database server: commits on PostgreSQL do not
# wait for the WAL to reach the disk (libpq reads PGOPTIONS, also in the flask subprocesses).
os.environ["PGOPTIONS"] = (os.environ.get("PGOPTIONS", "") + " -c synchronous_commit=off").strip()


@event.listens_for(Engine, "connect")
def _sqlite_without_fsync(dbapi_connection, _record) -> None:
    """The same for SQLite: a test database is thrown away, so commits need not fsync."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.execute("PRAGMA synchronous=OFF")


# Each pytest-xdist worker has its own Redis database for the tests that share one.
os.environ.setdefault("TEST_REDIS_URL", f"redis://127.0.0.1:6379/{2 + worker_index()}")
os.environ.setdefault("TWO_PROCESS_REDIS_URL", os.environ["TEST_REDIS_URL"])


def upload_dir() -> str:
    tmp = os.environ.get("TMPDIR", "/tmp")
    return os.path.join(tmp, f"xxt-test-uploads-{worker_index()}")


def empty_tables(engine) -> None:
    """Delete every row and restart the id sequences. DELETE, not TRUNCATE: on PostgreSQL a
    TRUNCATE of ~70 tables costs 0.2–1.5 s of server time per test, DELETE of (nearly) empty
    tables a few milliseconds. SQLite reuses ids from 1 once a table without AUTOINCREMENT is
    empty, so it needs no sequence reset."""
    with engine.begin() as connection:
        for table in reversed(_db.metadata.sorted_tables):
            connection.execute(table.delete())
        if engine.dialect.name == "postgresql":
            connection.execute(
                text(
                    "SELECT setval(c.oid, 1, false) FROM pg_class c "
                    "WHERE c.relkind = 'S' AND c.relnamespace = current_schema()::regnamespace"
                )
            )


#: Numbers the per-test copies of the demo town (PostgreSQL database names).
copies = itertools.count(1)


class DemoTown:
    """The demo town (``flask demo-data`` with every plugin) built once per run and worker."""

    def __init__(self, url: str, output: str):
        self.url, self.output = url, output
