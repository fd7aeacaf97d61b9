"""Caps and once-per-source hold when signals arrive at the same moment (PostgreSQL)."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest

from core.extensions import db as _db
from plugins.credits import services
from plugins.credits.services import Source

WHEN = datetime(2025, 5, 1, 2, tzinfo=UTC)


def _race(app, jobs):
    barrier = threading.Barrier(len(jobs))
    errors = []

    def run(job):
        with app.app_context():
            try:
                barrier.wait()
                job()
            except Exception as error:  # pragma: no cover - reported below
                errors.append(error)
            finally:
                _db.session.remove()

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors


@pytest.mark.postgres_only
def test_concurrent_credits_respect_source_and_cap(app, make_user):
    with app.app_context():
        if _db.engine.dialect.name != "postgresql":
            pytest.skip("needs PostgreSQL row locks")
        services.get_rule("attendance")
        _db.session.commit()
    user = make_user()
    same = [
        lambda: services.credit(user, "attendance", Source("calendar", "attendance", 1), "x", WHEN)
        for _ in range(6)
    ]
    _race(app, same)
    with app.app_context():
        assert services.balance(user) == 2
    different = [
        lambda n=n: services.credit(
            user, "attendance", Source("calendar", "attendance", 100 + n), "x", WHEN
        )
        for n in range(8)
    ]
    _race(app, different)
    with app.app_context():
        assert services.balance(user) == 6  # the daily cap, never more
