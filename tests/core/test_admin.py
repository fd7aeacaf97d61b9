"""Site administration: accounts, roles, org units, audit log; and who may not use it."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from core.extensions import db as _db
from core.models import AuditLog, OrgUnit, RoleAssignment, User
from tests.conftest import CONFIRMED, TEST_PASSWORD, log_in


@pytest.fixture
def admin(app, client, town, make_user):
    user_id = make_user("site_admin", town.town_id)
    log_in(client, app, user_id)
    return user_id


def get(app, model, ident):
    with app.app_context():
        return _db.session.get(model, ident)


def audit_actions(app) -> list[str]:
    with app.app_context():
        return list(_db.session.scalars(select(AuditLog.action).order_by(AuditLog.id)))


ADMIN_PAGES = ["/admin/users/", "/admin/users/new", "/admin/units/", "/admin/units/new"]


@pytest.mark.parametrize("role", ["resident", "village_coordinator", "programme_manager"])
def test_admin_pages_are_forbidden_to_others(app, client, login_as, role, town):
    login_as(role, town.village_a_id)
    for page in ADMIN_PAGES:
        assert client.get(page).status_code == 403, page


def test_admin_pages_send_anonymous_visitors_to_log_in(client):
    for page in ADMIN_PAGES:
        assert client.get(page).status_code == 302


def test_admin_sees_full_phone_numbers_others_see_them_masked(app, client, admin, make_user):
    other = make_user(phone="13855556666")
    assert "13855556666" in client.get(f"/admin/users/{other}").get_data(as_text=True)
    from core.web import show_phone

    viewer = make_user(phone="13877778888")
    log_in(client, app, viewer)
    with app.test_request_context():
        from flask_login import login_user

        login_user(get(app, User, viewer))
        assert show_phone("13855556666", other) == "138****6666"
        assert show_phone("13877778888", viewer) == "13877778888"


def test_admin_creates_an_account(app, client, admin, town):
    data = {
        "phone": "13866667777",
        "display_name": "新村民",
        "home_unit_id": str(town.village_b_id),
        "password": "start2026abc",
    }
    assert client.post("/admin/users/new", data=data).status_code == 302
    bad = client.post("/admin/users/new", data={**data, "phone": "123"})
    assert "11 位中国大陆手机号" in bad.get_data(as_text=True)
    assert "core.user_created" in audit_actions(app)


def test_reset_password_logs_the_person_out(app, client, admin, make_user):
    target = make_user(phone="13855556666")
    their_phone = app.test_client()
    log_in(their_phone, app, target)
    response = client.post(f"/admin/users/{target}/password", data={"password": "reset2026abc"})
    assert response.status_code == 302
    assert get(app, User, target).check_password("reset2026abc")
    assert their_phone.get("/dashboard").status_code == 302
    weak = client.post(f"/admin/users/{target}/password", data={"password": "123"})
    assert weak.status_code == 400
    assert get(app, User, target).check_password("reset2026abc")
    assert "core.password_reset" in audit_actions(app)


def test_disabled_account_is_logged_out_and_cannot_log_in(app, client, admin, make_user):
    target = make_user(phone="13855556666")
    their_phone = app.test_client()
    log_in(their_phone, app, target)
    assert their_phone.get("/dashboard").status_code == 200
    client.post(f"/admin/users/{target}/active", data={"active": "0"})
    assert their_phone.get("/dashboard").status_code == 302
    login = their_phone.post("/login", data={"phone": "13855556666", "password": TEST_PASSWORD})
    assert "手机号或密码不正确" in login.get_data(as_text=True)
    client.post(f"/admin/users/{target}/active", data={"active": "1"})
    assert get(app, User, target).active
    assert {"core.user_disabled", "core.user_enabled"} <= set(audit_actions(app))


def test_admin_cannot_disable_themselves(app, client, admin):
    client.post(f"/admin/users/{admin}/active", data={"active": "0"})
    assert get(app, User, admin).active


def test_grant_and_revoke_roles(app, client, admin, make_user, town):
    target = make_user()
    response = client.post(
        f"/admin/users/{target}/roles",
        data={"role": "village_coordinator", "org_unit_id": str(town.village_b_id)},
    )
    assert response.status_code == 302
    with app.app_context():
        assignment = _db.session.scalar(
            select(RoleAssignment).where(
                RoleAssignment.user_id == target, RoleAssignment.role == "village_coordinator"
            )
        )
        assignment_id = assignment.id
    asked = client.post(f"/admin/users/{target}/roles/{assignment_id}/revoke")
    assert asked.status_code == 200 and "确认撤销角色" in asked.get_data(as_text=True)
    with app.app_context():
        assert _db.session.get(RoleAssignment, assignment_id) is not None  # not yet
    assert (
        client.post(
            f"/admin/users/{target}/roles/{assignment_id}/revoke", data=CONFIRMED
        ).status_code
        == 302
    )
    assert get(app, RoleAssignment, assignment_id) is None
    assert {"core.role_granted", "core.role_revoked"} <= set(audit_actions(app))


@pytest.mark.parametrize(
    "data",
    [
        {"role": "wizard", "org_unit_id": "1"},
        {"role": "resident", "org_unit_id": "999999"},
        {"role": "resident", "org_unit_id": "abc"},
        {"role": "", "org_unit_id": ""},
    ],
)
def test_bad_role_grants_change_nothing(app, client, admin, make_user, data):
    target = make_user()
    with app.app_context():
        before = _db.session.scalar(select(func.count(RoleAssignment.id)))
    assert client.post(f"/admin/users/{target}/roles", data=data).status_code == 400
    with app.app_context():
        assert _db.session.scalar(select(func.count(RoleAssignment.id))) == before


def test_unknown_ids_are_404(client, admin):
    assert client.get("/admin/users/999999").status_code == 404
    assert client.post("/admin/users/999999/password", data={"password": "x"}).status_code == 404
    assert client.get("/admin/units/999999").status_code == 404
    assert client.get("/admin/users/abc").status_code == 404


def test_revoking_someone_elses_assignment_through_the_wrong_user_is_404(
    app, client, admin, make_user, town
):
    first, second = make_user(), make_user("volunteer", town.village_a_id)
    with app.app_context():
        assignment_id = _db.session.scalar(
            select(RoleAssignment.id).where(RoleAssignment.user_id == second)
        )
    assert (
        client.post(
            f"/admin/users/{first}/roles/{assignment_id}/revoke", data=CONFIRMED
        ).status_code
        == 404
    )
    assert get(app, RoleAssignment, assignment_id) is not None


def test_create_edit_and_move_org_units(app, client, admin, town):
    data = {"name": "新村", "kind": "village", "parent_id": str(town.town_id), "population": "900"}
    assert client.post("/admin/units/new", data=data).status_code == 302
    with app.app_context():
        unit = _db.session.scalar(select(OrgUnit).where(OrgUnit.name == "新村"))
        unit_id = unit.id
        assert unit.path == f"/{town.town_id}/{unit_id}/"
    # move village A (with nothing below) under village B, then check the path followed
    move = {"name": "甲村", "kind": "village", "parent_id": str(town.village_b_id)}
    assert client.post(f"/admin/units/{town.village_a_id}", data=move).status_code == 302
    moved = get(app, OrgUnit, town.village_a_id)
    assert moved.path == f"/{town.town_id}/{town.village_b_id}/{town.village_a_id}/"
    assert {"core.unit_created", "core.unit_updated"} <= set(audit_actions(app))


def test_moving_a_unit_below_itself_is_refused(app, client, admin, town):
    data = {"name": "测试镇", "kind": "town", "parent_id": str(town.village_a_id)}
    response = client.post(f"/admin/units/{town.town_id}", data=data)
    assert response.status_code in (200, 400)
    assert get(app, OrgUnit, town.town_id).parent_id is None


@pytest.mark.parametrize(
    "data, message",
    [
        ({"name": "", "kind": "village"}, "此项必填"),
        ({"name": "村" * 10_000, "kind": "village"}, "不能超过 100 个字"),
        ({"name": "x", "kind": "castle"}, "不是有效的选择"),
        ({"name": "x", "kind": "village", "population": "-5"}, "人口应在"),
        ({"name": "x", "kind": "village", "population": "many"}, "整数"),
    ],
)
def test_bad_org_unit_input(app, client, admin, town, data, message):
    with app.app_context():
        before = _db.session.scalar(select(func.count(OrgUnit.id)))
    page = client.post("/admin/units/new", data={"parent_id": "0", **data}).get_data(as_text=True)
    assert message in page
    with app.app_context():
        assert _db.session.scalar(select(func.count(OrgUnit.id))) == before


def test_deactivate_a_unit_keeps_it(app, client, admin, town):
    client.post(f"/admin/units/{town.village_b_id}/active", data={"active": "0"})
    assert get(app, OrgUnit, town.village_b_id).active is False
    assert "core.unit_deactivated" in audit_actions(app)


def test_audit_log_pages_and_filters(app, client, admin, make_user):
    target = make_user()
    client.post(f"/admin/users/{target}/active", data={"active": "0"})
    client.post(f"/admin/users/{target}/active", data={"active": "1"})
    page = client.get("/admin/audit/?action=core.user_disabled").get_data(as_text=True)
    rows = page[page.index("<tbody>") :]
    assert "停用账号" in rows and "启用账号" not in rows
    assert client.get("/admin/audit/?start=2000-01-01&end=1999-01-01").status_code == 200
    assert client.get("/admin/audit/?start=not-a-date&page=abc").status_code == 200
    assert "127.0.0.1" in client.get("/admin/audit/").get_data(as_text=True)


def test_programme_manager_reads_the_audit_log_but_not_accounts(client, login_as, town):
    login_as("programme_manager", town.town_id)
    assert client.get("/admin/audit/").status_code == 200
    assert client.get("/admin/users/").status_code == 403


def test_grant_form_has_no_default_unit(client, admin, make_user):
    target = make_user()
    page = client.get(f"/admin/users/{target}").get_data(as_text=True)
    assert 'name="org_unit_id" required><option value="0">— 请选择单位 —</option>' in page
    response = client.post(f"/admin/users/{target}/roles", data={"role": "resident"})
    assert response.status_code == 400 and "请选择单位。" in response.get_data(as_text=True)


def test_granting_a_role_already_held_says_so_and_records_nothing(
    app, client, admin, make_user, town
):
    target = make_user("village_coordinator", town.village_a_id, name="甲村书记")
    data = {"role": "village_coordinator", "org_unit_id": str(town.village_a_id)}
    with app.app_context():
        before = _db.session.scalar(select(func.count(RoleAssignment.id)))
    response = client.post(f"/admin/users/{target}/roles", data=data, follow_redirects=True)
    assert "甲村书记 已在甲村担任村（社区）负责人，无需重复授予。" in response.get_data(
        as_text=True
    )
    assert "角色已授予" not in response.get_data(as_text=True)
    with app.app_context():
        assert _db.session.scalar(select(func.count(RoleAssignment.id))) == before
    assert "core.role_granted" not in audit_actions(app)
