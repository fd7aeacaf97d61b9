"""Helpers for the volunteers tests: shifts with roles, approved volunteers with skills."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from sqlalchemy import select

from core import availability
from core.extensions import db as _db
from core.timeutil import utcnow


@pytest.fixture
def make_shift(app, town):
    """``make_shift(unit_id=None, starts_in=timedelta(days=2), hours=2, roles=[(name, n, codes)],
    **fields)`` → (shift_id, [role ids])."""

    def factory(unit_id=None, starts_in=timedelta(days=2), hours=2, roles=None, **fields):
        from plugins.volunteers.models import Shift, ShiftRole, Skill
        from plugins.volunteers.profiles import seed_skills

        with app.app_context():
            seed_skills()
            start = utcnow().replace(microsecond=0) + starts_in
            shift = Shift(
                title=fields.pop("title", "测试班次"),
                org_unit_id=unit_id or town.village_a_id,
                venue="学习中心",
                starts_at=start,
                ends_at=start + timedelta(hours=hours),
                **fields,
            )
            for name, needed, codes in roles or [("引导", 2, ())]:
                role = ShiftRole(name=name, needed=needed)
                role.skills = list(_db.session.scalars(select(Skill).where(Skill.code.in_(codes))))
                shift.roles.append(role)
            _db.session.add(shift)
            _db.session.commit()
            return shift.id, [r.id for r in shift.roles]

    return factory


@pytest.fixture
def make_volunteer(app, town, make_user):
    """``make_volunteer(unit_id=None, skills=("teaching",), max_shifts=4, windows=True)`` → user id."""

    def factory(unit_id=None, skills=("teaching",), max_shifts=4, windows=True, villages=()):
        from core.models import User
        from plugins.volunteers import profiles
        from plugins.volunteers.models import Skill

        user_id = make_user("resident", unit_id or town.village_a_id)
        with app.app_context():
            profiles.seed_skills()
            user = _db.session.get(User, user_id)
            skill_ids = list(_db.session.scalars(select(Skill.id).where(Skill.code.in_(skills))))
            profiles.save_profile(
                user,
                {
                    "home_unit_id": user.home_unit_id,
                    "monthly_max_shifts": max_shifts,
                    "skills": skill_ids,
                    "teams": [],
                    "villages": list(villages),
                },
            )
            if windows:
                for weekday in range(7):
                    availability.add_slot(user_id, weekday, time(0), time(23, 59))
            _db.session.commit()
        return user_id

    return factory
