"""Adding skills and teams on /volunteers/manage/skills: one after another, a name that is
taken (a Chinese message on the form), and a code that another manager took a moment before
(never a 500)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from core.extensions import db as _db
from core.models import AuditLog
from plugins.volunteers import profiles
from plugins.volunteers.models import Skill, Team
from tests.threads import run_together

PAGE = "/volunteers/manage/skills"


@pytest.fixture
def manager(client, login_as, town) -> int:
    return login_as("programme_manager", town.town_id)


def add_skill(client, name: str):
    return client.post(PAGE, data={"which": "skill", "skill-name": name})


def add_team(client, name: str, description: str = ""):
    return client.post(
        PAGE, data={"which": "team", "team-name": name, "team-description": description}
    )


def skills(app) -> dict[str, str]:
    with app.app_context():
        return dict(_db.session.execute(select(Skill.name, Skill.code)).all())


def teams(app) -> list[str]:
    with app.app_context():
        return list(_db.session.scalars(select(Team.name).order_by(Team.id)))


def audits(app, action: str) -> int:
    with app.app_context():
        return _db.session.scalar(select(func.count(AuditLog.id)).where(AuditLog.action == action))


def test_two_skills_and_two_teams_in_a_row(app, client, manager):
    for name in ("驾驶", "烹饪"):
        response = add_skill(client, name)
        assert response.status_code == 302 and response.headers["Location"] == PAGE
    for name, description in (("青年突击队", "周末服务"), ("巾帼志愿队", "")):
        assert add_team(client, name, description).status_code == 302
    found = skills(app)
    assert {"驾驶", "烹饪"} <= set(found)
    assert len(set(found.values())) == len(found)  # every code different
    assert teams(app) == ["青年突击队", "巾帼志愿队"]
    assert audits(app, "volunteers.skill_added") == 2
    assert audits(app, "volunteers.team_added") == 2
    page = client.get(PAGE).get_data(as_text=True)
    assert "驾驶" in page and "巾帼志愿队" in page


def test_a_taken_name_is_refused_on_the_form(app, client, manager):
    assert add_skill(client, "驾驶").status_code == 302
    assert add_team(client, "青年突击队").status_code == 302
    for response, field in (
        (add_skill(client, "驾驶"), "skill-name"),
        (add_skill(client, "法律"), "skill-name"),  # a seeded skill
        (add_team(client, "青年突击队"), "team-name"),
    ):
        assert response.status_code == 200
        page = response.get_data(as_text=True)
        message = "已有同名技能。" if field == "skill-name" else "已有同名志愿队。"
        assert f'<p class="error" id="{field}-err">{message}</p>' in page
    assert list(skills(app)).count("驾驶") == 1 and teams(app) == ["青年突击队"]
    assert audits(app, "volunteers.skill_added") == 1
    assert audits(app, "volunteers.team_added") == 1


def test_a_code_taken_a_moment_before_is_passed_over(app, client, manager):
    """What two managers adding at once meet: the code counted for the new skill is taken."""
    client.get(PAGE)  # seeds the skill list
    with app.app_context():
        count = _db.session.scalar(select(func.count(Skill.id)))
        # After this row the count is count + 1, so the code tried first is this one's.
        _db.session.add(Skill(name="另一位管理员刚加的", code=f"custom{count + 2}"))
        _db.session.commit()
    response = add_skill(client, "驾驶")
    assert response.status_code == 302
    found = skills(app)
    assert found["另一位管理员刚加的"] == f"custom{count + 2}"
    assert found["驾驶"] not in (f"custom{count + 2}", None)
    assert audits(app, "volunteers.skill_added") == 1


def test_every_code_taken_asks_to_submit_again(app, client, manager, monkeypatch):
    client.get(PAGE)
    with app.app_context():
        _db.session.add(Skill(name="占用", code="taken"))
        _db.session.commit()
    monkeypatch.setattr(profiles, "_skill_codes", lambda: iter(["taken"] * 3))
    response = add_skill(client, "驾驶")
    assert response.status_code == 200
    assert "同时添加的技能太多，请再提交一次。" in response.get_data(as_text=True)
    assert "驾驶" not in skills(app)


def test_others_may_not_add(app, client, login_as, town):
    login_as("village_coordinator", town.village_a_id)
    assert add_skill(client, "驾驶").status_code == 403
    assert add_team(client, "青年突击队").status_code == 403
    assert "驾驶" not in skills(app) and teams(app) == []


@pytest.mark.postgres_only
def test_concurrent_adds_never_fail(app, town):
    """Real concurrency (PostgreSQL): adds at the same moment, different names and one name."""
    with app.app_context():
        if _db.engine.dialect.name != "postgresql":
            pytest.skip("needs PostgreSQL: SQLite lets one writer in at a time")
        profiles.ensure_skills()
    names = ["驾驶", "烹饪", "缝纫", "维修"]
    errors = run_together(app, [lambda n=n: profiles.add_skill(n) for n in names], commit=True)
    assert errors == []
    found = skills(app)
    assert set(names) <= set(found) and len(set(found.values())) == len(found)
    errors = run_together(
        app,
        [lambda: profiles.add_skill("摄像")] * 3 + [lambda: profiles.add_team("青年突击队")] * 3,
        tolerated=(profiles.NameTaken,),
        commit=True,
    )
    assert errors == []
    assert list(skills(app)).count("摄像") == 1 and teams(app) == ["青年突击队"]
