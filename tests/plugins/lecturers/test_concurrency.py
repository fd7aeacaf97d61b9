"""Double clicks and simultaneous acceptances on PostgreSQL: row locks keep one winner."""

from __future__ import annotations

import threading

import pytest

from core.extensions import db as _db
from core.models import User
from core.statemachine import TransitionRefused
from plugins.lecturers.requests import services
from plugins.lecturers.requests.models import LectureRequest

from .conftest import build_request


def _needs_postgres(app):
    with app.app_context():
        if _db.engine.dialect.name != "postgresql":
            pytest.skip("needs PostgreSQL row locks")


def _accept(app, request_id, user_id, results, barrier=None):
    with app.app_context():
        try:
            request = services.load_for_update(request_id)
            if barrier:
                barrier.wait(timeout=10)
            user = _db.session.get(User, user_id)
            slot = request.slots[0].id
            services.perform(request, "accept", user, slot_id=slot)
            results.append("ok")
        except TransitionRefused as refused:
            results.append(refused.message)
        finally:
            _db.session.remove()


def _run(threads):
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)


@pytest.mark.postgres_only
def test_double_accept_of_one_request(app, people, town):
    _needs_postgres(app)
    with app.app_context():
        request_id = build_request(people, town.village_a_id, "assigned").id
    results: list[str] = []
    _run(
        [
            threading.Thread(target=_accept, args=(app, request_id, people.lecturer_user, results))
            for _ in range(2)
        ]
    )
    assert results.count("ok") == 1 and len(results) == 2, results
    with app.app_context():
        request = _db.session.get(LectureRequest, request_id)
        assert request.state == "accepted" and len(request.events) == 1


@pytest.mark.postgres_only
def test_overlapping_acceptances_by_one_lecturer(app, people, town):
    _needs_postgres(app)
    with app.app_context():
        first = build_request(people, town.village_a_id, "assigned", key="a")
        second = build_request(people, town.village_b_id, "assigned", key="b")
        second.slots[0].start, second.slots[0].end = first.slots[0].start, first.slots[0].end
        _db.session.commit()
        ids = (first.id, second.id)
    results: list[str] = []
    barrier = threading.Barrier(2)
    _run(
        [
            threading.Thread(
                target=_accept, args=(app, rid, people.lecturer_user, results, barrier)
            )
            for rid in ids
        ]
    )
    assert results.count("ok") == 1, results
    assert any("已有其他" in r for r in results), results
