"""The demo town's steering data: what issue 19's point 9 asks for, readable on the pages."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from core.extensions import db as _db
from tests.conftest import log_in


@pytest.fixture
def app(make_app, request):
    return make_app(DATABASE_URL=request.getfixturevalue("demo_database_url"))


@pytest.mark.demo_town
def test_demo_meeting_tasks_visits_areas_standard_and_rules(app, client):
    from core.models import User
    from core.timeutil import local_today as today
    from plugins.steering.meetings.models import Meeting
    from plugins.steering.models import CounsellorArea, RulePage, StandardAssessment, Task, Visit

    with app.app_context():
        meeting = _db.session.scalar(select(Meeting).where(Meeting.kind == "progress"))
        assert "会议决定" in meeting.minutes
        tasks = _db.session.scalars(select(Task).where(Task.meeting_id == meeting.id)).all()
        assert sorted(t.state for t in tasks) == ["accepted", "in_progress", "returned"]
        assert [t.title for t in tasks if t.overdue_on(today())] == [
            "整改黄土村学习中心活动照片缺失问题"
        ]
        sent_back = next(t for t in tasks if t.state == "returned")
        assert sent_back.events[-1].reason == "照片看不清时间和地点，请补拍并附上签到册。"
        assert len(_db.session.scalars(select(Visit)).all()) == 2
        areas = {
            (area.user.display_name, area.org_unit.name)
            for area in _db.session.scalars(select(CounsellorArea))
        }
        # the headmasters the policy lists as the counsellor corps (三(二))
        assert {name for name, _unit in areas} == {
            "刘永彬",
            "唐小平",
            "唐文明",
            "□宏",
            "吴宇航",
            "□文",
        }
        assert ("唐文明", "黄土村") in areas
        scored = _db.session.scalars(
            select(StandardAssessment).where(StandardAssessment.year == today().year)
        ).all()
        assert sorted((r.org_unit.name, str(r.town_total)) for r in scored) == [
            ("渭溪村", "89.00"),
            ("黄土村", "70.00"),
        ]
        assert all(page.current for page in _db.session.scalars(select(RulePage)))
        assert len(_db.session.scalars(select(RulePage)).all()) == 6
        manager = _db.session.scalar(select(User.id).where(User.phone == "13800000002"))
        owner = _db.session.scalar(select(User.id).where(User.phone == "13800000006"))
    log_in(client, app, manager)
    coverage = client.get("/steering/coverage").get_data(as_text=True)
    assert "缺辅导员" in coverage and "未覆盖" in coverage  # the kindergarten, 龙洞村
    standard = client.get("/steering/standard").get_data(as_text=True)
    assert "达到示范标准" in standard and "未达标" in standard
    log_in(client, app, owner)
    assert "您有 1 个任务已逾期" in client.get("/dashboard").get_data(as_text=True)
