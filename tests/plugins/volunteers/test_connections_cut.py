"""Database connections cut in the middle of a sign-up (PostgreSQL, pg_terminate_backend).

Each case ends with the database holding exactly what the volunteer was told succeeded: cut
after the commit, the answer is success; cut before it, an error and nothing saved; a retry of
the same form (same idempotency key) is told it is already done and saves nothing twice.
"""

from __future__ import annotations

import re
from contextlib import contextmanager

import pytest
from sqlalchemy import create_engine, event, func, select, text

from core.extensions import SignalSession
from core.extensions import db as _db
from plugins.volunteers.models import Assignment
from tests.conftest import log_in


@pytest.fixture
def cut(app):
    """``with cut("after_commit" | "before_commit"): <one request>``: at that moment, terminate
    the app's connections and refuse new ones until the block ends."""
    with app.app_context():
        if _db.engine.dialect.name != "postgresql":
            pytest.skip("pg_terminate_backend needs PostgreSQL")
        url = _db.engine.url
        engine = _db.engine
    database = url.database
    app_pids: set[int] = set()  # only the app's own connections (not the test cleaner's)

    def seen(dbapi_connection, _record, _proxy):
        app_pids.add(dbapi_connection.info.backend_pid)

    event.listen(engine, "checkout", seen)
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    listeners = []

    def allow_again() -> None:
        with admin.connect() as connection:
            connection.execute(text(f'ALTER DATABASE "{database}" WITH ALLOW_CONNECTIONS true'))

    def cut_now(*_args):
        with admin.connect() as connection:
            connection.execute(text(f'ALTER DATABASE "{database}" WITH ALLOW_CONNECTIONS false'))
            for pid in app_pids:
                connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})

    @contextmanager
    def arm(moment: str):
        event.listen(SignalSession, moment, cut_now, once=True)
        listeners.append(moment)
        try:
            yield
        finally:
            allow_again()

    yield arm
    for moment in listeners:
        if event.contains(SignalSession, moment, cut_now):
            event.remove(SignalSession, moment, cut_now)
    allow_again()
    admin.dispose()
    event.remove(engine, "checkout", seen)
    with app.app_context():
        _db.engine.dispose()  # its pooled connections were terminated


def _form_key(page: str) -> str:
    match = re.search(r'name="idempotency_key" value="([0-9a-f]{32})"', page)
    assert match, "the sign-up form carries an idempotency key"
    return match.group(1)


def _assignments(app, role_id) -> int:
    with app.app_context():
        _db.engine.dispose()
        return _db.session.scalar(
            select(func.count()).select_from(Assignment).where(Assignment.role_id == role_id)
        )


def test_cut_after_the_commit_answers_success_and_a_retry_is_already_done(
    app, client, make_shift, make_volunteer, cut
):
    shift_id, (role_id,) = make_shift(roles=[("引导", 2, ())])
    log_in(client, app, make_volunteer())
    key = _form_key(client.get(f"/volunteers/shifts/{shift_id}").get_data(as_text=True))
    form = {"role_id": role_id, "waitlist": "", "idempotency_key": key}

    with cut("after_commit"):
        response = client.post(f"/volunteers/shifts/{shift_id}/signup", data=form)
    assert response.status_code == 303
    with client.session_transaction() as session:
        assert ("success", "已保存。") in session["_flashes"]
        session.pop("_flashes")
    assert _assignments(app, role_id) == 1

    retry = client.post(f"/volunteers/shifts/{shift_id}/signup", data=form, follow_redirects=True)
    assert "这项操作已经完成，无需重复提交。" in retry.get_data(as_text=True)
    assert _assignments(app, role_id) == 1


def test_cut_before_the_commit_is_an_error_and_saves_nothing(
    app, client, make_shift, make_volunteer, cut
):
    app.config["PROPAGATE_EXCEPTIONS"] = False  # answer 500 as production does
    shift_id, (role_id,) = make_shift(roles=[("引导", 2, ())])
    log_in(client, app, make_volunteer())
    key = _form_key(client.get(f"/volunteers/shifts/{shift_id}").get_data(as_text=True))

    with cut("before_commit"):
        response = client.post(
            f"/volunteers/shifts/{shift_id}/signup",
            data={"role_id": role_id, "waitlist": "", "idempotency_key": key},
        )
    assert response.status_code == 500
    assert _assignments(app, role_id) == 0
