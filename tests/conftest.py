"""Shared fixtures: ``make_app``/``app``, ``client``, ``db``, ``town``, ``login_as``, ``runner``.

The database is ``TEST_DATABASE_URL`` (PostgreSQL on CI) or a fresh SQLite file. Tables are
created once per run; every test starts empty (rows deleted afterwards).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable

import pytest
from flask.ctx import RequestContext
from flask.testing import EnvironBuilder, FlaskClient
from flask_wtf.csrf import generate_csrf
from sqlalchemy import create_engine, event, text

from core import create_app
from core.extensions import db as _db
from core.extensions import limiter
from core.i18n import compile_catalogs
from tests import databases
from tests.compiled_routes import share_url_builders
from tests.compiled_templates import compiled_templates

os.environ.setdefault("XXT_ENV", "development")
TEST_PASSWORD = "test-pass-2026"
#: scrypt, the production default, costs 0.1 s of CPU per hash and the suite makes thousands of
#: users; tests of the default itself build their app with it (tests/core/test_auth.py).
CHEAP_PASSWORD_HASH = "pbkdf2:sha256:1"
#: Form data that answers a confirmation page (core.confirm): the second step of withdraw,
#: cancel registration and revoke role.
CONFIRMED = {"confirmed": "1"}


def pytest_report_header(config):
    return f"database: {_database_url_for_header()}"


def pytest_collection_modifyitems(items):
    """Slow tests first (servers, browsers, the demo town), so that pytest-xdist workers do not
    end the run waiting on one long test picked up last. Otherwise collection order."""

    def slow(item) -> bool:
        path = str(item.path)
        return (
            "/tests/deploy/" in path
            or "/tests/e2e/" in path
            or item.get_closest_marker("demo_town") is not None
        )

    items.sort(key=lambda item: not slow(item))


def _database_url_for_header() -> str:
    return os.environ.get("TEST_DATABASE_URL") or "sqlite (temporary file)"


class CSRFClient(FlaskClient):
    """A test client that sends a valid CSRF token with every form POST, like a browser would.

    Pass ``csrf=False`` to post without one (to test that such posts are refused).
    """

    _csrf_cache: tuple[str | None, str] | None = None

    def open(self, *args, csrf: bool = True, **kwargs):
        method = kwargs.get("method", "GET").upper()
        data = kwargs.get("data")
        if (
            csrf
            and method in {"POST", "PUT", "PATCH", "DELETE"}
            and "json" not in kwargs  # the JSON API takes no CSRF token (bearer tokens, no cookies)
            and (data is None or isinstance(data, dict))
        ):
            data = dict(data or {})
            data.setdefault("csrf_token", self.csrf_token())
            kwargs["data"] = data
        return super().open(*args, **kwargs)

    def csrf_token(self) -> str:
        """The token a form on this client's next page would carry.

        Made by Flask-WTF's public ``generate_csrf()`` inside a request that sees this client's
        own session (so the session keeps the raw token it signs, as on a real page), and kept
        while the session cookie stays the same.
        """
        cookie = self.get_cookie(self.application.config["SESSION_COOKIE_NAME"])
        seen = cookie.value if cookie else None
        if self._csrf_cache and self._csrf_cache[0] == seen:
            return self._csrf_cache[1]
        app = self.application
        with self.session_transaction() as session:
            # A request that works on the client's own session, in a fresh ``g`` (where
            # generate_csrf keeps its token) so that no other session's token is reused.
            request = RequestContext(app, EnvironBuilder(app).get_environ(), session=session)
            with app.app_context(), request:
                token = generate_csrf()
        cookie = self.get_cookie(self.application.config["SESSION_COOKIE_NAME"])
        self._csrf_cache = (cookie.value if cookie else None, token)
        return token


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    """This run's database: a SQLite file, or on PostgreSQL ``TEST_DATABASE_URL`` itself (one
    process) or ``<db>_gw<n>`` made fresh for each pytest-xdist worker. The worker's URL is also
    put in ``TEST_DATABASE_URL`` so tests that read it (deploy tests) stay on their worker's."""
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite'}"
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if worker:
        url = databases.pg_recreate(url, f"{url.rpartition('/')[2]}_{worker}")
        os.environ["TEST_DATABASE_URL"] = url
    return url


