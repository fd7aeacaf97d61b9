"""Fixtures for the lecturers tests: a small corps, the people around a request, requests in
any state made directly in the database (so each test starts where it needs to)."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import create_engine, event, text

from core.extensions import db as _db
from core.timeutil import utcnow


@dataclass
class People:
    manager: int
    coordinator: int  # of village A
    other_coordinator: int  # of village B
    lecturer_user: int
    other_lecturer_user: int
    resident: int
    counsellor: int
    lecturer: int  # Lecturer ids
    other_lecturer: int
    topic: int
    other_topic: int


def make_lecturer(user_id: int, unit_id: int, topics: list[int], formats="briefing,training"):
    from plugins.lecturers.models import Lecturer, Offer

    lecturer = Lecturer(
        user_id=user_id,
        org_unit_id=unit_id,
        title="教师",
        formats=formats,
        status="approved",
        monthly_max=4,
        offers=[Offer(topic_id=t) for t in topics],
    )
    _db.session.add(lecturer)
    _db.session.flush()
    return lecturer


@pytest.fixture
def people(app, town, make_user) -> People:
    return make_people(app, town, make_user)


def make_people(app, town, make_user: Callable[..., int]) -> People:
    """The manager, coordinators, lecturers, resident and counsellor around a request."""
    from plugins.lecturers.menu import seed_menu, topic_by_name

    ids = {
        "manager": make_user("programme_manager", town.town_id, name="管理员"),
        "coordinator": make_user("village_coordinator", town.village_a_id, name="甲村书记"),
        "other_coordinator": make_user("village_coordinator", town.village_b_id, name="乙村书记"),
        "lecturer_user": make_user("lecturer", town.town_id, name="讲师甲"),
        "other_lecturer_user": make_user("lecturer", town.town_id, name="讲师乙"),
        "resident": make_user("resident", town.village_a_id, name="村民"),
        "counsellor": make_user("counsellor", town.village_a_id, name="辅导员"),
    }
    with app.app_context():
        seed_menu()
        topic = topic_by_name("保健护理").id
        other = topic_by_name("法治宣讲").id
        ids["lecturer"] = make_lecturer(ids["lecturer_user"], town.school_id, [topic]).id
        ids["other_lecturer"] = make_lecturer(
            ids["other_lecturer_user"], town.justice_id, [topic, other]
        ).id
        _db.session.commit()
    return People(**ids, topic=topic, other_topic=other)


def build_request(
    people: People,
    village_id: int,
    state: str = "submitted",
    lecturer_id: int | None = None,
    days: int = 3,
    key: str | None = None,
    past_start: bool | None = None,
):
    """A request in ``state`` (call inside an app context; committed). Scheduled ones start in
    the past so they can be delivered; earlier states have future slots."""
    from plugins.lecturers.requests.models import LectureRequest, RequestSlot

    now = utcnow()
    start = now + timedelta(days=days)
    slots = [RequestSlot(start=start, end=start + timedelta(hours=1))]
    slots.append(
        RequestSlot(start=start + timedelta(days=1), end=start + timedelta(days=1, hours=1))
    )
    request = LectureRequest(
        org_unit_id=village_id,
        topic_id=people.topic,
        format="briefing",
        audience_size=50,
        audience_group="all",
        venue="学习中心",
        state=state,
        requested_by_id=people.coordinator,
        idempotency_key=key or f"k-{now.timestamp()}-{id(slots)}",
        slots=slots,
    )
    if state != "submitted":
        request.lecturer_id = lecturer_id or people.lecturer
    if state in ("accepted", "scheduled", "delivered", "rated", "closed", "cancelled"):
        in_past = past_start if past_start is not None else state != "accepted"
        begin = now - timedelta(hours=2) if in_past else start
        request.scheduled_start, request.scheduled_end = begin, begin + timedelta(hours=1)
        request.published = state != "accepted"
    if state in ("delivered", "rated", "closed"):
        request.attendance, request.summary, request.delivered_at = 40, "好", now
    if state in ("rated", "closed"):
        request.rating = 4
    _db.session.add(request)
    _db.session.commit()
    if state == "accepted":
        request.chosen_slot_id = request.slots[0].id
        _db.session.commit()
    return request


@pytest.fixture(scope="module")
def module_world(tmp_path_factory) -> Iterator[tuple]:
    """``(app, town, people)`` built once for a whole module, in a database of its own.

    For tables of hundreds of cases that each need only a fresh request: the people, town and
    topic menu are made once. The database is private to the module (a SQLite file, or a
    PostgreSQL database named after ``TEST_DATABASE_URL``'s and the xdist worker), so it does
    not depend on how the per-test database is made; it is dropped at the end.
    """
    from core import create_app
    from tests.conftest import CHEAP_PASSWORD_HASH, Town

    url, drop = _module_database(tmp_path_factory)
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": url,
            "SECRET_KEY": "test-secret",
            "UPLOAD_DIR": str(tmp_path_factory.mktemp("uploads")),
            "PASSWORD_HASH_METHOD": CHEAP_PASSWORD_HASH,
        }
    )
    with app.app_context():
        if _db.engine.dialect.name == "sqlite":
            # A throw-away database: no fsync on each of the hundreds of commits.
            event.listen(_db.engine, "connect", _no_sync)
        _db.create_all()
    town = Town(app)
    yield app, town, make_people(app, town, _user_maker(app, town))
    with app.app_context():
        _db.session.remove()
        _db.engine.dispose()
    drop()


def _no_sync(dbapi_connection, _record) -> None:
    dbapi_connection.execute("PRAGMA synchronous=OFF")


def _module_database(tmp_path_factory) -> tuple[str, Callable[[], None]]:
    url = os.environ.get("TEST_DATABASE_URL")
    if not url or not url.startswith("postgresql"):
        return f"sqlite:///{tmp_path_factory.mktemp('module-db') / 'module.sqlite'}", lambda: None
    base, _, name = url.rpartition("/")
    private = f"{name}_module_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"
    admin = create_engine(
        url.replace("postgresql://", "postgresql+psycopg://", 1), isolation_level="AUTOCOMMIT"
    )

    def run(statement: str) -> None:
        with admin.connect() as connection:
            connection.execute(text(statement))

    run(f'DROP DATABASE IF EXISTS "{private}" WITH (FORCE)')
    run(f'CREATE DATABASE "{private}"')
    # A throw-away database: commits need not wait for the disk.
    run(f'ALTER DATABASE "{private}" SET synchronous_commit = off')

    def drop() -> None:
        run(f'DROP DATABASE IF EXISTS "{private}" WITH (FORCE)')
        admin.dispose()

    return f"{base}/{private}", drop


def _user_maker(app, town) -> Callable[..., int]:
    """A ``make_user(role, unit_id, name=...)`` for ``module_world`` (same shape as the
    function-scoped fixture)."""
    from core import accounts
    from core.models import OrgUnit
    from tests.conftest import TEST_PASSWORD

    made = []

    def make_user(role: str = "resident", unit_id: int | None = None, name: str = "") -> int:
        made.append(role)
        with app.app_context():
            unit = _db.session.get(OrgUnit, unit_id or town.village_a_id)
            home = unit if unit.kind.value in ("village", "community") else None
            home = home or _db.session.get(OrgUnit, town.village_a_id)
            user = accounts.create_user(
                f"137{len(made):08d}", TEST_PASSWORD, name or f"用户{len(made)}", home
            )
            if role != "resident":
                accounts.grant_role(user, role, unit)
            _db.session.commit()
            return user.id

    return make_user
