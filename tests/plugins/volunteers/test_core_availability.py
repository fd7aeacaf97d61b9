"""Matching and auto-fill read the free time people state once, on core's /me/availability."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from core import availability
from core.extensions import db as _db
from core.timeutil import to_local, utcnow
from plugins.volunteers import matching, planning
from plugins.volunteers.models import Shift, ShiftRole


def test_rank_and_autofill_honour_weekly_slots_and_blackout_days(app, make_shift, make_volunteer):
    now = utcnow()
    ten = to_local(now).replace(hour=10, minute=0, second=0, microsecond=0) + timedelta(days=2)
    shift_id, (role_id,) = make_shift(starts_in=ten - now, roles=[("引导", 3, ())])
    free, away, silent = make_volunteer(), make_volunteer(), make_volunteer(windows=False)
    with app.app_context():
        availability.add_blackout(away, ten.date())
        _db.session.commit()
        reasons = {
            m.profile.user_id: m.reasons for m in matching.rank(_db.session.get(ShiftRole, role_id))
        }
        assert "在其可服务时间内" in reasons[free]
        assert "不在其可服务时间内" in reasons[away]
        assert "未填写可服务时间" in reasons[silent]
        shift = _db.session.scalar(select(Shift).where(Shift.id == shift_id))
        plan = planning.build_plan([shift])
        assert plan.proposal.candidates[role_id] == [free]
        assert plan.proposal.pairs == [(role_id, free)]
