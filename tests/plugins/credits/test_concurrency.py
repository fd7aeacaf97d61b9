"""Caps and once-per-source hold when signals arrive at the same moment (PostgreSQL)."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from core.extensions import db as _db
from plugins.credits import services
from plugins.credits.services import Source
from tests.threads import run_together

WHEN = datetime(2025, 5, 1, 2, tzinfo=UTC)


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
    assert run_together(app, same) == []
    with app.app_context():
        assert services.balance(user) == 2
    different = [
        lambda n=n: services.credit(
            user, "attendance", Source("calendar", "attendance", 100 + n), "x", WHEN
        )
        for n in range(8)
    ]
    assert run_together(app, different) == []
    with app.app_context():
        assert services.balance(user) == 6  # the daily cap, never more


@pytest.mark.postgres_only
def test_credits_for_different_people_do_not_wait_for_each_other(app, make_user, monkeypatch):
    """One person's credit in the middle of its cap check holds no lock that another person's
    credit needs (a rule-wide lock made 300 contest hand-ins queue one behind another)."""
    with app.app_context():
        if _db.engine.dialect.name != "postgresql":
            pytest.skip("needs PostgreSQL row locks")
        services.get_rule("contest")
        _db.session.commit()
    first, second = make_user(), make_user()
    inside, release = threading.Event(), threading.Event()
    real_capped_amount = services.capped_amount

    def capped_amount(rule, user_id, wanted, when):
        if user_id == first:  # hold the first person's transaction open mid-check
            inside.set()
            release.wait()
        return real_capped_amount(rule, user_id, wanted, when)

    monkeypatch.setattr(services, "capped_amount", capped_amount)

    def credit_first():
        with app.app_context():
            try:
                services.credit(first, "contest", Source("competitions", "attempt", 1), "x")
            finally:
                _db.session.remove()

    holder = threading.Thread(target=credit_first)
    holder.start()
    try:
        assert inside.wait(60), "the first credit never reached its cap check"
        with app.app_context():
            # Only a guard against hanging the suite if the second credit were blocked.
            _db.session.execute(text("SET LOCAL lock_timeout = '20s'"))
            entry = services.credit(second, "contest", Source("competitions", "attempt", 2), "x")
            assert entry is not None and entry.user_id == second
            _db.session.remove()
    finally:
        release.set()
        holder.join()
    with app.app_context():
        assert services.balance(first) > 0 and services.balance(second) > 0
