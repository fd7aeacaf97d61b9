"""Promotions sharing waiting people take locks in one order; a deadlock never answers 500."""

from __future__ import annotations

import threading
from datetime import timedelta
from functools import partial

import pytest
from sqlalchemy import select, update
from sqlalchemy.exc import OperationalError

from core.extensions import db
from core.timeutil import utcnow
from plugins.volunteers import services
from plugins.volunteers.models import Assignment, ShiftRole
from tests.conftest import CONFIRMED, log_in
from tests.threads import run_together


class DeadlockDetected(Exception):
    """Stands in for psycopg.errors.DeadlockDetected (the same SQLSTATE)."""

    sqlstate = "40P01"


def _deadlock() -> OperationalError:
    return OperationalError("SELECT ... FOR UPDATE", {}, DeadlockDetected("deadlock detected"))


def _mine(app, make_shift, make_volunteer, client):
    _shift, (role_id,) = make_shift(roles=[("引导", 1, ())])
    user_id = make_volunteer()
    with app.app_context():
        assignment = services.sign_up(role_id, user_id)
        db.session.commit()
        assignment_id = assignment.id
    log_in(client, app, user_id)
    return assignment_id


def test_deadlock_is_retried_once(app, client, make_shift, make_volunteer, monkeypatch):
    assignment_id = _mine(app, make_shift, make_volunteer, client)
    real, calls = services.withdraw, []

    def flaky(assignment, now=None):
        calls.append(1)
        if len(calls) == 1:
            raise _deadlock()
        return real(assignment, now)

    monkeypatch.setattr(services, "withdraw", flaky)
    page = client.post(
        f"/volunteers/assignments/{assignment_id}/withdraw", data=CONFIRMED, follow_redirects=True
    )
    assert page.status_code == 200 and "已退出" in page.get_data(as_text=True)
    assert len(calls) == 2
    with app.app_context():
        assert db.session.get(Assignment, assignment_id).status == "withdrawn"


def test_deadlock_twice_gives_a_clear_message(app, client, make_shift, make_volunteer, monkeypatch):
    assignment_id = _mine(app, make_shift, make_volunteer, client)

    def always(assignment, now=None):
        raise _deadlock()

    monkeypatch.setattr(services, "withdraw", always)
    page = client.post(
        f"/volunteers/assignments/{assignment_id}/withdraw", data=CONFIRMED, follow_redirects=True
    )
    assert page.status_code == 200 and "系统繁忙" in page.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Assignment, assignment_id).status == "confirmed"


@pytest.mark.postgres_only
def test_crossed_waiting_lists_promote_without_deadlock(app, make_shift, make_volunteer):
    """Two roles whose waiting lists hold the same people in opposite orders, promoted at once.

    Locking profiles one by one in waiting-list order made PostgreSQL report a deadlock here.
    """
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("needs PostgreSQL row locks")
    people = [make_volunteer(max_shifts=20) for _ in range(6)]
    roles = []
    for hours_apart in (0, 5):
        _shift, (role_id,) = make_shift(
            starts_in=timedelta(days=2, hours=hours_apart), roles=[("引导", 1, ())]
        )
        roles.append(role_id)
    with app.app_context():
        now = utcnow()
        for role_id, order in ((roles[0], people), (roles[1], people[::-1])):
            for position, user_id in enumerate(order):
                db.session.add(
                    Assignment(
                        role_id=role_id,
                        user_id=user_id,
                        status="waitlisted",
                        status_changed_at=now + timedelta(seconds=position),
                    )
                )
            db.session.execute(
                update(ShiftRole).where(ShiftRole.id == role_id).values(needed=len(people))
            )
        db.session.commit()
    both_locked = threading.Barrier(2)

    def promote(role_id: int) -> None:
        role = services.lock_role(role_id)
        both_locked.wait(10)  # each holds its own role before promoting: a deadlock would show
        services.promote_waiting(role)

    errors = run_together(app, [partial(promote, r) for r in roles], commit=True)
    assert errors == []
    with app.app_context():
        statuses = db.session.scalars(select(Assignment.status)).all()
    assert statuses and set(statuses) == {"confirmed"} and len(statuses) == 12
