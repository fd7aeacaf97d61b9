"""Capacity and no-overlap hold under concurrent sign-ups (PostgreSQL row locks)."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from core.extensions import db
from plugins.volunteers import services
from plugins.volunteers.models import Assignment
from tests.threads import run_together

pytestmark = pytest.mark.postgres_only


def _need_postgres(app):
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("needs PostgreSQL row locks")


def test_role_never_overfilled(app, make_shift, make_volunteer):
    _need_postgres(app)
    _shift, (role_id,) = make_shift(roles=[("引导", 3, ())])
    people = [make_volunteer() for _ in range(16)]
    errors = run_together(
        app,
        [lambda uid=uid: services.sign_up(role_id, uid, waitlist=True) for uid in people],
        tolerated=(services.BookingError,),
        commit=True,
    )
    assert errors == []
    with app.app_context():
        counts = dict(
            db.session.execute(
                select(Assignment.status, func.count()).group_by(Assignment.status)
            ).all()
        )
    assert counts == {"confirmed": 3, "waitlisted": 13}


def test_volunteer_never_in_two_overlapping_shifts(app, make_shift, make_volunteer):
    _need_postgres(app)
    roles = []
    for k in range(8):
        _s, (role_id,) = make_shift(starts_in=timedelta(days=2, minutes=10 * k), hours=2)
        roles.append(role_id)
    person = make_volunteer(max_shifts=31)
    errors = run_together(
        app,
        [lambda rid=rid: services.sign_up(rid, person) for rid in roles],
        tolerated=(services.BookingError,),
        commit=True,
    )
    assert errors == []
    with app.app_context():
        assert db.session.scalar(select(func.count()).where(Assignment.status == "confirmed")) == 1
