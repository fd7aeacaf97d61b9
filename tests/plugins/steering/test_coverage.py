"""Counsellor coverage: areas, schools without a counsellor, villages not covered, refusals."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from core.extensions import db as _db
from tests.conftest import log_in


@pytest.fixture
def other_town(app):
    from core import orgunits
    from core.models import OrgUnitKind

    with app.app_context():
        town = orgunits.create_unit(None, OrgUnitKind.town, "邻镇")
        village = orgunits.create_unit(town, OrgUnitKind.village, "邻村")
        _db.session.commit()
        return town.id, village.id


def _areas(app):
    from plugins.steering.models import CounsellorArea

    with app.app_context():
        return _db.session.scalar(select(func.count(CounsellorArea.id)))


def test_coverage_page_flags_schools_without_and_villages_not_covered(
    app, client, staff, town, make_user
):
    teacher = make_user("counsellor", town.school_id, name="中心小学校长")
    log_in(client, app, staff.manager)
    page = client.get("/steering/coverage").get_data(as_text=True)
    # the school's own teacher-counsellor covers it; village A has its counsellor; B has none
    assert f'<tr data-unit="{town.school_id}" class="">' in page
    assert f'<tr data-unit="{town.village_b_id}" class="behind">' in page
    assert "未覆盖" in page
    response = client.post(
        "/steering/coverage/assign", data={"user_id": teacher, "unit_id": town.village_b_id}
    )
    assert response.status_code == 302
    page = client.get("/steering/coverage").get_data(as_text=True)
    assert f'<tr data-unit="{town.village_b_id}" class="">' in page
    assert "未覆盖" not in page
    assert f'<tr data-user="{teacher}"><td>中心小学校长</td>' in page


def test_school_without_counsellor_is_flagged(app, client, staff, town):
    log_in(client, app, staff.manager)
    page = client.get("/steering/coverage").get_data(as_text=True)
    assert f'<tr data-unit="{town.school_id}" class="behind">' in page and "缺辅导员" in page


@pytest.mark.parametrize(
    ("who", "unit", "message"),
    [
        ("counsellor", "other", "该辅导员不在这个单位所在的镇任职"),
        ("resident", "village_b", "此人不是辅导员"),
        ("counsellor", "justice", "只能把村（社区）或学校分给辅导员联系"),
        ("none", "village_b", "请选择辅导员。"),
        ("counsellor", "village_a", "该单位已在这位辅导员的联系范围内"),
    ],
    ids=["other-town", "not-a-counsellor", "department", "nobody", "twice"],
)
def test_bad_assignments_are_refused_with_a_message(
    app, client, staff, town, other_town, make_user, who, unit, message
):
    from plugins.steering.models import CounsellorArea

    district_manager = make_user("programme_manager", town.town_id)
    with app.app_context():
        from core import accounts
        from core.models import OrgUnit, User

        accounts.grant_role(
            _db.session.get(User, district_manager),
            "programme_manager",
            _db.session.get(OrgUnit, other_town[0]),
        )
        _db.session.add(CounsellorArea(user_id=staff.counsellor_a, org_unit_id=town.village_a_id))
        _db.session.commit()
    before = _areas(app)
    log_in(client, app, district_manager)
    person = {"counsellor": staff.counsellor_a, "resident": staff.resident, "none": ""}[who]
    unit_id = {
        "other": other_town[1],
        "village_b": town.village_b_id,
        "village_a": town.village_a_id,
        "justice": town.justice_id,
    }[unit]
    response = client.post(
        "/steering/coverage/assign", data={"user_id": person, "unit_id": unit_id}
    )
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert _areas(app) == before


def test_only_managers_of_the_unit_assign_and_remove(app, client, staff, town, other_town):
    from plugins.steering.models import CounsellorArea

    log_in(client, app, staff.coordinator_a)
    refused = client.post(
        "/steering/coverage/assign",
        data={"user_id": staff.counsellor_a, "unit_id": town.village_a_id},
    )
    assert refused.status_code == 403
    assert client.get("/steering/coverage").status_code == 200
    log_in(client, app, staff.manager)
    elsewhere = client.post(
        "/steering/coverage/assign", data={"user_id": staff.counsellor_a, "unit_id": other_town[1]}
    )
    assert elsewhere.status_code == 403  # the manager of 测试镇 cannot touch 邻镇
    assert client.post("/steering/coverage/assign", data={"user_id": "x"}).status_code == 400
    with app.app_context():
        area = CounsellorArea(user_id=staff.counsellor_a, org_unit_id=town.village_b_id)
        _db.session.add(area)
        _db.session.commit()
        area_id = area.id
    log_in(client, app, staff.coordinator_b)
    assert client.post(f"/steering/coverage/{area_id}/remove").status_code == 403
    log_in(client, app, staff.manager)
    assert client.post(f"/steering/coverage/{area_id}/remove").status_code == 302
    assert _areas(app) == 0
    assert client.post("/steering/coverage/987654/remove").status_code == 404
