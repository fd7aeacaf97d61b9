"""Fixtures for the steering tests: the staff around village A and B, tasks made directly."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest

from core.extensions import db as _db


@dataclass
class Staff:
    manager: int  # programme manager of the town
    other_manager: int
    coordinator_a: int
    coordinator_b: int
    counsellor_a: int
    resident: int


@pytest.fixture
def app(make_app):
    return make_app(plugins="calendar,reports,steering")


@pytest.fixture
def staff(town, make_user) -> Staff:
    return Staff(
        manager=make_user("programme_manager", town.town_id, name="管理员甲"),
        other_manager=make_user("programme_manager", town.town_id, name="管理员乙"),
        coordinator_a=make_user("village_coordinator", town.village_a_id, name="甲村负责人"),
        coordinator_b=make_user("village_coordinator", town.village_b_id, name="乙村负责人"),
        counsellor_a=make_user("counsellor", town.village_a_id, name="甲村辅导员"),
        resident=make_user("resident", town.village_a_id, name="居民"),
    )


@pytest.fixture
def make_task(app, staff, town):
    """``make_task(unit_id=A, owner=coordinator_a, state="open", days=7)`` → task id."""

    def factory(unit_id=None, owner=None, state="open", days=7, creator=None, evidence=False):
        from core.timeutil import local_today as today
        from plugins.steering.models import Task, TaskEvidence

        with app.app_context():
            task = Task(
                title="整理签到册",
                org_unit_id=unit_id or town.village_a_id,
                owner_id=owner or staff.coordinator_a,
                deadline=today() + timedelta(days=days),
                state=state,
                created_by_id=creator or staff.manager,
            )
            _db.session.add(task)
            _db.session.flush()
            if evidence:
                _db.session.add(
                    TaskEvidence(
                        task_id=task.id,
                        original_name="a.png",
                        stored_name=f"x{task.id}.png",
                        content_type="image/png",
                        size=10,
                    )
                )
            _db.session.commit()
            return task.id

    return factory


PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