@pytest.fixture
def fresh_database_url(database_url, tmp_path):
    """``fresh_database_url(tag)`` → an empty database beside the test one (SQLite file or a
    new PostgreSQL database named ``<test db>_<tag>``)."""

    def make(tag: str) -> str:
        if not database_url.startswith("postgresql"):
            return f"sqlite:///{tmp_path / (tag + '.sqlite')}"
        return databases.pg_recreate(database_url, f"{database_url.rpartition('/')[2]}_{tag}")

    return make


@pytest.fixture(scope="session", autouse=True)
def _catalogs():
    compile_catalogs()


@pytest.fixture(scope="session", autouse=True)
def _shared_url_builders():
    """Every app of this process reuses the URL builders werkzeug compiled for the first."""
    share_url_builders()


@pytest.fixture(scope="session")
def _schema(database_url):
    """Create every table once (all plugins' models, so any plugin set can run)."""
    app = create_app({"TESTING": True, "DATABASE_URL": database_url, "SECRET_KEY": "test"})
    with app.app_context():
        _db.drop_all()
        if _db.engine.dialect.name == "postgresql":
            with _db.engine.begin() as connection:
                connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
        _db.create_all()
    yield
    with app.app_context():
        _db.session.remove()
        _db.engine.dispose()


@pytest.fixture(scope="session")
def _cleaner(database_url, _schema):
    """One engine for the whole run that empties every table after each test."""
    engine = create_engine(database_url.replace("postgresql://", "postgresql+psycopg://", 1))
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def demo_town(database_url, tmp_path_factory) -> databases.DemoTown:
    """Build the demo town once: a SQLite file copied per test, or a PostgreSQL database used as
    the template of each test's copy. Loading it costs 10–30 s, copying it well under one."""
    if database_url.startswith("postgresql"):
        url = databases.pg_recreate(database_url, f"{database_url.rpartition('/')[2]}_demo")
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('demo') / 'demo.sqlite'}"
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": url,
            "SECRET_KEY": "test",
            "UPLOAD_DIR": databases.upload_dir(),
            "PASSWORD_HASH_METHOD": CHEAP_PASSWORD_HASH,
        }
    )
    with app.app_context():
        _db.create_all()
    result = app.test_cli_runner().invoke(args=["demo-data"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        _db.session.remove()
        _db.engine.dispose()
    return databases.DemoTown(url, result.output)


@pytest.fixture
def demo_database_url(demo_town, tmp_path):
    """A private copy of the demo town for this test (deleted afterwards)."""
    if demo_town.url.startswith("postgresql"):
        template = demo_town.url.rpartition("/")[2]
        name = f"{template}_{next(databases.copies)}"
        url = databases.pg_recreate(demo_town.url, name, template=template)
        yield url
        databases.pg_drop(demo_town.url, name)
    else:
        copy = tmp_path / "demo-copy.sqlite"
        shutil.copyfile(demo_town.url.removeprefix("sqlite:///"), copy)
        yield f"sqlite:///{copy}"


@pytest.fixture
def make_app(database_url, _cleaner) -> Callable:
    """Build an app: ``make_app(plugins="calendar,lecturers", extra_plugins=[...], **config)``."""
    made = []

    def factory(plugins: str | None = None, extra_plugins: list | None = None, **config):
        settings = {
            "TESTING": True,
            "DATABASE_URL": database_url,
            "SECRET_KEY": "test-secret",
            "UPLOAD_DIR": databases.upload_dir(),
            "RATELIMIT_ENABLED": True,
            "PASSWORD_HASH_METHOD": CHEAP_PASSWORD_HASH,
            **config,
        }
        if plugins is not None:
            settings["PLUGINS"] = plugins
        app = create_app(settings, extra_plugins=extra_plugins)
        app.test_client_class = CSRFClient
        app.jinja_env.bytecode_cache = compiled_templates
        limiter.reset()  # counts must not leak from one test into the next
        made.append(app)
        return app

    yield factory
    for app in made:
        with app.app_context():
            _db.session.remove()
            _db.engine.dispose()
    databases.empty_tables(_cleaner)


@pytest.fixture
def app(make_app, request):
    """An app with every plugin; with ``@pytest.mark.demo_town`` on a private demo-town copy."""
    if request.node.get_closest_marker("demo_town"):
        return make_app(DATABASE_URL=request.getfixturevalue("demo_database_url"))
    return make_app()


@pytest.fixture
def db(app):
    """The SQLAlchemy handle inside an app context."""
    with app.app_context():
        yield _db


@pytest.fixture
def client(app) -> CSRFClient:
    return app.test_client()


@pytest.fixture
def sql_statements(app):
    """``with sql_statements() as seen:`` lists the SQL the app's engine runs inside the block
    (for tests that a hot path does not read a row twice)."""
    from contextlib import contextmanager

    with app.app_context():
        engine = _db.engine

    @contextmanager
    def record():
        seen: list[str] = []

        def listener(conn, cursor, statement, parameters, context, executemany):
            seen.append(statement)

        event.listen(engine, "before_cursor_execute", listener)
        try:
            yield seen
        finally:
            event.remove(engine, "before_cursor_execute", listener)

    return record


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


class Town:
    """A small org tree: 测试镇 with villages A and B, a school and the justice office."""

    def __init__(self, app):
        from core import orgunits
        from core.models import OrgUnitKind

        with app.app_context():
            town = orgunits.create_unit(None, OrgUnitKind.town, "测试镇", population=5000)
            village_a = orgunits.create_unit(
                town,
                OrgUnitKind.village,
                "甲村",
                population=1200,
                learning_centre_name="甲村学习中心",
            )
            village_b = orgunits.create_unit(town, OrgUnitKind.village, "乙村", population=800)
            school = orgunits.create_unit(town, OrgUnitKind.school, "中心小学")
            justice = orgunits.create_unit(town, OrgUnitKind.department, "司法所")
            _db.session.commit()
            self.town_id, self.village_a_id, self.village_b_id = town.id, village_a.id, village_b.id
            self.school_id, self.justice_id = school.id, justice.id


@pytest.fixture
def town(app) -> Town:
    return Town(app)


@pytest.fixture
def make_user(app, town):
    """``make_user(role="resident", unit_id=None, phone=None)`` → user id (committed)."""
    counter = {"n": 0}

    def factory(
        role: str | None = "resident",
        unit_id: int | None = None,
        phone: str | None = None,
        name: str | None = None,
        home_unit_id: int | None = None,
    ) -> int:
        from core import accounts
        from core.models import OrgUnit

        counter["n"] += 1
        with app.app_context():
            home = _db.session.get(OrgUnit, home_unit_id or unit_id or town.village_a_id)
            if home.kind.value not in ("village", "community"):
                home = _db.session.get(OrgUnit, town.village_a_id)
            user = accounts.create_user(
                phone or f"139{counter['n']:08d}",
                TEST_PASSWORD,
                name or f"测试用户{counter['n']}",
                home,
                roles=("resident",),
            )
            if role and role != "resident":
                accounts.grant_role(
                    user, role, _db.session.get(OrgUnit, unit_id or town.village_a_id)
                )
            _db.session.commit()
            return user.id

    return factory


@pytest.fixture
def login_as(app, client, make_user):
    """``login_as(role, unit_id=None)``: a new user with that role, logged in on ``client``."""

    def login(role: str = "resident", unit_id: int | None = None, **kwargs) -> int:
        user_id = make_user(role, unit_id, **kwargs)
        log_in(client, app, user_id)
        return user_id

    return login


def log_in(client, app, user_id: int) -> None:
    """Put ``user_id`` into the client's session as Flask-Login does."""
    from core.models import User

    with app.app_context():
        session_id = _db.session.get(User, user_id).get_id()
    with client.session_transaction() as session:
        session["_user_id"] = session_id
        session["_fresh"] = True
