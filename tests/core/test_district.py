"""From one town to a district (CLI and admin page); a town's admin sees only their town."""

from __future__ import annotations

from sqlalchemy import select

from core import audit, orgunits
from core.extensions import db as _db
from core.models import AuditLog, OrgUnit, OrgUnitKind, RoleAssignment
from tests.conftest import log_in


def _roots(app):
    with app.app_context():
        return [(u.kind.value, u.name) for u in orgunits.roots()]


def test_cli_puts_a_district_above_the_town_and_moves_its_admin(app, runner, town, make_user):
    admin_id = make_user("site_admin", town.town_id)
    result = runner.invoke(args=["units", "add-district", "合川区"])
    assert result.exit_code == 0, result.output
    assert _roots(app) == [("district", "合川区")]
    with app.app_context():
        district = orgunits.roots()[0]
        village = _db.session.get(OrgUnit, town.village_a_id)
        assert village.path == f"/{district.id}/{town.town_id}/{town.village_a_id}/"
        held = _db.session.scalars(
            select(RoleAssignment.org_unit_id).where(
                RoleAssignment.user_id == admin_id, RoleAssignment.role == "site_admin"
            )
        ).all()
        assert held == [district.id]
        assert _db.session.scalar(select(AuditLog.action)) == "core.district_created"
    result = runner.invoke(args=["units", "add-town", "钱塘镇"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        second = _db.session.scalar(select(OrgUnit).where(OrgUnit.name == "钱塘镇"))
        assert (second.kind, second.parent_id) == (OrgUnitKind.town, district.id)
    again = runner.invoke(args=["units", "add-district", "又一个区"])
    assert again.exit_code == 1 and "已经有区县了" in again.output


def test_cli_makes_the_named_person_district_admin(app, runner, town, make_user):
    make_user(phone="13911112222")
    result = runner.invoke(args=["units", "add-district", "合川区", "--admin", "13911112222"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        district = orgunits.roots()[0]
        roles = _db.session.execute(
            select(RoleAssignment.role, RoleAssignment.org_unit_id).where(
                RoleAssignment.role == "site_admin"
            )
        ).all()
        assert [tuple(r) for r in roles] == [("site_admin", district.id)]
    assert runner.invoke(args=["units", "add-district", "x", "--admin", "13900000000"]).exit_code


def test_the_town_admin_adds_the_district_on_the_units_page(app, client, town, make_user):
    log_in(client, app, make_user("site_admin", town.town_id))
    page = client.get("/admin/units/").get_data(as_text=True)
    assert "建立区县" in page
    response = client.post("/admin/units/district", data={"name": "合川区"}, follow_redirects=True)
    assert "区县已建立，原有的镇已移到它下面。" in response.get_data(as_text=True)
    assert _roots(app) == [("district", "合川区")]
    # Now the district's admin adds a second town through the ordinary form.
    with app.app_context():
        district_id = orgunits.roots()[0].id
    made = client.post(
        "/admin/units/new", data={"parent_id": district_id, "kind": "town", "name": "钱塘镇"}
    )
    assert made.status_code == 302


def _two_towns(app, town):
    with app.app_context():
        district = orgunits.create_unit(None, OrgUnitKind.district, "合川区")
        orgunits.move_unit(_db.session.get(OrgUnit, town.town_id), district)
        other = orgunits.create_unit(district, OrgUnitKind.town, "钱塘镇")
        other_village = orgunits.create_unit(other, OrgUnitKind.village, "丙村")
        audit.record("core.unit_updated", _db.session.get(OrgUnit, town.village_a_id), "甲村改名")
        audit.record("core.unit_updated", other_village, "丙村改名")
        _db.session.commit()
        return district.id, other.id, other_village.id


def test_a_town_admin_sees_only_their_town(app, client, town, make_user):
    _district_id, _other_id, other_village_id = _two_towns(app, town)
    admin_id = make_user("site_admin", town.town_id)
    log_in(client, app, admin_id)
    units = client.get("/admin/units/").get_data(as_text=True)
    assert "甲村" in units and "丙村" not in units and "钱塘镇" not in units
    assert "建立区县" not in units
    audit_page = client.get("/admin/audit/").get_data(as_text=True)
    assert "甲村改名" in audit_page and "丙村改名" not in audit_page
    detail = client.get(f"/admin/users/{admin_id}").get_data(as_text=True)
    assert "甲村" in detail and "丙村" not in detail and "合川区" not in detail
    new_unit = client.get("/admin/units/new").get_data(as_text=True)
    assert "丙村" not in new_unit and "顶层单位" not in new_unit
    # Forbidden paths: a new top-level unit, a district, a unit under the other town.
    top_level = {"parent_id": 0, "kind": "town", "name": "x"}
    assert client.post("/admin/units/new", data=top_level).status_code in (200, 403)  # refused
    assert client.post("/admin/units/district", data={"name": "x"}).status_code == 403
    assert client.get(f"/admin/units/{other_village_id}").status_code == 403
    with app.app_context():
        assert _db.session.scalar(select(OrgUnit.id).where(OrgUnit.name == "x")) is None


def test_the_district_admin_sees_every_town(app, client, town, make_user):
    district_id, _other_id, _village = _two_towns(app, town)
    log_in(client, app, make_user("site_admin", district_id))
    units = client.get("/admin/units/").get_data(as_text=True)
    assert "甲村" in units and "丙村" in units
    audit_page = client.get("/admin/audit/").get_data(as_text=True)
    assert "甲村改名" in audit_page and "丙村改名" in audit_page
